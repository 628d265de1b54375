/**
 * SQS events in, partial batch failures out (`ReportBatchItemFailures`, SPEC section 7):
 * SQS deletes what was delivered and retries only the items named, until the last receive
 * moves them to the dead-letter queue. One bad item never fails, or deletes, the batch.
 */
import * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"
import type { AppServices } from "../http/respond"
import { redeliverItem } from "../redelivery"
import { QueueService } from "../services/queue"

export interface SqsEvent {
  readonly Records?: ReadonlyArray<{ readonly messageId: string; readonly body?: string }>
}

export interface SqsBatchResponse {
  readonly batchItemFailures: ReadonlyArray<{ readonly itemIdentifier: string }>
}

export const makeSqsHandler = (runtime: Runtime.Runtime<AppServices>) => {
  const run = Runtime.runPromise(runtime)
  return async (event: SqsEvent, context?: { readonly awsRequestId?: string }) => {
    const records = event.Records ?? []
    // One at a time: the batch is small, and SES's sending rate is the limit anyway.
    const results = await run(
      Effect.forEach(records, (record) =>
        redeliverItem(record.body ?? "").pipe(
          // An SQS message cannot be changed: an unknown outcome is kept as a marked copy
          // (SPEC section 7a), and the original is deleted only once the copy is stored.
          Effect.flatMap((result) =>
            result._tag !== "Unknown"
              ? Effect.succeed(result._tag === "Delivered")
              : Effect.flatMap(QueueService, (queue) =>
                  queue.enqueue(result.item).pipe(
                    Effect.as(true),
                    Effect.catchTag("QueueUnavailable", () => Effect.succeed(false))
                  )
                )
          ),
          Effect.annotateLogs({
            requestId: context?.awsRequestId ?? record.messageId,
            messageId: record.messageId
          })
        )
      )
    )
    const response: SqsBatchResponse = {
      batchItemFailures: records.flatMap((record, i) =>
        results[i] === true ? [] : [{ itemIdentifier: record.messageId }]
      )
    }
    return response
  }
}
