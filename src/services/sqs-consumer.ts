/**
 * The server's side of an SQS queue (contract §7, QUEUE_URL with QUEUE_CONSUMER on):
 * long polls (20 s, SQS's longest wait), deletes what was delivered, hides what is not due.
 * A message not deleted comes back after its visibility timeout.
 */
import * as Effect from "effect/Effect"
import type { SqsSettings } from "./sqs"
import { call, lazyClient, maxVisibilitySeconds } from "./sqs-client"

export interface ReceivedMessage {
  readonly body: string
  readonly receiptHandle: string
}

/** What one item may take, at most: the consumer hides a batch for as long as it needs. */
export interface ConsumerSettings extends SqsSettings {
  readonly itemSeconds: number
}

/** SQS hands out at most ten at a time. */
const batch = 10

export const sqsConsumer = (settings: ConsumerSettings) =>
  Effect.map(lazyClient(settings.region, settings.timeoutMs), (sqs) => ({
    /**
     * Each message received stays hidden while the batch is worked through one by one, so
     * that no other consumer receives it meanwhile (contract §7a): the queue's own
     * visibility timeout may be shorter than ten deliveries.
     */
    receive: Effect.flatMap(sqs, ({ client, sdk }) =>
      call(25_000, (abortSignal) =>
        client.send(
          new sdk.ReceiveMessageCommand({
            QueueUrl: settings.url,
            MaxNumberOfMessages: batch,
            WaitTimeSeconds: 20,
            VisibilityTimeout: Math.min(maxVisibilitySeconds, batch * settings.itemSeconds)
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
      ),
    /** Not due yet (an unknown outcome's copy): hidden until it is. */
    holdBack: (message: ReceivedMessage, seconds: number) =>
      Effect.flatMap(sqs, ({ client, sdk }) =>
        call(settings.timeoutMs, (abortSignal) =>
          client.send(
            new sdk.ChangeMessageVisibilityCommand({
              QueueUrl: settings.url,
              ReceiptHandle: message.receiptHandle,
              VisibilityTimeout: Math.min(maxVisibilitySeconds, Math.max(0, seconds))
            }),
            { abortSignal }
          )
        )
      )
  }))
