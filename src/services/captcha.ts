/**
 * CaptchaService: each form's provider of the table (src/domain/captcha-providers.ts), with
 * the outcome rows of contract §4 for all of them. Outages fail open (the mail is sent,
 * marked unverified); an answer that says our own key or sitekey is wrong is a delivery
 * failure, never a visitor's fault.
 */
import { randomUUID } from "node:crypto"
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
import * as Redacted from "effect/Redacted"
import { AppConfigTag } from "../config/app-config"
import { outcomeOf } from "../domain/captcha-outcomes"
import {
  type CaptchaProvider,
  captchaProviders,
  isRemoteProvider,
  type RemoteProvider
} from "../domain/captcha-providers"
import {
  AlreadyReceived,
  CaptchaMisconfigured,
  CaptchaRejected,
  type CaptchaVerdict,
  type UnverifiedReason
} from "../domain/errors"
import { tokenProblem } from "../domain/token"
import type { CaptchaAnswer, Protocol, ProviderKeys } from "./captcha-protocol"
import { friendlyCaptchaV1, friendlyCaptchaV2 } from "./friendly-captcha"
import { hcaptcha } from "./hcaptcha"
import { type CaptchaKeys, SecretsService } from "./secrets"
import { turnstile } from "./turnstile"

export type CaptchaFailure = CaptchaRejected | AlreadyReceived | CaptchaMisconfigured

export interface CaptchaServiceApi {
  /**
   * The verdict on `token` by `provider`, with the keys in the secret `secretId` (the
   * form's own, contract §10).
   */
  readonly verify: (
    provider: CaptchaProvider,
    token: string | undefined,
    secretId: string
  ) => Effect.Effect<CaptchaVerdict, CaptchaFailure>
}

export class CaptchaService extends Context.Service<CaptchaService, CaptchaServiceApi>()(
  "contact-form/CaptchaService"
) {}

/** Each remote provider's protocol: a row of the table without one does not compile. */
export const captchaProtocols: { readonly [P in RemoteProvider]: Protocol } = {
  "friendlycaptcha-v2": friendlyCaptchaV2,
  "friendlycaptcha-v1": friendlyCaptchaV1,
  turnstile,
  hcaptcha
}

class CaptchaTimedOut extends Data.TaggedError("CaptchaTimedOut") {}

const unverified = (reason: UnverifiedReason): CaptchaVerdict => ({ _tag: "Unverified", reason })
const disabled: CaptchaVerdict = { _tag: "Disabled" }

/** The request never got an answer (rather than an answer we cannot read). */
const unreachable = (error: HttpClientError.HttpClientError) =>
  error.reason._tag === "TransportError" || error.reason._tag === "InvalidUrlError"

/** The provider's two keys from the secret, or `undefined` when it lacks one. */
const keysOf = (provider: RemoteProvider, secret: CaptchaKeys): ProviderKeys | undefined => {
  const names = captchaProviders[provider].secret
  const sitekey = secret[names.sitekey]
  const key = secret[names.key]
  return sitekey === undefined || key === undefined
    ? undefined
    : { sitekey: Redacted.value(sitekey), key }
}

/** The verdict, or the failure, that an answer of `provider` means. */
const verdictOf = (
  provider: RemoteProvider,
  status: number,
  answer: CaptchaAnswer | undefined
): Effect.Effect<CaptchaVerdict, CaptchaFailure> => {
  const code = answer?.code ?? "unknown"
  switch (outcomeOf(captchaProviders[provider].codes, status, answer)) {
    case "verified":
      return Effect.succeed({ _tag: "Verified" })
    case "refused":
      return Effect.fail(new CaptchaRejected({ reason: code }))
    case "already_received":
      return Effect.fail(new AlreadyReceived({ reason: code }))
    case "misconfigured":
      return Effect.fail(new CaptchaMisconfigured({ status, code }))
    case "unavailable":
      return Effect.succeed(
        unverified(
          status !== 200
            ? `http_${status}`
            : answer === undefined
              ? "invalid_response"
              : "provider_error"
        )
      )
  }
}

export const CaptchaLive = Layer.effect(
  CaptchaService,
  Effect.gen(function* () {
    const config = yield* AppConfigTag
    const secrets = yield* SecretsService
    const client = yield* HttpClient.HttpClient
    const { verifyUrls, timeoutMs } = config.captcha

    // What an answer means (contract §4): the table's one rule, by the provider's codes.
    const classify =
      (provider: RemoteProvider) => (response: HttpClientResponse.HttpClientResponse) =>
        response.json.pipe(
          Effect.option,
          Effect.flatMap((json) =>
            verdictOf(
              provider,
              response.status,
              Option.getOrUndefined(Option.map(json, captchaProtocols[provider].read))
            )
          )
        )

    // One call to the API, bounded by CAPTCHA_TIMEOUT_MS; not hearing it fails open.
    const ask = (provider: RemoteProvider, request: HttpClientRequest.HttpClientRequest) =>
      client.execute(request).pipe(
        Effect.flatMap(classify(provider)),
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

    const remote = Effect.fn("CaptchaService.verify")(function* (
      provider: RemoteProvider,
      token: string,
      secretId: string
    ) {
      const secret = yield* secrets.captcha(secretId).pipe(Effect.option)
      const keys = Option.isSome(secret) ? keysOf(provider, secret.value) : undefined
      if (keys === undefined) return unverified("secret_unavailable")
      const request = captchaProtocols[provider].request(
        verifyUrls[provider],
        token,
        keys,
        randomUUID()
      )
      return yield* ask(provider, request)
    })

    return CaptchaService.of({
      verify: (provider, token, secretId) => {
        if (!isRemoteProvider(provider)) return Effect.succeed(disabled)
        const problem = tokenProblem(token)
        if (problem !== undefined || token === undefined)
          return Effect.fail(new CaptchaRejected({ reason: problem ?? "missing" }))
        return remote(provider, token, secretId)
      }
    })
  })
)

/** No captcha for any form (tests, and the embedded mode's demo). */
export const CaptchaDisabled = Layer.succeed(
  CaptchaService,
  CaptchaService.of({ verify: () => Effect.succeed(disabled) })
)
