/**
 * The signed webhook (contract §11), per the Standard Webhooks specification through its
 * reference library: `webhook-id` is the submission's id and the channel, the same on every
 * attempt so that a receiver deduplicates; `webhook-timestamp` is each attempt's own time
 * (receivers refuse stamps older than five minutes); `webhook-signature` signs both with the
 * body. One part always; a lost answer is merely transient, the receiver deduplicating.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { Webhook } from "standardwebhooks"
import { sendParts } from "./deliver"
import { retryAfterMs } from "./post"
import { checkedUrl } from "./receiver"
import {
  type ChannelAttempt,
  ChannelPermanent,
  type ChannelSend,
  type ChannelSubmission
} from "./submission"
import { webhookPayload } from "./webhook-payload"

/** `whsec_` and the key in base64, as the specification writes a secret. */
const secretPattern = /^whsec_(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** The signer for `secret`, or `undefined` when it is not a `whsec_…` base64 key. */
export const signerOf = (secret: Redacted.Redacted<string> | undefined): Webhook | undefined => {
  const value = secret === undefined ? "" : Redacted.value(secret)
  if (!secretPattern.test(value) || value === "whsec_") return undefined
  try {
    return new Webhook(value)
  } catch {
    return undefined
  }
}

/** The same on every attempt at this submission's webhook. */
export const webhookId = (submission: ChannelSubmission) => `${submission.id}:webhook`

/** The body and the three headers of an attempt made at `now` (epoch ms). */
export const signedDelivery = (signer: Webhook, submission: ChannelSubmission, now: number) => {
  const at = new Date(now)
  const body = JSON.stringify(webhookPayload(submission, at))
  const id = webhookId(submission)
  return {
    body,
    headers: {
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(now / 1000)),
      "webhook-signature": signer.sign(id, at, body)
    }
  }
}

export const webhookSend: ChannelSend = Effect.fn("WebhookChannel.send")(function* (
  attempt: ChannelAttempt
) {
  const signer = signerOf(attempt.signingSecret)
  if (signer === undefined) {
    return yield* Effect.fail(
      new ChannelPermanent({ reason: "webhook_secret_invalid", partsSent: attempt.fromPart })
    )
  }
  const url = yield* checkedUrl(attempt)
  return yield* sendParts({
    parts: 1,
    fromPart: attempt.fromPart,
    timeoutMs: attempt.timeoutMs,
    request: (_, now) => ({ url, ...signedDelivery(signer, attempt.submission, now) }),
    lostAnswer: "transient",
    retryHint: (answer, now) => retryAfterMs(answer.retryAfter, now)
  })
})
