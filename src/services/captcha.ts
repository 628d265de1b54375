/**
 * CaptchaService: FriendlyCaptcha v2 and v1, or no captcha, with exactly the outcome table
 * of SPEC section 4. Outages fail open (the mail is sent, marked unverified); an answer
 * that says our own key or sitekey is wrong is a delivery failure, never a visitor's fault.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { AppConfigTag } from "../config/app-config"
import {
  AlreadyReceived,
  CaptchaMisconfigured,
  CaptchaRejected,
  type CaptchaVerdict,
  type UnverifiedReason
} from "../domain/errors"
import { tokenProblem } from "../domain/token"
import { type CaptchaCredentials, SecretsService } from "./secrets"

export interface CaptchaServiceApi {
  /** The form field that carries this provider's token; `undefined` without a captcha. */
  readonly tokenField: string | undefined
  /** `secretId`: the form's captcha secret (a sitekey per site, SPEC section 10). */
  readonly verify: (
    token: string | undefined,
    secretId: string
  ) => Effect.Effect<CaptchaVerdict, CaptchaRejected | AlreadyReceived | CaptchaMisconfigured>
}

export class CaptchaService extends Context.Tag("contact-form/CaptchaService")<
  CaptchaService,
  CaptchaServiceApi
>() {}

class CaptchaTimedOut extends Data.TaggedError("CaptchaTimedOut") {}

const unverified = (reason: UnverifiedReason): CaptchaVerdict => ({ _tag: "Unverified", reason })

// Both versions answer `success`; the error code sits in `errors` (v1) or `error` (v2).
const VerifyAnswer = Schema.Struct({
  success: Schema.Boolean,
  errors: Schema.optional(Schema.Array(Schema.String)),
  error: Schema.optional(Schema.Struct({ error_code: Schema.optional(Schema.String) }))
})

const decodeAnswer = Schema.decodeUnknown(VerifyAnswer)

const errorCode = (answer: typeof VerifyAnswer.Type): string =>
  answer.error?.error_code ?? answer.errors?.[0] ?? "unknown"

interface Protocol {
  readonly tokenField: string
  /** The code of `success: false` for a token used before, or expired (SPEC section 9). */
  readonly used: string
  /** The request for this token, or `undefined` when the credentials lack this version's key. */
  readonly request: (
    url: string,
    token: string,
    keys: CaptchaCredentials
  ) => HttpClientRequest.HttpClientRequest | undefined
}

const v2: Protocol = {
  tokenField: "frc-captcha-response",
  used: "response_duplicate",
  request: (url, token, keys) =>
    keys.apiKey === undefined
      ? undefined
      : HttpClientRequest.post(url).pipe(
          HttpClientRequest.setHeader("X-API-Key", Redacted.value(keys.apiKey)),
          HttpClientRequest.bodyUnsafeJson({ response: token, sitekey: keys.sitekey })
        )
}

const v1: Protocol = {
  tokenField: "frc-captcha-solution",
  // v1 has one code for both: a token used before, or one too old.
  used: "solution_timeout_or_duplicate",
  request: (url, token, keys) =>
    keys.secret === undefined
      ? undefined
      : HttpClientRequest.post(url).pipe(
          HttpClientRequest.bodyUnsafeJson({
            solution: token,
            secret: Redacted.value(keys.secret),
            sitekey: keys.sitekey
          })
        )
}

const friendlyCaptcha = (protocol: Protocol) =>
  Layer.effect(
    CaptchaService,
    Effect.gen(function* () {
      const config = yield* AppConfigTag
      const secrets = yield* SecretsService
      // No trace headers (traceparent, b3) to a third party: our span ids are ours.
      const client = HttpClient.withTracerPropagation(yield* HttpClient.HttpClient, false)
      const { verifyUrl, timeoutMs } = config.captcha

      // What an answer means (SPEC section 4).
      const classify = (
        response: HttpClientResponse.HttpClientResponse
      ): Effect.Effect<
        CaptchaVerdict,
        CaptchaRejected | AlreadyReceived | CaptchaMisconfigured
      > => {
        const answer = response.json.pipe(Effect.flatMap(decodeAnswer), Effect.option)
        const { status } = response
        if (status === 200) {
          return Effect.flatMap(
            answer,
            Option.match({
              onNone: () => Effect.succeed(unverified("invalid_response")),
              onSome: (a): Effect.Effect<CaptchaVerdict, CaptchaRejected | AlreadyReceived> =>
                a.success
                  ? Effect.succeed({ _tag: "Verified" })
                  : errorCode(a) === protocol.used
                    ? new AlreadyReceived({ reason: errorCode(a) })
                    : new CaptchaRejected({ reason: errorCode(a) })
            })
          )
        }
        if (status === 400 || status === 401 || status === 403) {
          return Effect.flatMap(answer, (a) =>
            Effect.fail(
              new CaptchaMisconfigured({
                status,
                code: Option.match(a, { onNone: () => "unknown", onSome: errorCode })
              })
            )
          )
        }
        return Effect.succeed(unverified(`http_${status}`))
      }

      // One call to the API, bounded by CAPTCHA_TIMEOUT_MS; not hearing it fails open.
      const ask = (request: HttpClientRequest.HttpClientRequest) =>
        client.execute(request).pipe(
          Effect.flatMap(classify),
          Effect.scoped,
          Effect.timeoutFail({
            duration: Duration.millis(timeoutMs),
            onTimeout: () => new CaptchaTimedOut()
          }),
          Effect.catchTags({
            CaptchaTimedOut: () => Effect.succeed(unverified("timeout")),
            RequestError: () => Effect.succeed(unverified("unreachable")),
            ResponseError: () => Effect.succeed(unverified("invalid_response"))
          })
        )

      return CaptchaService.of({
        tokenField: protocol.tokenField,
        verify: Effect.fn("CaptchaService.verify")(function* (
          token: string | undefined,
          secretId: string
        ) {
          const problem = tokenProblem(token)
          if (problem !== undefined || token === undefined)
            return yield* new CaptchaRejected({ reason: problem ?? "missing" })
          const keys = yield* secrets.captcha(secretId).pipe(Effect.option)
          const request = Option.flatMapNullable(keys, (k) => protocol.request(verifyUrl, token, k))
          if (Option.isNone(request)) return unverified("secret_unavailable")
          return yield* ask(request.value)
        })
      })
    })
  )

export const FriendlyCaptchaV2 = friendlyCaptcha(v2)
export const FriendlyCaptchaV1 = friendlyCaptcha(v1)

export const CaptchaDisabled = Layer.succeed(
  CaptchaService,
  CaptchaService.of({ tokenField: undefined, verify: () => Effect.succeed({ _tag: "Disabled" }) })
)

/** The layer CAPTCHA_PROVIDER names. */
export const CaptchaLive = Layer.unwrapEffect(
  Effect.map(AppConfigTag, (config) => {
    switch (config.captcha.provider) {
      case "friendlycaptcha-v2":
        return FriendlyCaptchaV2
      case "friendlycaptcha-v1":
        return FriendlyCaptchaV1
      case "none":
        return CaptchaDisabled
    }
  })
)
