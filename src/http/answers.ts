/**
 * THE table (contract §3): every outcome of a submission and every typed failure of a
 * request or of the flow, and its answer: the status, the page, the JSON, the log line.
 * The status of each lives here and nowhere else; an outcome or an error type that is not
 * in the table does not compile.
 */
import * as Match from "effect/Match"
import { deliveryReason } from "../domain/delivery-failure"
import type { FlowError } from "../domain/errors"
import { isKnownField } from "../domain/fields"
import {
  type Answer,
  delivery,
  notASubmission,
  type RequestLogLine,
  refused,
  refusedSubmission,
  submission
} from "./answer"
import { allowedMethods } from "./headers"
import { unknown } from "./outcomes"
import type { RequestFailure } from "./request"

export type Failure = FlowError | RequestFailure

export { answerForOutcome } from "./outcomes"

/** A bug of ours, not a typed failure: the fallback page all the same. */
export const defectAnswer = delivery("defect")

/** The log line of a request refused that is no submission. */
const requestLog = (
  level: RequestLogLine["level"],
  status: number,
  reason: string
): RequestLogLine => ({
  level,
  message: "request refused",
  fields: { status, reason }
})

const loggedField = (field: string) => (field === "_body" || isKnownField(field) ? field : "extra")

const failures: {
  readonly [K in Failure["_tag"]]: (e: Extract<Failure, { _tag: K }>) => Answer
} = {
  OriginNotAllowed: () => notASubmission(403, "origin_not_allowed", "origin"),
  MethodNotAllowed: (e) => ({
    ...notASubmission(405, "method_not_allowed", "method"),
    headers: { allow: e.allow ?? allowedMethods }
  }),
  UnsupportedMediaType: () => refusedSubmission(415, "unsupported_media_type", "media_type"),
  PayloadTooLarge: () => refusedSubmission(413, "payload_too_large", "too_large"),
  BodyUnreadable: (e) =>
    refusedSubmission(400, "invalid_form", "body_unreadable", { issues: e.issues }),
  FormInvalid: (e) =>
    refusedSubmission(
      400,
      "invalid_form",
      // An extra field's name is the visitor's own text (contract §6): logged as `extra`.
      `fields:${e.issues.map((i) => `${loggedField(i.field)}=${i.code}`).join(",")}`,
      { issues: e.issues }
    ),
  CaptchaRejected: (e) => refusedSubmission(400, "captcha_failed", `captcha_${e.reason}`),
  // Most likely arrived already; the visitor keeps their text and a prefilled mailto.
  AlreadyReceived: (e) => ({
    ...refused(
      409,
      "already_received",
      submission("Info", {
        status: 409,
        reason: `captcha_${e.reason}`,
        outcome: "already_received"
      })
    ),
    fallback: true,
    prefill: true
  }),
  // The body was not read: the fallback contact without the visitor's text. The address
  // is in no log line (contract §6).
  RateLimited: (e) => ({
    ...refused(
      429,
      "rate_limited",
      submission("Info", { status: 429, reason: "rate_limit", outcome: "rate_limited" }),
      { headers: { "retry-after": String(e.retryAfterSeconds) } }
    ),
    fallback: true,
    retryAfterSeconds: e.retryAfterSeconds
  }),
  CaptchaMisconfigured: (e) =>
    delivery(
      e.status === undefined
        ? `captcha_config_${e.code}`
        : `captcha_config_http_${e.status}_${e.code}`
    ),
  ReplayUnchecked: (e) => delivery(`altcha_store_${e.problem}`),
  // GET /altcha: a form without ALTCHA has no challenge; a secret we cannot use is ours.
  ChallengeUnavailable: (e) =>
    e.reason === "no_altcha"
      ? refused(404, "form_not_found", requestLog("Info", 404, "no_altcha"))
      : {
          ...refused(500, "delivery_failed", requestLog("Error", 500, `altcha_${e.reason}`)),
          fallback: true
        },
  SecretUnavailable: (e) => delivery(deliveryReason(e)),
  MailAuthRejected: (e) => delivery(deliveryReason(e)),
  MailRejected: (e) => delivery(deliveryReason(e)),
  MailUnavailable: (e) => delivery(deliveryReason(e)),
  // Kept or answered as an outcome by the flow; here only if that ever changes.
  MailUnknown: (e) => unknown(e.reason),
  ChannelFailed: (e) => (e.kind === "unknown" ? unknown(e.reason) : delivery(e.reason)),
  // Both failures in the reason: the relay's, then the queue's.
  DeliveryNotKept: (e) => delivery(`${deliveryReason(e.delivery)}+queue_${e.queue.problem}`),
  // No such form: a short page naming no form's contact (contract §10).
  FormNotFound: () => refused(404, "form_not_found", requestLog("Info", 404, "form_not_found")),
  // Not an API event at all (a console test event, a misrouted trigger): JSON, a warning.
  UnsupportedEvent: () => ({
    ...refused(400, "invalid_form", requestLog("Warning", 400, "unsupported_event")),
    error: "unsupported_event"
  })
}

export const answerFor = (failure: Failure): Answer => Match.valueTags(failure, failures)
