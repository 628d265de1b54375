/**
 * The first half of THE table (contract §3): every outcome of a submission that went
 * through, and its answer. The typed failures are the other half (./answers.ts). An outcome
 * that is not in the table does not compile.
 */
import * as Match from "effect/Match"
import type { CaptchaVerdict, Outcome } from "../domain/errors"
import { type Answer, accepted, submission } from "./answer"

const captchaField = (verdict: CaptchaVerdict): string =>
  verdict._tag === "Unverified" ? `unverified:${verdict.reason}` : verdict._tag.toLowerCase()

const firstOutcome = {
  Sent: "sent",
  Queued: "queued",
  Kept: "kept",
  Unknown: "delivery_unknown"
} as const

/**
 * contract §7a: the relay may have the message and nothing could keep it. The page says
 * it has probably arrived; a plain mailto (no second copy invited), the text on the page.
 */
export const unknown = (reason: string, id?: string): Answer => ({
  _tag: "Refused",
  status: 500,
  page: "delivery_unknown",
  error: "delivery_unknown",
  fallback: true,
  log: submission(
    "Error",
    { outcome: "delivery_unknown", reason, ...(id === undefined ? {} : { id }) },
    "DeliveryUnknown"
  )
})

const duplicateOf = (first: string, id: string) =>
  submission("Info", { outcome: "duplicate", first, id })

const outcomes: {
  readonly [K in Outcome["_tag"]]: (o: Extract<Outcome, { _tag: K }>) => Answer
} = {
  Sent: (o) =>
    o.spamDropped !== undefined
      ? // Answered exactly as sent (contract §12); only the log and the count know.
        accepted(
          submission(
            "Info",
            {
              outcome: "spam_dropped",
              id: o.id,
              score: o.spamDropped.score,
              reasons: o.spamDropped.reasons.join(",")
            },
            "SpamDropped"
          )
        )
      : accepted(
          submission(
            // Sent without the captcha's word (it was down: fail open): worth a look.
            o.captcha._tag === "Unverified" ? "Warning" : "Info",
            { outcome: "sent", id: o.id, captcha: captchaField(o.captcha) },
            "Sent"
          )
        ),
  Honeypot: () => accepted(submission("Info", { outcome: "honeypot" })),
  Queued: (o) =>
    accepted(
      submission(
        "Warning",
        { outcome: "queued", reason: o.reason, id: o.id, captcha: captchaField(o.captcha) },
        "Queued"
      ),
      true
    ),
  Kept: (o) => ({
    _tag: "Refused",
    status: 500,
    page: "delivery_kept",
    error: "delivery_failed",
    kept: true,
    // A plain mailto: the message will arrive, the page says so; no second copy invited.
    fallback: true,
    log: submission(
      "Error",
      { outcome: "delivery_failed", kept: true, reason: o.reason, id: o.id },
      "Kept"
    )
  }),
  Unknown: (o) => unknown(o.reason, o.id),
  // The first one is still on its way (another process): it ends in its own outcome.
  InFlight: (o) => ({ ...unknown("", o.id), log: duplicateOf("in_flight", o.id) }),
  // Answered as the first one was, in this request's mode and language; nothing was sent,
  // so nothing is counted (the first one's line has the metric).
  Duplicate: (o) => ({
    ...answerForOutcome(o.first),
    log: duplicateOf(firstOutcome[o.first._tag], o.first.id)
  })
}

export const answerForOutcome = (outcome: Outcome): Answer => Match.valueTags(outcome, outcomes)
