/**
 * The remote providers' protocols, one per row of the provider table (a row without one
 * does not compile), and what the service does with each: the provider's two keys from its
 * secret, and the verdict an answer means by the table's one rule.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { outcomeOf } from "../domain/captcha-outcomes"
import { captchaProviders, type RemoteProvider } from "../domain/captcha-providers"
import {
  AlreadyReceived,
  CaptchaMisconfigured,
  CaptchaRejected,
  type CaptchaVerdict,
  type UnverifiedReason
} from "../domain/errors"
import type { CaptchaAnswer, Protocol, ProviderKeys } from "./captcha-protocol"
import { friendlyCaptchaV1, friendlyCaptchaV2 } from "./friendly-captcha"
import { hcaptcha } from "./hcaptcha"
import type { CaptchaKeys } from "./secrets"
import { turnstile } from "./turnstile"

/** Each remote provider's protocol: a row of the table without one does not compile. */
export const captchaProtocols: { readonly [P in RemoteProvider]: Protocol } = {
  "friendlycaptcha-v2": friendlyCaptchaV2,
  "friendlycaptcha-v1": friendlyCaptchaV1,
  turnstile,
  hcaptcha
}

export const unverified = (reason: UnverifiedReason): CaptchaVerdict => ({
  _tag: "Unverified",
  reason
})

/** The provider's two keys from the secret, or `undefined` when it lacks one. */
export const keysOf = (provider: RemoteProvider, secret: CaptchaKeys): ProviderKeys | undefined => {
  const names = captchaProviders[provider].secret
  const sitekey = secret[names.sitekey]
  const key = secret[names.key]
  return sitekey === undefined || key === undefined
    ? undefined
    : { sitekey: Redacted.value(sitekey), key }
}

/** The verdict, or the failure, that an answer of `provider` means. */
export const verdictOf = (
  provider: RemoteProvider,
  status: number,
  answer: CaptchaAnswer | undefined
): Effect.Effect<CaptchaVerdict, CaptchaRejected | AlreadyReceived | CaptchaMisconfigured> => {
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
