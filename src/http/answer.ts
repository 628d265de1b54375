/**
 * What an answer is, whatever it answers: the shape the table (answers.ts) fills in and
 * responses.ts renders in the request's mode and language.
 */
import type { FieldIssue } from "../domain/issues"
import type { LogLine } from "../logging"
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
