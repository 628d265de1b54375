/**
 * THE table (SPEC section 3): every typed failure of a request or of the flow, and its
 * answer. The status of an error lives here and nowhere else; a new error type that is not
 * in the table does not compile.
 */
import * as Match from "effect/Match"
import type { FlowError } from "../domain/errors"
import { isKnownField } from "../domain/fields"
import type { FieldIssue } from "../domain/issues"
import type { ErrorKind } from "../pages/render"
import { allowedMethods } from "./headers"
import type { RequestFailure } from "./request"

export type Failure = FlowError | RequestFailure

/** The `outcome` of a submission's log line (SPEC section 6). */
export type LoggedOutcome = "invalid_form" | "captcha_failed" | "delivery_failed"

export interface Answer {
  readonly status: number
  readonly error: ErrorKind
  readonly issues?: ReadonlyArray<FieldIssue>
  /** Headers of this answer alone (405's `Allow`). */
  readonly headers?: Readonly<Record<string, string>>
  /** The submission's outcome for the log; none for requests that are not submissions. */
  readonly outcome?: LoggedOutcome
  readonly reason: string
  readonly level: "Debug" | "Info" | "Error"
}

const delivery = (reason: string): Answer => ({
  status: 500,
  error: "delivery_failed",
  outcome: "delivery_failed",
  reason,
  level: "Error"
})

/** A bug of ours, not a typed failure: the fallback page all the same. */
export const defectAnswer = delivery("defect")

const loggedField = (field: string) => (field === "_body" || isKnownField(field) ? field : "extra")

const answers: { readonly [K in Failure["_tag"]]: (e: Extract<Failure, { _tag: K }>) => Answer } = {
  OriginNotAllowed: () => ({
    status: 403,
    error: "origin_not_allowed",
    reason: "origin",
    level: "Debug"
  }),
  MethodNotAllowed: () => ({
    status: 405,
    error: "method_not_allowed",
    headers: { allow: allowedMethods },
    reason: "method",
    level: "Debug"
  }),
  UnsupportedMediaType: () => ({
    status: 415,
    error: "unsupported_media_type",
    outcome: "invalid_form",
    reason: "media_type",
    level: "Info"
  }),
  PayloadTooLarge: () => ({
    status: 413,
    error: "payload_too_large",
    outcome: "invalid_form",
    reason: "too_large",
    level: "Info"
  }),
  BodyUnreadable: (e) => ({
    status: 400,
    error: "invalid_form",
    issues: e.issues,
    outcome: "invalid_form",
    reason: "body_unreadable",
    level: "Info"
  }),
  FormInvalid: (e) => ({
    status: 400,
    error: "invalid_form",
    issues: e.issues,
    outcome: "invalid_form",
    // An extra field's name is the visitor's own text (SPEC section 6): logged as `extra`.
    reason: `fields:${e.issues.map((i) => `${loggedField(i.field)}=${i.code}`).join(",")}`,
    level: "Info"
  }),
  CaptchaRejected: (e) => ({
    status: 400,
    error: "captcha_failed",
    outcome: "captcha_failed",
    reason: `captcha_${e.reason}`,
    level: "Info"
  }),
  CaptchaMisconfigured: (e) => delivery(`captcha_config_http_${e.status}_${e.code}`),
  SecretUnavailable: (e) => delivery(`secret_${e.secret}_${e.problem}`),
  MailAuthRejected: (e) => delivery(`smtp_auth_${e.code}`),
  MailRejected: (e) => delivery(`smtp_rejected_${e.code}`),
  MailUnavailable: (e) => delivery(`smtp_${e.reason}`)
}

export const answerFor = (failure: Failure): Answer => Match.valueTags(failure, answers)
