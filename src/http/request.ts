/**
 * A request and its answer as the edge sees them, whatever runtime received it; and the
 * failures of reading one (contract §2's checks before the form itself).
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
   * `sourceIp` on Lambda. Never logged; the client address is derived from it (contract §9).
   */
  readonly peer: string | undefined
  /** The form the path names (contract §10): `/f/<id>`, else `default`. */
  readonly form: string
  /** What of the form: its submissions (`/contact`, `/f/<id>`) or its ALTCHA challenge (`…/altcha`). */
  readonly resource: Resource
}

export type Resource = "contact" | "altcha"

const formPath = /^\/f\/([^/]+)(\/altcha)?\/?$/

/**
 * The form and resource a path names (contract §10, contract §4): `/contact` and
 * `/altcha` the default form's, `/f/<id>` and `/f/<id>/altcha` those of `<id>` (as written:
 * an unknown one is a 404); `undefined` for any other path.
 */
export const addressOf = (
  path: string
): { readonly form: string; readonly resource: Resource } | undefined => {
  if (path === "/contact") return { form: "default", resource: "contact" }
  if (path === "/altcha") return { form: "default", resource: "altcha" }
  const match = formPath.exec(path)
  return match?.[1] === undefined
    ? undefined
    : { form: match[1], resource: match[2] === undefined ? "contact" : "altcha" }
}

export interface EdgeResponse {
  readonly status: number
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export class FormNotFound extends Data.TaggedError("FormNotFound") {}
export class UnsupportedEvent extends Data.TaggedError("UnsupportedEvent") {}
export class OriginNotAllowed extends Data.TaggedError("OriginNotAllowed") {}
/** `allow`: the resource's methods (a form's submissions: POST, OPTIONS; its challenge: GET, OPTIONS). */
export class MethodNotAllowed extends Data.TaggedError("MethodNotAllowed")<{
  readonly allow?: string
}> {}
export class UnsupportedMediaType extends Data.TaggedError("UnsupportedMediaType") {}
export class PayloadTooLarge extends Data.TaggedError("PayloadTooLarge") {}

/** Over RATE_LIMIT_PER_MINUTE (contract §9): answered before the body is read. */
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
