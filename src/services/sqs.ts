/**
 * Amazon SQS as the queue (contract §7 and §7a): SendMessage for the flow, and what a
 * consumer does to a received message. The SDK is imported on the first call, never at
 * cold start: only a failed delivery needs it, and esbuild puts it in a chunk of its own.
 *
 * A FIFO queue (its URL ends in `.fifo`) makes an enqueue idempotent: each item is a message
 * group of its own (a submission's, per channel), deduplicated by `<submission id>:<channel>:
 * <copy>`, so a retry after a lost answer never stores a second copy. To a standard queue a lost answer is not retried: the item
 * may be stored (the visitor hears the unknown answer), and a retry could store it twice.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { QueueUnanswered, type QueueUnavailable } from "../domain/errors"
import { channelOf, copyOf, dueAt, type QueueItem } from "../domain/item"
import { encodeWithinLimit, QueueService } from "./queue"
import { call, classify, lazyClient, maxVisibilitySeconds, queueUrlOf } from "./sqs-client"

export interface SqsSettings {
  readonly url: string
  readonly timeoutMs: number
  readonly region: string | undefined
}

export const isFifo = (url: string): boolean => url.endsWith(".fifo")

/** SQS holds a message back 15 minutes at most. */
const maxDelaySeconds = 900

/**
 * An unknown outcome's copy waits UNKNOWN_RETRY_MINUTES after its attempt (contract §7a):
 * a standard queue holds it back as far as it can; a FIFO queue cannot delay one message,
 * and its consumer hides the copy until it is due (`holdBack`).
 */
const delaySeconds = (item: QueueItem, unknownRetryMinutes: number, now: number): number =>
  Math.min(
    maxDelaySeconds,
    Math.max(0, Math.ceil((dueAt(item, unknownRetryMinutes) - now) / 1_000))
  )

/** Backed off, while QUEUE_TIMEOUT_MS lasts. */
const enqueueBackoff = Schedule.exponential(Duration.millis(100), 2)

/**
 * SendMessage within `timeoutMs` (contract §7a). A refusal is tried again while time is
 * left; an attempt that was never answered only when the queue deduplicates it (FIFO: the
 * same deduplication id), since to a standard queue it may be a second copy. Time running
 * out while an attempt is out is unanswered (it may be stored); during the backoff after a
 * refusal, that refusal.
 */
const enqueueOnce = <A>(
  timeoutMs: number,
  fifo: boolean,
  send: (signal: AbortSignal) => Promise<A>
): Effect.Effect<void, QueueUnavailable | QueueUnanswered> =>
  Effect.suspend(() => {
    // Set when an attempt is sent, cleared only by its answer: an interrupted one stays out.
    let out = false
    let refused: QueueUnavailable | undefined
    const attempt = Effect.tryPromise({
      try: (signal) => {
        out = true
        return send(signal)
      },
      catch: (error) => {
        out = false
        const failure = classify(error)
        if (failure._tag === "QueueUnavailable") refused = failure
        return failure
      }
    })
    return attempt.pipe(
      // Two more attempts at most.
      Effect.retry({
        schedule: enqueueBackoff,
        times: 2,
        while: (e) =>
          e._tag === "QueueUnanswered" ? fifo : e.problem !== "denied" && e.problem !== "too_large"
      }),
      Effect.timeoutOrElse({
        duration: Duration.millis(timeoutMs),
        orElse: () =>
          Effect.fail(
            out || refused === undefined ? new QueueUnanswered({ what: "timeout" }) : refused
          )
      }),
      Effect.asVoid
    )
  })

export const SqsQueue = (settings: SqsSettings & { readonly unknownRetryMinutes: number }) =>
  Layer.effect(
    QueueService,
    Effect.gen(function* () {
      const sqs = yield* lazyClient(settings.region, settings.timeoutMs)
      const fifo = isFifo(settings.url)
      return QueueService.of({
        enabled: true,
        enqueue: Effect.fn("QueueService.enqueue")(function* (item) {
          const body = yield* encodeWithinLimit(item)
          const { client, sdk } = yield* sqs
          const delay = fifo ? 0 : delaySeconds(item, settings.unknownRetryMinutes, Date.now())
          yield* enqueueOnce(settings.timeoutMs, fifo, (abortSignal) =>
            client.send(
              new sdk.SendMessageCommand({
                QueueUrl: settings.url,
                MessageBody: body,
                ...(fifo
                  ? {
                      // A group per channel: a channel that keeps failing holds up no other.
                      MessageGroupId: `${item.id}:${channelOf(item)}`,
                      MessageDeduplicationId: `${item.id}:${channelOf(item)}:${copyOf(item)}`
                    }
                  : {}),
                ...(delay === 0 ? {} : { DelaySeconds: delay })
              }),
              { abortSignal }
            )
          )
        }),
        holdBack: (queueArn, receiptHandle, seconds) =>
          Effect.flatMap(sqs, ({ client, sdk }) =>
            call(settings.timeoutMs, (abortSignal) =>
              client.send(
                new sdk.ChangeMessageVisibilityCommand({
                  QueueUrl: queueUrlOf(settings.url, queueArn),
                  ReceiptHandle: receiptHandle,
                  VisibilityTimeout: Math.min(maxVisibilitySeconds, Math.max(0, seconds))
                }),
                { abortSignal }
              )
            )
          ).pipe(Effect.asVoid)
      })
    })
  )
