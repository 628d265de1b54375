/**
 * Redelivery (SPEC section 7): a queued item becomes the mail it would have been, composed
 * with its form's configuration in force now (so a fixed MAIL_TO reaches the new owner), with one
 * more footer line, and goes out through the same delivery step as the form flow. Used by
 * the Lambda's `redeliver` (SQS events), the server's spool loop and its SQS consumer.
 */
import * as Effect from "effect/Effect"
import { AppConfigTag } from "./config/app-config"
import { deliver } from "./delivery"
import { deliveryReason } from "./domain/errors"
import { decodeItem, itemForm } from "./domain/item"
import { composeMail } from "./domain/mail"
import { writeLine } from "./logging"

export type Redelivery = "delivered" | "failed"

/**
 * One item, from its JSON: delivered, or failed (to be retried). One log line each, with
 * the item's id and form and never its content; a body that is not an item is an error.
 */
export const redeliverItem = (body: string) =>
  Effect.gen(function* () {
    const config = yield* AppConfigTag
    const log = (
      level: "Info" | "Warning" | "Error",
      fields: Readonly<Record<string, string>>,
      delivered: boolean
    ) =>
      writeLine(
        {
          level,
          message: "redelivery",
          fields: { outcome: delivered ? "redelivered" : "redelivery_failed", ...fields },
          metric: delivered ? "Redelivered" : "RedeliveryFailed"
        },
        config.metricsNamespace
      )
    const item = decodeItem(body)
    if (item === undefined) {
      yield* log("Error", { reason: "invalid_item" }, false)
      return "failed" satisfies Redelivery
    }
    // The form's settings of now (SPEC section 10): a form since removed cannot be sent;
    // the item stays for the owner (the dead-letter queue, or the spool's dead/).
    const form = config.forms.get(item.form)
    if (form === undefined) {
      yield* log("Error", { reason: "unknown_form", id: item.id, form: item.form }, false)
      return "failed" satisfies Redelivery
    }
    const mail = composeMail(form, {
      id: item.id,
      form: itemForm(item),
      captcha: item.captcha,
      late: { receivedAt: item.receivedAt, reason: item.reason }
    })
    const sent = yield* Effect.either(deliver(mail))
    const about = { id: item.id, form: item.form }
    if (sent._tag === "Right") {
      yield* log("Info", about, true)
      return "delivered" satisfies Redelivery
    }
    yield* log("Warning", { ...about, reason: deliveryReason(sent.left) }, false)
    return "failed" satisfies Redelivery
  })
