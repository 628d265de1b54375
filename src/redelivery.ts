/**
 * Redelivery (contract §7): a queued item becomes the mail it would have been, composed
 * with its form's configuration in force now (so a fixed MAIL_TO reaches the new owner), with one
 * more footer line, and goes out through the same delivery step as the form flow. Used by
 * the Lambda's `redeliver` (SQS events), the server's spool loop and its SQS consumer.
 * An item whose earlier attempt may have arrived (contract §7a) waits
 * UNKNOWN_RETRY_MINUTES after that attempt, and goes out marked a possible duplicate.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { AppConfigTag } from "./config/app-config"
import { deliveryReason, unknownAt } from "./domain/delivery-failure"
import type { DeliveryFailure } from "./domain/errors"
import {
  channelOf,
  copyOf,
  decodeItem,
  dueAt,
  encodeItem,
  itemForm,
  type QueueItem
} from "./domain/item"
import { composeMail } from "./domain/mail"
import { writeLine } from "./logging"
import { ChannelsService } from "./services/channels"
import { deliver, type MailService } from "./services/mail"

/**
 * What became of one item: delivered; failed (to be retried); not due yet (an unknown
 * outcome's wait, until `dueAt`, epoch ms); or unknown again, `item` being the item to keep
 * in its place, marked with this attempt's time.
 */
export type Redelivery =
  | { readonly _tag: "Delivered" }
  | { readonly _tag: "Failed" }
  | { readonly _tag: "NotDue"; readonly dueAt: number }
  | { readonly _tag: "Unknown"; readonly item: QueueItem; readonly body: string }
  /** Some parts of a long message arrived: `item`, owing only the rest, goes in its place. */
  | { readonly _tag: "Progress"; readonly item: QueueItem; readonly body: string }

const delivered: Redelivery = { _tag: "Delivered" }
const failed: Redelivery = { _tag: "Failed" }
const notDue = (at: number): Redelivery => ({ _tag: "NotDue", dueAt: at })
const unknownAgain = (item: QueueItem): Redelivery => ({
  _tag: "Unknown",
  item,
  body: encodeItem(item)
})

/** The copy kept in `item`'s place: the next copy, without the ended attempt's time. */
const nextCopy = (item: QueueItem, changes: Partial<QueueItem>): QueueItem => {
  const { attemptAt: _, ...rest } = item
  return { ...rest, ...changes, copy: copyOf(item) + 1 }
}

/**
 * One item, from its JSON. One log line for each attempt, with the item's id and form and
 * never its content; a body that is not an item is an error.
 */
export const redeliverItem = (body: string) =>
  Effect.gen(function* () {
    const config = yield* AppConfigTag
    const log = (
      level: "Info" | "Warning" | "Error",
      outcome: "redelivered" | "redelivery_failed" | "redelivery_unknown",
      fields: Readonly<Record<string, string>>
    ) =>
      writeLine(
        {
          level,
          message: "redelivery",
          fields: { outcome, ...fields },
          metric:
            outcome === "redelivered"
              ? "Redelivered"
              : outcome === "redelivery_failed"
                ? "RedeliveryFailed"
                : "DeliveryUnknown"
        },
        config.metricsNamespace
      )
    const item = decodeItem(body)
    if (item === undefined) {
      yield* log("Error", "redelivery_failed", { reason: "invalid_item" })
      return failed
    }
    const about = { id: item.id, form: item.form }
    const due = dueAt(item, config.unknownRetryMinutes)
    if ((yield* Clock.currentTimeMillis) < due) return notDue(due)
    // The form's settings of now (contract §10): a form since removed cannot be sent;
    // the item stays for the owner (the dead-letter queue, or the spool's dead/).
    const form = config.forms.get(item.form)
    if (form === undefined) {
      yield* log("Error", "redelivery_failed", { reason: "unknown_form", ...about })
      return failed
    }
    // Contract §11: the one channel this item is owed, from the parts not yet delivered.
    const owed = channelOf(item)
    const channel = form.channels.find((c) => c.kind === owed)
    if (channel === undefined) {
      yield* log("Error", "redelivery_failed", { reason: "channel_removed", ...about })
      return failed
    }
    // Marked as the first attempt was, by the form's threshold of now.
    const marked = item.spam !== undefined && item.spam.score >= form.spam.threshold
    const attempt: Effect.Effect<void, DeliveryFailure, MailService | ChannelsService> =
      channel.kind === "mail"
        ? deliver(
            composeMail(form, {
              id: item.id,
              form: itemForm(item),
              captcha: item.captcha,
              ...(item.spam === undefined ? {} : { spam: { verdict: item.spam, marked } }),
              late: {
                receivedAt: item.receivedAt,
                reason: item.reason,
                ...(item.unknownAt === undefined ? {} : { unknownAt: item.unknownAt })
              }
            })
          )
        : ChannelsService.use((channels) =>
            channels.deliver(
              channel,
              {
                id: item.id,
                form: item.form,
                receivedAt: item.receivedAt,
                contact: itemForm(item),
                captcha: item.captcha,
                ...(marked && item.spam !== undefined ? { spam: item.spam } : {}),
                ...(item.unknownAt === undefined ? {} : { possibleDuplicate: item.unknownAt })
              },
              item.partsSent ?? 0
            )
          )
    const sent = yield* Effect.result(attempt)
    if (sent._tag === "Success") {
      yield* log("Info", "redelivered", about)
      return delivered
    }
    const reason = deliveryReason(sent.failure)
    const partsSent = sent.failure._tag === "ChannelFailed" ? sent.failure.partsSent : 0
    const progressed = partsSent > (item.partsSent ?? 0) ? { partsSent } : {}
    const at = unknownAt(sent.failure)
    if (at !== undefined) {
      // Kept marked with this attempt's time, never sent again before UNKNOWN_RETRY_MINUTES
      // after it (contract §7a).
      yield* log("Warning", "redelivery_unknown", { ...about, reason })
      return unknownAgain(nextCopy(item, { ...progressed, unknownAt: new Date(at).toISOString() }))
    }
    yield* log("Warning", "redelivery_failed", { ...about, reason })
    if (progressed.partsSent === undefined) return failed
    const next = nextCopy(item, progressed)
    const progress: Redelivery = { _tag: "Progress", item: next, body: encodeItem(next) }
    return progress
  })
