/**
 * What the flow can end with: the captcha's verdict, the outcomes of a submission that went
 * through, and the typed errors of one that did not. The HTTP status of each lives only in
 * the answer table (src/http/answers.ts).
 */
import * as Data from "effect/Data"
import type {
  AlreadyReceived,
  CaptchaMisconfigured,
  CaptchaRejected,
  CaptchaVerdict,
  ChallengeUnavailable,
  ReplayUnchecked
} from "./captcha-errors"
import type { ChannelFailed } from "./channel-errors"
import type { FieldIssue } from "./issues"
import type { SpamVerdict } from "./spam-verdict"

export * from "./captcha-errors"
export * from "./channel-errors"

export interface Sent {
  readonly _tag: "Sent"
  readonly id: string
  readonly captcha: CaptchaVerdict
  /** Judged spam under `drop` (contract §12): answered as sent, delivered nowhere. */
  readonly spamDropped?: SpamVerdict
}

/**
 * A submission that went through: sent, or in the queue (contract §7) for a transient
 * (Queued) or a permanent (Kept) reason, or handed to the relay without a word back and
 * kept nowhere (Unknown, contract §7a: it has probably arrived, and sending it again
 * could make a second copy). These are what the duplicate guard remembers.
 */
export type Accepted = Sent | Kept<"Queued"> | Kept<"Kept"> | Kept<"Unknown">

/** A repeat of an accepted submission (contract §9): answered as the first one was. */
export interface Duplicate {
  readonly _tag: "Duplicate"
  readonly first: Accepted
}

/**
 * A repeat whose first request, on another process, was still in flight when the repeat
 * could wait no longer (contract §9): nothing sent here; the first one will end in its own
 * outcome, so the visitor hears that the message has probably reached the owner.
 */
export interface InFlight {
  readonly _tag: "InFlight"
  readonly id: string
}

/** What the flow did when it did not fail. */
export type Outcome = Accepted | { readonly _tag: "Honeypot" } | Duplicate | InFlight

interface Kept<Tag extends string> {
  readonly _tag: Tag
  readonly id: string
  readonly captcha: CaptchaVerdict
  /** Why the first attempt failed (the log's `reason`). */
  readonly reason: string
}

export class FormInvalid extends Data.TaggedError("FormInvalid")<{
  readonly issues: ReadonlyArray<FieldIssue>
}> {}

export type SecretName = "smtp" | "captcha" | "channel" | "akismet"
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

/**
 * A permanent refusal (SMTP 5xx other than authentication; SES's rejections): never
 * retried. `reason` names the transport and the refusal: `smtp_rejected_554`.
 */
export class MailRejected extends Data.TaggedError("MailRejected")<{
  readonly reason: string
}> {}

/**
 * Unreachable, dropped, timed out or temporarily refused, after the retries. `reason`
 * names the transport and the failure: `smtp_reply_454`, `ses_throttled`, `smtp_timeout`.
 */
export class MailUnavailable extends Data.TaggedError("MailUnavailable")<{
  readonly reason: string
  /** Failing the same way until the owner acts (a refused certificate). */
  readonly permanent?: boolean
}> {}

/**
 * Past the point of no return (contract §7a: the end of DATA; SES: the request left),
 * the relay or SES never confirmed: the owner has probably received it. Never sent again
 * within the request. `at`: when that attempt passed the point of no return (epoch ms).
 */
export class MailUnknown extends Data.TaggedError("MailUnknown")<{
  readonly reason: string
  readonly at: number
}> {}

/** The queue could not take an item (contract §7): too large, or unreachable in time. */
export class QueueUnavailable extends Data.TaggedError("QueueUnavailable")<{
  readonly problem: "too_large" | "timeout" | "throttled" | "denied" | "unavailable"
  /** What failed underneath (the spool's file-system error), when there is one. */
  readonly cause?: unknown
}> {}

/**
 * The queue was asked and never answered (contract §7a): it may hold the item, so the
 * visitor is never told it was not kept. `what`: the wait ran out, or the connection dropped.
 */
export class QueueUnanswered extends Data.TaggedError("QueueUnanswered")<{
  readonly what: "timeout" | "connection"
}> {}

/** Why a mail did not go out: its secret, or the relay. */
export type DeliveryFailure =
  | SecretUnavailable
  | MailAuthRejected
  | MailRejected
  | MailUnavailable
  | MailUnknown
  | ChannelFailed

/** Delivery failed and the queue could not keep the submission either. */
export class DeliveryNotKept extends Data.TaggedError("DeliveryNotKept")<{
  readonly delivery: DeliveryFailure
  readonly queue: QueueUnavailable
}> {}

export type FlowError =
  | FormInvalid
  | CaptchaRejected
  | AlreadyReceived
  | CaptchaMisconfigured
  | ReplayUnchecked
  | ChallengeUnavailable
  | DeliveryFailure
  | DeliveryNotKept
