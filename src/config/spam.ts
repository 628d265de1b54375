/**
 * The spam judgement's settings (contract §12): the policy and threshold of the forms that
 * name none (SPAM_POLICY, SPAM_THRESHOLD; `spamPolicy`, `spamThreshold` in FORMS), and
 * Akismet, asked only when AKISMET_SECRET_ID names its key.
 */
import { type SpamPolicy, spamPolicies, spamThreshold } from "../domain/spam-policies"
import { all } from "./env"
import { oneOf, orDefault, orNothing, positiveInt, text, wholeNumber } from "./readers"

export { type SpamPolicy, spamPolicies } from "../domain/spam-policies"

/** A form's judgement: what becomes of spam, and the score that makes it spam. */
export interface SpamSettings {
  readonly policy: SpamPolicy
  readonly threshold: number
}

/** Akismet's `comment-check`, when AKISMET_SECRET_ID is set. */
export interface AkismetConfig {
  /** The secret `{"AKISMET_API_KEY": "…"}`. */
  readonly secretId: string
  /** AKISMET_URL (a test's peer), else Akismet's own endpoint. */
  readonly url: string
  /** AKISMET_TIMEOUT_MS: its call's bound, beside the captcha's. */
  readonly timeoutMs: number
}

export const spamVariables = all({
  policy: oneOf("SPAM_POLICY", spamPolicies, orDefault("mark")),
  threshold: wholeNumber(
    "SPAM_THRESHOLD",
    spamThreshold.default,
    spamThreshold.min,
    spamThreshold.max
  ),
  akismetSecretId: text("AKISMET_SECRET_ID", orNothing),
  akismetUrl: text("AKISMET_URL", orDefault("https://rest.akismet.com")),
  akismetTimeoutMs: positiveInt("AKISMET_TIMEOUT_MS", 1_500, 10_000)
})

export const akismetConfig = (v: {
  readonly akismetSecretId: string | undefined
  readonly akismetUrl: string
  readonly akismetTimeoutMs: number
}): AkismetConfig | undefined =>
  v.akismetSecretId === undefined
    ? undefined
    : { secretId: v.akismetSecretId, url: v.akismetUrl, timeoutMs: v.akismetTimeoutMs }
