/**
 * What a channel other than mail delivers (contract §11): the submission as the mail
 * carries it, nothing more (personal data that leaves the owner's AWS account is exactly
 * what the mail holds), and how a channel's attempt ends.
 */
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type { CaptchaVerdict } from "../../domain/errors"
import type { ContactForm } from "../../domain/form"
import type { SpamVerdict } from "../../domain/spam-verdict"

export interface ChannelSubmission {
  readonly id: string
  readonly form: string
  /** When the visitor sent it (ISO). */
  readonly receivedAt: string
  readonly contact: ContactForm
  readonly captcha: CaptchaVerdict
  /** An earlier attempt at this ISO time may have delivered it already (contract §7a). */
  readonly possibleDuplicate?: string
  /** Marked spam (contract §12): the webhook carries the verdict, Slack and Discord a mark. */
  readonly spam?: SpamVerdict
}

/**
 * What every failure carries: how many parts of the message were delivered in all (earlier
 * attempts' included), so that redelivery sends only the rest (contract §11), and the
 * socket's or the library's error beside the reason, for an operator (never a body).
 */
interface Failed {
  readonly reason: string
  readonly partsSent: number
  readonly cause?: unknown
}

/** Passing: worth another attempt later (408, 429, 5xx, a timeout, the network). */
export class ChannelTransient extends Data.TaggedError("ChannelTransient")<
  Failed & {
    /** The receiver's own hint (Retry-After, retry_after), in ms. */
    readonly retryAfterMs?: number
  }
> {}

/** Lasting: needs the owner (a 4xx, a redirect, a deleted webhook, a bad URL or secret). */
export class ChannelPermanent extends Data.TaggedError("ChannelPermanent")<Failed> {}

/**
 * The request left and no answer came: it may have been delivered (contract §7a). Only a
 * channel without deduplication has one (Slack, Discord); a webhook receiver deduplicates
 * by `webhook-id`, so its lost answer is merely transient.
 */
export class ChannelUnknown extends Data.TaggedError("ChannelUnknown")<
  Failed & {
    /** When the part whose answer was lost was sent (epoch ms). */
    readonly at: number
  }
> {}

export type ChannelFailure = ChannelTransient | ChannelPermanent | ChannelUnknown

/** The verdict as the mail's `Captcha:` line says it. */
export const verdictText = (verdict: CaptchaVerdict): string => {
  switch (verdict._tag) {
    case "Verified":
      return "verified"
    case "Disabled":
      return "disabled"
    case "Unverified":
      return `NOT verified (${verdict.reason})`
  }
}

/** One attempt at a channel (contract §11), as the fan-out and redelivery make it. */
export interface ChannelAttempt {
  /** Webhook: the configured URL; Slack and Discord: the URL read from its secret. */
  readonly url: string
  /** Webhook only: its `whsec_…` signing secret. */
  readonly signingSecret?: Redacted.Redacted<string>
  readonly submission: ChannelSubmission
  /** Parts delivered by earlier attempts (0 the first time). */
  readonly fromPart: number
  /** CHANNEL_TIMEOUT_MS: bounds this whole call, every part and wait included. */
  readonly timeoutMs: number
  /** CHANNEL_ALLOW_INSECURE: plain http to a loopback host is allowed (tests, local receivers). */
  readonly allowInsecure?: boolean
}

export interface ChannelDone {
  /** The parts of the whole message (those of earlier attempts included). */
  readonly parts: number
}

export type ChannelSend = (attempt: ChannelAttempt) => Effect.Effect<ChannelDone, ChannelFailure>
