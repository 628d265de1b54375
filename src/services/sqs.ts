/**
 * Amazon SQS as the queue (SPEC sections 7 and 7a): SendMessage for the flow, and what a
 * consumer does to a received message. The SDK is imported on the first call, never at
 * cold start: only a failed delivery needs it, and esbuild puts it in a chunk of its own.
 *
 * A FIFO queue (its URL ends in `.fifo`) makes an enqueue idempotent: each item is its own
 * message group, deduplicated by `<submission id>:<copy>`, so a retry after a lost answer
 * never stores a second copy. A standard queue works as before, but a lost answer retried
 * can store one twice (said at start, src/config/queue.ts).
 */
import type { SQSClient } from "@aws-sdk/client-sqs"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { QueueUnanswered, QueueUnavailable } from "../domain/errors"
import { copyOf, dueAt, type QueueItem } from "../domain/item"
import { encodeWithinLimit, QueueService } from "./queue"

export interface SqsSettings {
  readonly url: string
  readonly timeoutMs: number
  readonly region: string | undefined
}

export const isFifo = (url: string): boolean => url.endsWith(".fifo")

/** SQS holds a message back 15 minutes at most, and hides a received one 12 hours. */
const maxDelaySeconds = 900
export const maxVisibilitySeconds = 43_200

/**
 * An unknown outcome's copy waits UNKNOWN_RETRY_MINUTES after its attempt (SPEC section 7a):
 * a standard queue holds it back as far as it can; a FIFO queue cannot delay one message,
 * and its consumer hides the copy until it is due (`holdBack`).
 */
const delaySeconds = (item: QueueItem, unknownRetryMinutes: number, now: number): number =>
  Math.min(
    maxDelaySeconds,
    Math.max(0, Math.ceil((dueAt(item, unknownRetryMinutes) - now) / 1_000))
  )

interface SdkError {
  readonly name?: string
  readonly code?: string
  readonly message?: string
  readonly $metadata?: { readonly httpStatusCode?: number }
}

/** The request never left: nothing can have been stored. */
const notConnected = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"])

/** SQS answered (refused: not kept), or the request never left; otherwise it may be kept. */
const classify = (error: unknown): QueueUnavailable | QueueUnanswered => {
  const {
    $metadata,
    code = "",
    message = "",
    name = ""
  } = typeof error === "object" && error !== null ? (error as SdkError) : {}
  if ($metadata?.httpStatusCode !== undefined) {
    if (/Throttl|RequestThrottled|OverLimit/i.test(name)) {
      return new QueueUnavailable({ problem: "throttled" })
    }
    if (/AccessDenied|InvalidClientTokenId|UnrecognizedClient/i.test(name)) {
      return new QueueUnavailable({ problem: "denied" })
    }
    return new QueueUnavailable({ problem: "unavailable" })
  }
  if (notConnected.has(code) || /establish a connection/.test(message)) {
    return new QueueUnavailable({ problem: "unavailable" })
  }
  const dropped = code === "ECONNRESET" || code === "EPIPE"
  return new QueueUnanswered({ what: dropped ? "connection" : "timeout" })
}

/** The SDK module and one client, loaded once, on first use; destroyed with the scope. */
export const lazyClient = (region: string | undefined, timeoutMs: number) =>
  Effect.gen(function* () {
    let created: SQSClient | undefined
    yield* Effect.addFinalizer(() => Effect.sync(() => created?.destroy()))
    return yield* Effect.cached(
      Effect.promise(() => import("@aws-sdk/client-sqs")).pipe(
        Effect.map((sdk) => {
          // Three attempts within QUEUE_TIMEOUT_MS, which bounds them all: to a FIFO queue a
          // retry carries the same deduplication id, so a lost answer retried is one message.
          // AWS_ENDPOINT_URL_SQS is the SDK's own.
          const step = Math.max(500, Math.floor(timeoutMs / 3))
          created = new sdk.SQSClient({
            ...(region === undefined ? {} : { region }),
            maxAttempts: 3,
            requestHandler: { connectionTimeout: step, requestTimeout: step }
          })
          return { sdk, client: created }
        })
      )
    )
  })

/** One SQS call, unanswered after `timeoutMs`, its failure classified. */
export const call = <A>(timeoutMs: number, send: (signal: AbortSignal) => Promise<A>) =>
  Effect.tryPromise({ try: send, catch: classify }).pipe(
    Effect.timeoutFail({
      duration: Duration.millis(timeoutMs),
      onTimeout: () => new QueueUnanswered({ what: "timeout" })
    })
  )

/** A queue's URL from its ARN, at the configured queue's endpoint (its host, or the test's). */
export const queueUrlOf = (configuredUrl: string, queueArn: string): string => {
  const [, , , , account, name] = queueArn.split(":")
  return `${new URL(configuredUrl).origin}/${account}/${name}`
}

export const SqsQueue = (settings: SqsSettings & { readonly unknownRetryMinutes: number }) =>
  Layer.scoped(
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
          yield* call(settings.timeoutMs, (abortSignal) =>
            client.send(
              new sdk.SendMessageCommand({
                QueueUrl: settings.url,
                MessageBody: body,
                ...(fifo
                  ? {
                      MessageGroupId: item.id,
                      MessageDeduplicationId: `${item.id}:${copyOf(item)}`
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
