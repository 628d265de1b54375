/**
 * A spam verdict as it travels (contract §12): in the queue item, so that a redelivered
 * message is marked as its first attempt would have been, and as the mail shows it to the
 * owner. Only Effect's Schema is imported here, so the domain can take this file as it is.
 */
import * as Schema from "effect/Schema"

/**
 * The score and the names of the signals that fired, in the table's order. Names are
 * checked to be signal-shaped, since they are written into a mail header.
 */
export const SpamVerdict = Schema.Struct({
  score: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  reasons: Schema.Array(Schema.String.check(Schema.isPattern(/^[a-z][a-z0-9_]{0,39}$/)))
})
export type SpamVerdict = typeof SpamVerdict.Type

/** Put right after SUBJECT_PREFIX: `[Contact] [Spam?] [unverified] Question`. */
export const SPAM_SUBJECT_MARKER = "[Spam?] "

/** The header for the owner's mail filter. */
export const SPAM_HEADER = "X-Contact-Spam"

/** `score=7; reasons=links,fast_submit` */
export const spamHeaderValue = (verdict: SpamVerdict): string =>
  `score=${verdict.score}; reasons=${verdict.reasons.join(",")}`

/** The footer's line, before `Captcha:`: `Spam: score 7 (links, fast_submit)`. */
export const spamFooterLine = (verdict: SpamVerdict): string =>
  verdict.reasons.length === 0
    ? `Spam: score ${verdict.score}`
    : `Spam: score ${verdict.score} (${verdict.reasons.join(", ")})`
