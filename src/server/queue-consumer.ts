/**
 * The server's SQS consumer (SPEC section 7, QUEUE_URL with QUEUE_CONSUMER on): long polls
 * the queue and redelivers each message with the same code as the Lambda's `redeliver`,
 * deleting what went out. What fails stays, and SQS offers it again after its visibility
 * timeout (then, after its last receive, the dead-letter queue has it). Stopping waits for
 * the message in hand.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { writeLine } from "../logging"
import { redeliverItem } from "../redelivery"
import { QueueService } from "../services/queue"
import { type SqsSettings, sqsConsumer } from "../services/sqs"

export const queueConsumer = (settings: SqsSettings & { readonly metricsNamespace: string }) =>
  Effect.gen(function* () {
    const queue = yield* sqsConsumer(settings)
    const pass = Effect.flatMap(queue.receive, (messages) =>
      Effect.forEach(messages, (message) =>
        redeliverItem(message.body).pipe(
          Effect.flatMap((result) => {
            if (result._tag === "Delivered") return queue.remove(message)
            // A marked copy in its place (SPEC section 7a); the original goes once it is in.
            if (result._tag === "Unknown") {
              return Effect.flatMap(QueueService, (q) => q.enqueue(result.item)).pipe(
                Effect.zipRight(queue.remove(message))
              )
            }
            // Back after its visibility timeout: retried, or not due yet.
            return Effect.void
          }),
          Effect.uninterruptible
        )
      )
    ).pipe(
      // The queue unreachable: say so, wait a little, poll again.
      Effect.catchTag("QueueUnavailable", (e) =>
        writeLine(
          {
            level: "Warning",
            message: "queue unavailable",
            fields: { reason: `queue_${e.problem}` }
          },
          settings.metricsNamespace
        ).pipe(Effect.zipRight(Effect.sleep(Duration.seconds(5))))
      )
    )
    yield* Effect.forever(pass)
  })
