/**
 * What retries the queue from the server's own process (contract §7): the spool loop
 * with SPOOL_DIR, the SQS consumer with QUEUE_URL (unless QUEUE_CONSUMER=off: another
 * consumer, such as the Lambda's, has it), or nothing.
 */
import * as Effect from "effect/Effect"
import type { AppConfig, AppConfigTag } from "../config/app-config"
import type { ChannelsService } from "../services/channels"
import type { MailService } from "../services/mail"
import type { QueueService } from "../services/queue"

import { queueConsumer } from "./queue-consumer"
import { spoolLoop } from "./spool-loop"

/**
 * What redelivering one item may take: the secret, the delivery (mail's or a channel's
 * bound, an item being one channel's), the secret again after a 535, the enqueue of a
 * marked copy, and a few seconds to decode and log.
 */
const itemSeconds = (config: AppConfig, queueTimeoutMs: number): number =>
  Math.ceil(
    (2 * config.secrets.timeoutMs +
      Math.max(config.smtp.timeoutMs, config.channels.timeoutMs) +
      queueTimeoutMs) /
      1_000
  ) + 5

/** What retries the queue from this process: the spool loop, or the SQS consumer. */
export const redelivery = (
  config: AppConfig
): Effect.Effect<void, never, AppConfigTag | MailService | ChannelsService | QueueService> => {
  const { queue } = config
  if (queue.kind === "spool") {
    return spoolLoop({
      ...queue,
      metricsNamespace: config.metricsNamespace,
      unknownRetryMinutes: config.unknownRetryMinutes
    })
  }
  if (queue.kind === "sqs" && queue.consume) {
    return Effect.scoped(
      queueConsumer({
        url: queue.url,
        timeoutMs: queue.timeoutMs,
        region: config.secrets.region,
        metricsNamespace: config.metricsNamespace,
        itemSeconds: itemSeconds(config, queue.timeoutMs)
      })
    )
  }
  return Effect.void
}
