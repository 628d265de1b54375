/**
 * What the flow can end with: the captcha's verdict, the outcomes of a submission that went
 * through, and the typed errors of one that did not. The HTTP status of each lives only in
 * the answer table (src/http/answers.ts).
 */
import * as Data from "effect/Data"
import type { FieldIssue } from "./issues"

export type UnverifiedReason =
  | "timeout"
  | "unreachable"
  | `http_${number}`
  | "invalid_response"
  | "secret_unavailable"

export type CaptchaVerdict =
  | { readonly _tag: "Verified" }
  | { readonly _tag: "Disabled" }
  | { readonly _tag: "Unverified"; readonly reason: UnverifiedReason }

/** What the flow did when it did not fail. */
export type Outcome =
  | { readonly _tag: "Sent"; readonly captcha: CaptchaVerdict }
  | { readonly _tag: "Honeypot" }

export class FormInvalid extends Data.TaggedError("FormInvalid")<{
  readonly issues: ReadonlyArray<FieldIssue>
}> {}

export class CaptchaRejected extends Data.TaggedError("CaptchaRejected")<{
  /** `missing`, `placeholder`, or the provider's error code. */
  readonly reason: string
}> {}

/** The captcha API says our key, sitekey or request is wrong: an owner's problem. */
export class CaptchaMisconfigured extends Data.TaggedError("CaptchaMisconfigured")<{
  readonly status: number
  readonly code: string
}> {}

export type SecretName = "smtp" | "captcha"
export type SecretProblem =
  | "missing"
  | "denied"
  | "malformed"
  | "throttled"
  | "timeout"
  | "unavailable"

export class SecretUnavailable extends Data.TaggedError("SecretUnavailable")<{
  readonly secret: SecretName
  readonly problem: SecretProblem
}> {}

/** The relay refused our credentials (535): the flow refreshes the secret once. */
export class MailAuthRejected extends Data.TaggedError("MailAuthRejected")<{
  readonly code: number
}> {}

/** A permanent refusal (5xx other than authentication): never retried. */
export class MailRejected extends Data.TaggedError("MailRejected")<{
  readonly code: number
}> {}

/** Unreachable, dropped, timed out or temporarily refused, after the retries. */
export class MailUnavailable extends Data.TaggedError("MailUnavailable")<{
  readonly reason: string
}> {}

export type FlowError =
  | FormInvalid
  | CaptchaRejected
  | CaptchaMisconfigured
  | SecretUnavailable
  | MailAuthRejected
  | MailRejected
  | MailUnavailable
