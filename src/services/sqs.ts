/**
 * Amazon SQS as the queue: SendMessage for the flow, ReceiveMessage and DeleteMessage for
 * the server's consumer. The SDK is imported on the first call, never at cold start: only
 * a failed delivery needs it, and esbuild puts it in a chunk of its own.
 */
import type { SQSClient } from "@aws-sdk/client-sqs"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { QueueUnavailable } from "../domain/errors"
import type { QueueItem } from "../domain/item"
import { dueAt } from "../domain/item"
import { encodeWithinLimit, QueueService } from "./queue"

export interface SqsSettings {
  readonly url: string
  readonly timeoutMs: number
  readonly region: string | undefined
}

/** SQS holds a message back 15 minutes at most. */
const maxDelaySeconds = 900

/**
 * An unknown outcome's copy waits UNKNOWN_RETRY_MINUTES after its attempt (SPEC section 7a):
 * held back by SQS as far as it can; a consumer that still receives it early leaves it.
 */
const delaySeconds = (item: QueueItem, unknownRetryMinutes: number, now: number): number =>
  Math.min(
    maxDelaySeconds,
    Math.max(0, Math.ceil((dueAt(item, unknownRetryMinutes) - now) / 1_000))
  )

const problemOf = (error: unknown): QueueUnavailable["problem"] => {
  const name = error instanceof Error ? error.name : ""
  if (/Throttl|RequestThrottled|OverLimit/i.test(name)) return "throttled"
  if (/AccessDenied|InvalidClientTokenId|UnrecognizedClient/i.test(name)) return "denied"
  if (name === "AbortError") return "timeout"
  return "unavailable"
}

/** The SDK module and one client, loaded once, on first use; destroyed with the scope. */
const lazyClient = (region: string | undefined) =>
  Effect.gen(function* () {
    let created: SQSClient | undefined
    yield* Effect.addFinalizer(() => Effect.sync(() => created?.destroy()))
    return yield* Effect.cached(
      Effect.promise(() => import("@aws-sdk/client-sqs")).pipe(
        Effect.map((sdk) => {
          // Two attempts: the SDK's default three, with throttling backoff, can outlast
          // QUEUE_TIMEOUT_MS, which bounds them all anyway. AWS_ENDPOINT_URL_SQS is the SDK's.
          created = new sdk.SQSClient({
            ...(region === undefined ? {} : { region }),
            maxAttempts: 2
          })
          return { sdk, client: created }
        })
      )
    )
  })

/** One SQS call, refused after `timeoutMs`, its failure classified. */
const call = <A>(timeoutMs: number, send: (signal: AbortSignal) => Promise<A>) =>
  Effect.tryPromise({
    try: send,
    catch: (error) => new QueueUnavailable({ problem: problemOf(error) })
  }).pipe(
    Effect.timeoutFail({
      duration: Duration.millis(timeoutMs),
      onTimeout: () => new QueueUnavailable({ problem: "timeout" })
    })
  )

export const SqsQueue = (settings: SqsSettings & { readonly unknownRetryMinutes: number }) =>
  Layer.scoped(
    QueueService,
    Effect.gen(function* () {
      const sqs = yield* lazyClient(settings.region)
      return QueueService.of({
        enabled: true,
        enqueue: Effect.fn("QueueService.enqueue")(function* (item) {
          const body = yield* encodeWithinLimit(item)
          const { client, sdk } = yield* sqs
          const delay = delaySeconds(item, settings.unknownRetryMinutes, Date.now())
          yield* call(settings.timeoutMs, (abortSignal) =>
            client.send(
              new sdk.SendMessageCommand({
                QueueUrl: settings.url,
                MessageBody: body,
                ...(delay === 0 ? {} : { DelaySeconds: delay })
              }),
              { abortSignal }
            )
          )
        })
      })
    })
  )

export interface ReceivedMessage {
  readonly body: string
  readonly receiptHandle: string
}

/**
 * The server's side of the queue: long polls (20 s, SQS's longest wait) and deletes what
 * was delivered. A message not deleted comes back after its visibility timeout.
 */
export const sqsConsumer = (settings: SqsSettings) =>
  Effect.map(lazyClient(settings.region), (sqs) => ({
    receive: Effect.flatMap(sqs, ({ client, sdk }) =>
      call(25_000, (abortSignal) =>
        client.send(
          new sdk.ReceiveMessageCommand({
            QueueUrl: settings.url,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 20
          }),
          { abortSignal }
        )
      )
    ).pipe(
      Effect.map(
        (answer): ReadonlyArray<ReceivedMessage> =>
          (answer.Messages ?? []).flatMap((m) =>
            m.Body === undefined || m.ReceiptHandle === undefined
              ? []
              : [{ body: m.Body, receiptHandle: m.ReceiptHandle }]
          )
      )
    ),
    remove: (message: ReceivedMessage) =>
      Effect.flatMap(sqs, ({ client, sdk }) =>
        call(settings.timeoutMs, (abortSignal) =>
          client.send(
            new sdk.DeleteMessageCommand({
              QueueUrl: settings.url,
              ReceiptHandle: message.receiptHandle
            }),
            { abortSignal }
          )
        )
      )
  }))
