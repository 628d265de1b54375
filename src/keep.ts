/**
 * What the visitor is told once every channel was tried (contract §7, §7a, §11): each
 * failed channel kept as an item of its own, then one answer for all. Sent when one
 * delivered and every other is delivered or kept; queued when none delivered and all are
 * kept; kept when a permanent failure was kept and nothing delivered; unknown, or the 500
 * fallback, when a channel could be neither delivered nor kept.
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import { AppConfigTag } from "./config/app-config"
import type { Attempted } from "./delivery"
import type { ChannelKind } from "./domain/channels"
import { deliveryReason, isPermanent, unknownAt } from "./domain/delivery-failure"
import {
  type Accepted,
  type CaptchaVerdict,
  type DeliveryFailure,
  DeliveryNotKept
} from "./domain/errors"
import type { ContactForm } from "./domain/form"
import { queueItem } from "./domain/item"
import type { SpamVerdict } from "./domain/spam-verdict"
import { writeLine } from "./logging"
import { QueueService } from "./services/queue"

export interface AcceptedSubmission {
  readonly id: string
  readonly form: ContactForm
  readonly captcha: CaptchaVerdict
  /** The spam judgement as the owner is shown it (contract §12). */
  readonly spam?: SpamVerdict
}

/** One failed channel, once the queue had its say. */
type Settled =
  | { readonly _tag: "Kept"; readonly permanent: boolean; readonly reason: string }
  | { readonly _tag: "Unknown"; readonly reason: string }
  | { readonly _tag: "Lost"; readonly error: DeliveryFailure | DeliveryNotKept }

const keepOne = (
  attempt: Extract<Attempted, { delivered: false }>,
  submission: AcceptedSubmission,
  formId: string,
  receivedAt: Date
) =>
  Effect.gen(function* () {
    const queue = yield* QueueService
    const { failure } = attempt
    const reason = deliveryReason(failure)
    const at = unknownAt(failure)
    if (!queue.enabled) {
      return at === undefined
        ? ({ _tag: "Lost", error: failure } as const)
        : ({ _tag: "Unknown", reason } as const)
    }
    const permanent = isPermanent(failure)
    const item = queueItem({
      id: submission.id,
      form: formId,
      receivedAt,
      reason,
      permanent,
      contact: submission.form,
      captcha: submission.captcha,
      channel: attempt.channel,
      partsSent: attempt.partsSent,
      ...(submission.spam === undefined ? {} : { spam: submission.spam }),
      ...(at === undefined ? {} : { unknownAt: new Date(at) })
    })
    const stored = yield* Effect.result(queue.enqueue(item))
    if (Result.isFailure(stored)) {
      const problem = stored.failure
      // Never answered: the queue may hold it, so the visitor is never told "not kept".
      if (problem._tag === "QueueUnanswered")
        return { _tag: "Unknown", reason: `${reason}+queue_unanswered` } as const
      if (at !== undefined)
        return { _tag: "Unknown", reason: `${reason}+queue_${problem.problem}` } as const
      return {
        _tag: "Lost",
        error: new DeliveryNotKept({ delivery: failure, queue: problem })
      } as const
    }
    return { _tag: "Kept", permanent, reason } as const
  })

/** Each way a channel's attempt ends: its line's level and outcome, and what it counts. */
const channelLines = {
  delivered: { level: "Info", outcome: "channel_delivered", metric: "ChannelDelivered" },
  queued: { level: "Warning", outcome: "channel_queued", metric: "ChannelQueued" },
  kept: { level: "Warning", outcome: "channel_kept", metric: "ChannelQueued" },
  unknown: { level: "Warning", outcome: "channel_unknown", metric: "ChannelFailed" },
  failed: { level: "Error", outcome: "channel_failed", metric: "ChannelFailed" }
} as const

/** One line, and one count by its `Channel` dimension, for a channel other than mail. */
const channelLine = (attempt: Attempted, kept: Settled | undefined, id: string, form: string) =>
  AppConfigTag.use((config) => {
    const reason = attempt.delivered ? {} : { reason: deliveryReason(attempt.failure) }
    const line =
      kept === undefined
        ? channelLines.delivered
        : kept._tag === "Kept"
          ? kept.permanent
            ? channelLines.kept
            : channelLines.queued
          : kept._tag === "Unknown"
            ? channelLines.unknown
            : channelLines.failed
    return writeLine(
      {
        level: line.level,
        message: "channel",
        fields: { outcome: line.outcome, channel: attempt.channel, id, form, ...reason },
        metric: line.metric,
        dimensions: { Channel: attempt.channel }
      },
      config.metricsNamespace
    )
  })

/** The channels that delivered: a repeat after a 500 sends only the others (contract §11). */
export const deliveredOf = (attempts: ReadonlyArray<Attempted>): ReadonlyArray<ChannelKind> =>
  attempts.flatMap((a) => (a.delivered ? [a.channel] : []))

/** The answer for all channels' attempts, or the error of the first that was lost. */
export const settle = (
  attempts: ReadonlyArray<Attempted>,
  submission: AcceptedSubmission,
  formId: string,
  receivedAt: Date
): Effect.Effect<Accepted, DeliveryFailure | DeliveryNotKept, QueueService | AppConfigTag> =>
  Effect.gen(function* () {
    const about = { id: submission.id, captcha: submission.captcha }
    // Side by side, as the deliveries were: the request's budget holds one enqueue, not one
    // per channel (infra/timeouts.ts counts the longest branch).
    const outcomes = yield* Effect.forEach(
      attempts,
      (attempt) =>
        attempt.delivered
          ? Effect.succeed(undefined)
          : keepOne(attempt, submission, formId, receivedAt),
      // A form with one channel (most) forks nothing.
      { concurrency: attempts.length > 1 ? "unbounded" : 1 }
    )
    const settled: Array<Settled> = []
    for (const [i, attempt] of attempts.entries()) {
      const kept = outcomes[i]
      if (kept !== undefined) settled.push(kept)
      // Mail's outcome is the request's own line; each other channel gets one of its own.
      if (attempt.channel !== "mail") yield* channelLine(attempt, kept, submission.id, formId)
    }
    const lost = settled.find((s) => s._tag === "Lost")
    if (lost !== undefined) return yield* Effect.fail(lost.error)
    const unknown = settled.find((s) => s._tag === "Unknown")
    if (unknown !== undefined) return { _tag: "Unknown", ...about, reason: unknown.reason }
    // Every channel delivered (or had, on an earlier attempt: nothing was owed).
    if (settled.length < attempts.length || attempts.length === 0) return { _tag: "Sent", ...about }
    const kept = settled.flatMap((s) => (s._tag === "Kept" ? [s] : []))
    const permanent = kept.find((s) => s.permanent)
    const first = permanent ?? kept[0]
    return {
      _tag: permanent === undefined ? "Queued" : "Kept",
      ...about,
      reason: first?.reason ?? ""
    }
  })
