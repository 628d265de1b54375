/**
 * CaptchaService: FriendlyCaptcha v2 and v1, or no captcha, with exactly the outcome table
 * of SPEC section 4. Outages fail open (the mail is sent, marked unverified); an answer
 * that says our own key or sitekey is wrong is a delivery failure, never a visitor's fault.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { AppConfigTag } from "../config/app-config"
import {
  AlreadyReceived,
  CaptchaMisconfigured,
  CaptchaRejected,
  type CaptchaVerdict,
  type UnverifiedReason
} from "../domain/errors"
import { tokenProblem } from "../domain/token"
import { decodeAnswer, errorCode, type Protocol, v1, v2 } from "./friendly-captcha"
import { SecretsService } from "./secrets"

export interface CaptchaServiceApi {
  /** The form field that carries this provider's token; `undefined` without a captcha. */
  readonly tokenField: string | undefined
  /** `secretId`: the form's captcha secret (a sitekey per site, SPEC section 10). */
  readonly verify: (
    token: string | undefined,
    secretId: string
  ) => Effect.Effect<CaptchaVerdict, CaptchaRejected | AlreadyReceived | CaptchaMisconfigured>
}

export class CaptchaService extends Context.Service<CaptchaService, CaptchaServiceApi>()(
  "contact-form/CaptchaService"
) {}

class CaptchaTimedOut extends Data.TaggedError("CaptchaTimedOut") {}

const unverified = (reason: UnverifiedReason): CaptchaVerdict => ({ _tag: "Unverified", reason })

/** The request never got an answer (rather than an answer we cannot read). */
const unreachable = (error: HttpClientError.HttpClientError) =>
  error.reason._tag === "TransportError" || error.reason._tag === "InvalidUrlError"

const friendlyCaptcha = (protocol: Protocol) =>
  Layer.effect(
    CaptchaService,
    Effect.gen(function* () {
      const config = yield* AppConfigTag
      const secrets = yield* SecretsService
      const client = yield* HttpClient.HttpClient
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
          Effect.timeoutOrElse({
            duration: Duration.millis(timeoutMs),
            orElse: () => Effect.fail(new CaptchaTimedOut())
          }),
          // No trace headers (traceparent, b3) to a third party: our span ids are ours.
          Effect.provideService(HttpClient.TracerPropagationEnabled, false),
          Effect.catchTags({
            CaptchaTimedOut: () => Effect.succeed(unverified("timeout")),
            HttpClientError: (e) =>
              Effect.succeed(unverified(unreachable(e) ? "unreachable" : "invalid_response"))
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
          const request = Option.isSome(keys)
            ? protocol.request(verifyUrl, token, keys.value)
            : undefined
          if (request === undefined) return unverified("secret_unavailable")
          return yield* ask(request)
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
export const CaptchaLive = Layer.unwrap(
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
