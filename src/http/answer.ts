/**
 * What an answer is, whatever it answers: the shape the table (answers.ts) fills in and
 * responses.ts renders in the request's mode and language.
 */
import type { FieldIssue } from "../domain/issues"
import type { LogLine, MetricName } from "../logging"
import type { ErrorKind } from "../pages/render"

/** The one log line of a request: `submission` for submissions, whatever their outcome. */
export type RequestLogLine = LogLine & { readonly message: "submission" | "request refused" }

export type Answer =
  /** Sent, honeypot or queued: 303 to the success page, or 200 JSON. */
  { readonly _tag: "Accepted"; readonly queued: boolean; readonly log: RequestLogLine } | Refused

export interface Refused {
  readonly _tag: "Refused"
  readonly status: number
  /** The page shown in HTML mode. */
  readonly page: ErrorKind
  /** The JSON `error`. */
  readonly error: string
  readonly issues?: ReadonlyArray<FieldIssue>
  /** The submission is in the queue all the same (the JSON says `"kept": true`). */
  readonly kept?: boolean
  /** The JSON carries the fallback contact (`fallback`). */
  readonly fallback?: boolean
  /** The `mailto:` links carry what the visitor wrote: it did not reach the owner. */
  readonly prefill?: boolean
  /** Headers of this answer alone (405's `Allow`, 429's `Retry-After`). */
  readonly headers?: Readonly<Record<string, string>>
  /** The 429 page says when to try again. */
  readonly retryAfterSeconds?: number
  readonly log: RequestLogLine
}

// ---------------------------------------------------------------------------------------
// The builders the table is written with

export const accepted = (log: RequestLogLine, queued = false): Answer => ({
  _tag: "Accepted",
  queued,
  log
})

export const submission = (
  level: LogLine["level"],
  fields: LogLine["fields"],
  metric?: MetricName
): RequestLogLine => ({
  level,
  message: "submission",
  fields,
  ...(metric === undefined ? {} : { metric })
})

export const refused = (
  status: number,
  error: ErrorKind,
  log: RequestLogLine,
  more: {
    readonly issues?: ReadonlyArray<FieldIssue>
    readonly headers?: Record<string, string>
  } = {}
): Refused => ({ _tag: "Refused", status, page: error, error, log, ...more })

/** A request that is not a submission (origin, method): logged at debug. */
export const notASubmission = (status: number, error: ErrorKind, reason: string): Refused =>
  refused(status, error, { level: "Debug", message: "request refused", fields: { status, reason } })

/**
 * A submission refused before delivery (contract §2), logged at info with its status:
 * `captcha_failed` for the captcha, `invalid_form` for the rest.
 */
export const refusedSubmission = (
  status: number,
  error: ErrorKind,
  reason: string,
  more: { readonly issues?: ReadonlyArray<FieldIssue> } = {}
): Refused =>
  refused(
    status,
    error,
    submission("Info", {
      status,
      reason,
      outcome: error === "captcha_failed" ? error : "invalid_form"
    }),
    more
  )

export const delivery = (reason: string): Refused => ({
  ...refused(
    500,
    "delivery_failed",
    submission("Error", { status: 500, reason, outcome: "delivery_failed" }, "DeliveryFailed")
  ),
  fallback: true,
  prefill: true
})
