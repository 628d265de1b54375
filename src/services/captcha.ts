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
import { AppConfigTag } from "../config/app-config"
import {
  type CaptchaProvider,
  isRemoteProvider,
  type RemoteProvider
} from "../domain/captcha-providers"
import {
  type AlreadyReceived,
  type CaptchaMisconfigured,
  CaptchaRejected,
  type CaptchaVerdict,
  ChallengeUnavailable,
  type ReplayUnchecked
} from "../domain/errors"
import { tokenProblem } from "../domain/token"
import { makeAltcha } from "./altcha-check"
import { captchaProtocols, keysOf, unverified, verdictOf } from "./captcha-protocols"
import { SecretsService } from "./secrets"

export type CaptchaFailure =
  | CaptchaRejected
  | AlreadyReceived
  | CaptchaMisconfigured
  | ReplayUnchecked

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
  /** A fresh challenge (JSON) of `provider`, which must be ALTCHA, with the form's secret. */
  readonly challenge: (
    provider: CaptchaProvider,
    secretId: string
  ) => Effect.Effect<string, ChallengeUnavailable>
}

export class CaptchaService extends Context.Service<CaptchaService, CaptchaServiceApi>()(
  "contact-form/CaptchaService"
) {}

class CaptchaTimedOut extends Data.TaggedError("CaptchaTimedOut") {}

const disabled: CaptchaVerdict = { _tag: "Disabled" }

/** The request never got an answer (rather than an answer we cannot read). */
const unreachable = (error: HttpClientError.HttpClientError) =>
  error.reason._tag === "TransportError" || error.reason._tag === "InvalidUrlError"

export const CaptchaLive = Layer.effect(
  CaptchaService,
  Effect.gen(function* () {
    const config = yield* AppConfigTag
    const secrets = yield* SecretsService
    const client = yield* HttpClient.HttpClient
    const altcha = yield* makeAltcha
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
        if (provider === "none") return Effect.succeed(disabled)
        const problem = tokenProblem(token)
        if (problem !== undefined || token === undefined)
          return Effect.fail(new CaptchaRejected({ reason: problem ?? "missing" }))
        return isRemoteProvider(provider)
          ? remote(provider, token, secretId)
          : altcha.verify(token, secretId)
      },
      challenge: (provider, secretId) =>
        provider === "altcha"
          ? altcha.challenge(secretId)
          : Effect.fail(new ChallengeUnavailable({ reason: "no_altcha" }))
    })
  })
)

/** No captcha for any form (tests, and the embedded mode's demo). */
export const CaptchaDisabled = Layer.succeed(
  CaptchaService,
  CaptchaService.of({
    verify: () => Effect.succeed(disabled),
    challenge: () => Effect.fail(new ChallengeUnavailable({ reason: "no_altcha" }))
  })
)
