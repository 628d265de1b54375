/**
 * The captcha settings (contract §4): the deployment's provider, each remote provider's
 * siteverify endpoint, the call's bound and the secret of the forms that name none.
 */
import {
  type CaptchaProvider,
  captchaProviderIds,
  captchaProviders,
  type RemoteProvider,
  remoteProviderIds,
  verifyUrlVariable
} from "../domain/captcha-providers"
import type { AppConfig } from "./app-config"
import { all, type ValueOf } from "./env"
import { httpUrl, oneOf, orDefault, orNothing, positiveInt, text, wholeNumber } from "./readers"

export const captchaVariables = all({
  provider: oneOf(
    "CAPTCHA_PROVIDER",
    captchaProviderIds,
    orDefault<CaptchaProvider>("friendlycaptcha-v2")
  ),
  verifyUrl: httpUrl("CAPTCHA_VERIFY_URL", orNothing),
  /** Each remote provider's CAPTCHA_VERIFY_URL_<PROVIDER>. */
  providerUrls: all<Readonly<Partial<Record<RemoteProvider, string>>>>(
    Object.fromEntries(
      remoteProviderIds.map((provider) => [
        provider,
        httpUrl(verifyUrlVariable(provider), orNothing)
      ])
    )
  ),
  timeoutMs: positiveInt("CAPTCHA_TIMEOUT_MS", 4_000, 30_000),
  altchaExpiresSeconds: wholeNumber("ALTCHA_EXPIRES_SECONDS", 600, 10, 86_400),
  // PBKDF2 iterations an attempt: a median of about one second on a core 4x slower than this
  // machine's, a mid-range phone (bench/altcha-cost.ts; README, Performance). Chromium's
  // CPU throttling does not reach the widget's workers, so the figure is 4x the measured one.
  altchaCost: wholeNumber("ALTCHA_COST", 7_000, 1, 10_000_000),
  secretId: text("CAPTCHA_SECRET_ID", orDefault("friendlycaptcha-data"))
})

type CaptchaVariables = ValueOf<typeof captchaVariables>

/**
 * A provider's endpoint: its own variable, else CAPTCHA_VERIFY_URL when it is the
 * deployment's provider, else the table's.
 */
const verifyUrlOf = (c: CaptchaVariables, provider: RemoteProvider): string =>
  c.providerUrls[provider] ??
  (provider === c.provider ? c.verifyUrl : undefined) ??
  captchaProviders[provider].verifyUrl

export const captchaConfig = (c: CaptchaVariables): AppConfig["captcha"] => ({
  provider: c.provider,
  verifyUrls: {
    "friendlycaptcha-v2": verifyUrlOf(c, "friendlycaptcha-v2"),
    "friendlycaptcha-v1": verifyUrlOf(c, "friendlycaptcha-v1"),
    turnstile: verifyUrlOf(c, "turnstile"),
    hcaptcha: verifyUrlOf(c, "hcaptcha")
  },
  timeoutMs: c.timeoutMs,
  altcha: { expiresSeconds: c.altchaExpiresSeconds, cost: c.altchaCost }
})
