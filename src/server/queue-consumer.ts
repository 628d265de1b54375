/**
 * The server's SQS consumer (contract §7, QUEUE_URL with QUEUE_CONSUMER on): long polls
 * the queue and redelivers each message with the same code as the Lambda's `redeliver`,
 * deleting what went out. What fails stays, and SQS offers it again after its visibility
 * timeout (then, after its last receive, the dead-letter queue has it); an unknown
 * outcome's copy that is not due yet is hidden until it is (contract §7a). Stopping
 * waits for the message in hand.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { writeLine } from "../logging"
import { redeliverItem } from "../redelivery"
import { QueueService } from "../services/queue"
import { type ConsumerSettings, sqsConsumer } from "../services/sqs-consumer"

export const queueConsumer = (settings: ConsumerSettings & { readonly metricsNamespace: string }) =>
  Effect.gen(function* () {
    const queue = yield* sqsConsumer(settings)
    const pass = Effect.flatMap(queue.receive, (messages) =>
      Effect.forEach(messages, (message) =>
        redeliverItem(message.body).pipe(
          Effect.flatMap((result) => {
            if (result._tag === "Delivered") return queue.remove(message)
            // A marked copy in its place (contract §7a); the original goes once it is in.
            if (result._tag === "Unknown" || result._tag === "Progress") {
              return Effect.flatMap(QueueService, (q) => q.enqueue(result.item)).pipe(
                Effect.andThen(queue.remove(message))
              )
            }
            if (result._tag === "NotDue") {
              return Effect.flatMap(Clock.currentTimeMillis, (now) =>
                queue.holdBack(message, Math.ceil((result.dueAt - now) / 1_000))
              )
            }
            // Back after its visibility timeout, to be retried.
            return Effect.void
          }),
          Effect.uninterruptible
        )
      )
    ).pipe(
      // The queue unreachable: say so, wait a little, poll again.
      Effect.catchTags({
        QueueUnavailable: (e) => unavailable(`queue_${e.problem}`),
        QueueUnanswered: (e) => unavailable(`queue_unanswered_${e.what}`)
      })
    )
    const unavailable = (reason: string) =>
      writeLine(
        { level: "Warning", message: "queue unavailable", fields: { reason } },
        settings.metricsNamespace
      ).pipe(Effect.andThen(Effect.sleep(Duration.seconds(5))))
    yield* Effect.forever(pass)
  })
