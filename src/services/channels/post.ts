/**
 * One JSON POST to a channel's receiver over node:http/node:https (contract §11): never a
 * redirect followed (node's client follows none), no response body kept beyond what a 429's
 * retry hint needs, and whether the request had been written in full when it failed: a
 * failure before that delivered nothing, one after it may have delivered (contract §7a).
 */
import type { ClientRequest, IncomingMessage } from "node:http"
import * as http from "node:http"
import * as https from "node:https"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

export const userAgent = "contact-form-backend"

/** The most of a 429's body read for its `retry_after` (Discord's is a small JSON object). */
const maxHintBodyBytes = 4_096

export interface Outgoing {
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export interface Answer {
  readonly status: number
  /** The `Retry-After` header as sent. */
  readonly retryAfter: string | undefined
  /** The body, read only for a 429 (its retry hint) and at most 4 KiB of it. */
  readonly hintBody: string | undefined
}

/** Nothing reached the receiver in full: connecting or writing failed, or the bound came first. */
export class NotSent extends Data.TaggedError("NotSent")<{
  readonly timedOut: boolean
  readonly cause: unknown
}> {}

/** The request was written in full and no answer came: the receiver may have acted on it. */
export class AnswerLost extends Data.TaggedError("AnswerLost")<{
  readonly timedOut: boolean
  readonly cause: unknown
}> {}

const headerOf = (value: string | ReadonlyArray<string> | undefined): string | undefined =>
  typeof value === "string" ? value : value?.[0]

const readHint = (response: IncomingMessage, done: (body: string | undefined) => void) => {
  const chunks: Array<Buffer> = []
  let size = 0
  response.on("data", (chunk: Buffer) => {
    if (size >= maxHintBodyBytes) return
    chunks.push(chunk)
    size += chunk.length
    if (size >= maxHintBodyBytes) {
      done(Buffer.concat(chunks).subarray(0, maxHintBodyBytes).toString("utf8"))
      response.destroy()
    }
  })
  response.on("end", () => done(Buffer.concat(chunks).toString("utf8")))
  response.on("error", () => done(undefined))
}

/**
 * POSTs `out`, bounded by `timeoutMs` (Effect's clock; the request is destroyed when the
 * bound or an interruption comes first). Each request gets its own connection (no agent):
 * a kept-alive socket the receiver closed meanwhile fails after the write, which would turn
 * a harmless retry into an unknown outcome.
 */
export const post = (
  out: Outgoing,
  timeoutMs: number
): Effect.Effect<Answer, NotSent | AnswerLost> =>
  Effect.suspend(() => {
    // Whether the request was written in full, and the answer's head once it came (a 429
    // whose body is still coming at the bound is a 429, not a lost answer).
    const progress: { written: boolean; head?: Answer } = { written: false }
    const failure = (cause: unknown, timedOut: boolean) =>
      progress.written ? new AnswerLost({ cause, timedOut }) : new NotSent({ cause, timedOut })
    const exchange = Effect.callback<Answer, NotSent | AnswerLost>((resume) => {
      let settled = false
      const settle = (effect: Effect.Effect<Answer, NotSent | AnswerLost>) => {
        if (settled) return
        settled = true
        resume(effect)
      }
      const body = Buffer.from(out.body, "utf8")
      let request: ClientRequest
      try {
        request = (out.url.protocol === "https:" ? https : http).request(out.url, {
          method: "POST",
          agent: false,
          headers: {
            ...out.headers,
            "content-type": "application/json",
            "content-length": String(body.length),
            "user-agent": userAgent
          }
        })
      } catch (cause) {
        return settle(Effect.fail(failure(cause, false)))
      }
      request.on("finish", () => {
        progress.written = true
      })
      request.on("error", (cause) => settle(Effect.fail(failure(cause, false))))
      request.on("response", (response) => {
        const status = response.statusCode ?? 0
        const retryAfter = headerOf(response.headers["retry-after"])
        progress.head = { status, retryAfter, hintBody: undefined }
        if (status !== 429) {
          // Drained and dropped: what a receiver said is never kept nor logged.
          response.resume()
          return settle(Effect.succeed({ status, retryAfter, hintBody: undefined }))
        }
        readHint(response, (hintBody) => settle(Effect.succeed({ status, retryAfter, hintBody })))
      })
      request.end(body)
      return Effect.sync(() => {
        request.destroy()
      })
    })
    return exchange.pipe(
      Effect.timeoutOrElse({
        duration: Duration.millis(Math.max(0, timeoutMs)),
        orElse: () =>
          progress.head === undefined
            ? Effect.fail(failure("timeout", true))
            : Effect.succeed(progress.head)
      })
    )
  })

/** A `Retry-After` header in ms: delta-seconds (fractions allowed) or an HTTP date. */
export const retryAfterMs = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000)
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
