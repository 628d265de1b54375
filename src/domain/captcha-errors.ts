/**
 * The captcha's side of what the flow can end with (contract §4): its verdicts, and the
 * typed errors of a captcha that refuses, says the token was used, or cannot be used (our
 * configuration, ALTCHA's store, a challenge). Their HTTP status lives only in the answer
 * table (src/http/answers.ts).
 */
import * as Data from "effect/Data"

export type UnverifiedReason =
  | "timeout"
  | "unreachable"
  | `http_${number}`
  | "invalid_response"
  /** The provider answered with a code that says it cannot verify now (Turnstile's internal-error). */
  | "provider_error"
  | "secret_unavailable"

export type CaptchaVerdict =
  | { readonly _tag: "Verified" }
  | { readonly _tag: "Disabled" }
  | { readonly _tag: "Unverified"; readonly reason: UnverifiedReason }

export class CaptchaRejected extends Data.TaggedError("CaptchaRejected")<{
  /** `missing`, `placeholder`, or the provider's error code. */
  readonly reason: string
}> {}

/**
 * The captcha API says the token was used already, or has expired (contract §9): most
 * likely a repeat of a submission that reached the owner, answered on another process.
 */
export class AlreadyReceived extends Data.TaggedError("AlreadyReceived")<{
  /** The provider's error code. */
  readonly reason: string
}> {}

/**
 * The captcha API says our key, sitekey or request is wrong, or (ALTCHA, without an API)
 * our own secret is: an owner's problem.
 */
export class CaptchaMisconfigured extends Data.TaggedError("CaptchaMisconfigured")<{
  /** The API's status; `undefined` for a problem found here (ALTCHA's secret). */
  readonly status: number | undefined
  readonly code: string
}> {}

/**
 * ALTCHA with the store configured and down (contract §9): a replay cannot be told from a
 * first use, so nothing is sent; the visitor gets the fallback (500), the owner an error.
 */
export class ReplayUnchecked extends Data.TaggedError("ReplayUnchecked")<{
  readonly problem: string
}> {}

/** GET /altcha for a form that has no ALTCHA, or whose secret is not usable (contract §4). */
export class ChallengeUnavailable extends Data.TaggedError("ChallengeUnavailable")<{
  readonly reason: "no_altcha" | string
}> {}
