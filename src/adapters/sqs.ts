/**
 * SQS events in, partial batch failures out (`ReportBatchItemFailures`, contract §7):
 * SQS deletes what was delivered and retries only the items named, until the last receive
 * moves them to the dead-letter queue. One bad item never fails, or deletes, the batch.
 */
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { AppServices } from "../http/respond"
import { type Redelivery, redeliverItem } from "../redelivery"
import { QueueService } from "../services/queue"

export interface SqsRecord {
  readonly messageId: string
  readonly body?: string
  readonly receiptHandle?: string
  readonly eventSourceARN?: string
  /** FIFO queues: the record's group (each item is its own, contract §7a). */
  readonly attributes?: { readonly MessageGroupId?: string }
}

export interface SqsEvent {
  readonly Records?: ReadonlyArray<SqsRecord>
}

export interface SqsBatchResponse {
  readonly batchItemFailures: ReadonlyArray<{ readonly itemIdentifier: string }>
}

/**
 * What becomes of the record once its item was tried: deleted (true) or left to come back
 * (false). An unknown outcome is kept as a marked copy, the original deleted only once the
 * copy is stored (an SQS message cannot be changed); one not due yet is hidden until it is.
 */
const settle = (record: SqsRecord, result: Redelivery) =>
  Effect.gen(function* () {
    const queue = yield* QueueService
    switch (result._tag) {
      case "Delivered":
        return true
      case "Failed":
        return false
      case "Unknown":
      case "Progress":
        return yield* queue.enqueue(result.item).pipe(
          Effect.as(true),
          Effect.catchTags({
            QueueUnavailable: () => Effect.succeed(false),
            QueueUnanswered: () => Effect.succeed(false)
          })
        )
      case "NotDue": {
        const { eventSourceARN: arn, receiptHandle } = record
        if (queue.holdBack === undefined || arn === undefined || receiptHandle === undefined) {
          return false
        }
        const seconds = Math.ceil((result.dueAt - (yield* Clock.currentTimeMillis)) / 1_000)
        // Not hidden after all: it comes back after the visibility timeout, still not due.
        yield* queue.holdBack(arn, receiptHandle, seconds).pipe(Effect.ignore)
        return false
      }
    }
  })

export const makeSqsHandler = (services: Context.Context<AppServices>) => {
  const run = Effect.runPromiseWith(services)
  return async (event: SqsEvent, context?: { readonly awsRequestId?: string }) => {
    const records = event.Records ?? []
    // One at a time: the batch is small, and SES's sending rate is the limit anyway. In a
    // FIFO queue a record that failed fails the later ones of its group unprocessed (they
    // must not overtake it); each item being its own group, no other item waits for it.
    const failedGroups = new Set<string>()
    const results = await run(
      Effect.forEach(records, (record) => {
        const group = record.attributes?.MessageGroupId
        if (group !== undefined && failedGroups.has(group)) return Effect.succeed(false)
        return redeliverItem(record.body ?? "").pipe(
          Effect.flatMap((result) => settle(record, result)),
          Effect.tap((deleted) =>
            Effect.sync(() => {
              if (!deleted && group !== undefined) failedGroups.add(group)
            })
          ),
          Effect.annotateLogs({
            requestId: context?.awsRequestId ?? record.messageId,
            messageId: record.messageId
          })
        )
      })
    )
    const response: SqsBatchResponse = {
      batchItemFailures: records.flatMap((record, i) =>
        results[i] === true ? [] : [{ itemIdentifier: record.messageId }]
      )
    }
    return response
  }
}
