/**
 * A request and its answer as the edge sees them, whatever runtime received it; and the
 * failures of reading one (SPEC section 2's checks before the form itself).
 */
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type { FieldIssue } from "../domain/issues"

export type Headers = Readonly<Record<string, string | undefined>>

export interface EdgeRequest {
  readonly method: string
  /** Lower-case names. */
  readonly headers: Headers
  /** The whole body: at most `maxBytes` (else PayloadTooLarge), or why it cannot be read. */
  readonly body: (maxBytes: number) => Effect.Effect<Uint8Array, PayloadTooLarge | BodyUnreadable>
  /** Annotates every log line of the request (Lambda's request id, or a fresh one). */
  readonly requestId: string
  /**
   * Who sent it, as the runtime saw it: the socket's peer on the server, API Gateway's
   * `sourceIp` on Lambda. Never logged; the client address is derived from it (SPEC 9).
   */
  readonly peer: string | undefined
  /** The form the path names (SPEC section 10): `/f/<id>`, else `default`. */
  readonly form: string
}

const formPath = /^\/f\/([^/]+)\/?$/

/** The form id of a `/f/<id>` path (SPEC section 10), as written: an unknown one is a 404. */
export const formInPath = (path: string): string | undefined => formPath.exec(path)?.[1]

export interface EdgeResponse {
  readonly status: number
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export class FormNotFound extends Data.TaggedError("FormNotFound") {}
export class UnsupportedEvent extends Data.TaggedError("UnsupportedEvent") {}
export class OriginNotAllowed extends Data.TaggedError("OriginNotAllowed") {}
export class MethodNotAllowed extends Data.TaggedError("MethodNotAllowed") {}
export class UnsupportedMediaType extends Data.TaggedError("UnsupportedMediaType") {}
export class PayloadTooLarge extends Data.TaggedError("PayloadTooLarge") {}

/** Over RATE_LIMIT_PER_MINUTE (SPEC section 9): answered before the body is read. */
export class RateLimited extends Data.TaggedError("RateLimited")<{
  readonly retryAfterSeconds: number
}> {}

export class BodyUnreadable extends Data.TaggedError("BodyUnreadable")<{
  readonly issues: ReadonlyArray<FieldIssue>
}> {}

/** The body, or one field of it, cannot be read: not the format it claims, not text. */
export const unreadable = (field = "_body", code: FieldIssue["code"] = "unreadable") =>
  new BodyUnreadable({ issues: [{ field, code }] })

export type RequestFailure =
  | FormNotFound
  | UnsupportedEvent
  | OriginNotAllowed
  | MethodNotAllowed
  | RateLimited
  | UnsupportedMediaType
  | PayloadTooLarge
  | BodyUnreadable
