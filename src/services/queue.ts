/**
 * QueueService: where a submission whose delivery failed is kept, to be delivered later
 * (contract §7). SQS (src/services/sqs.ts) on both runtimes, a spool directory
 * (src/services/spool.ts) on the server, or none: then a failed delivery is answered with
 * the fallback page alone.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type QueueUnanswered, QueueUnavailable } from "../domain/errors"
import { encodeItem, maxItemBytes, type QueueItem } from "../domain/item"

export interface QueueServiceApi {
  /** `false`: no queue is configured. */
  readonly enabled: boolean
  /**
   * Keeps the item, within QUEUE_TIMEOUT_MS, or says why not: refused (not kept), or never
   * answered (it may be kept: contract §7a).
   */
  readonly enqueue: (item: QueueItem) => Effect.Effect<void, QueueUnavailable | QueueUnanswered>
  /**
   * SQS only: hides a received message for `seconds` more (an unknown outcome's copy that is
   * not due yet, contract §7a), in the queue the ARN names.
   */
  readonly holdBack?: (
    queueArn: string,
    receiptHandle: string,
    seconds: number
  ) => Effect.Effect<void, QueueUnavailable | QueueUnanswered>
}

export class QueueService extends Context.Service<QueueService, QueueServiceApi>()(
  "contact-form/QueueService"
) {}

export const QueueDisabled = Layer.succeed(
  QueueService,
  QueueService.of({
    enabled: false,
    enqueue: () => Effect.fail(new QueueUnavailable({ problem: "unavailable" }))
  })
)

/** The item's JSON, or too_large: SQS refuses a message over 256 KiB, and the spool too. */
export const encodeWithinLimit = (item: QueueItem): Effect.Effect<string, QueueUnavailable> => {
  const body = encodeItem(item)
  return Buffer.byteLength(body, "utf8") > maxItemBytes
    ? Effect.fail(new QueueUnavailable({ problem: "too_large" }))
    : Effect.succeed(body)
}
