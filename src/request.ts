/**
 * Reading a request at the edge: content negotiation (SPEC section 3) and the three body
 * formats (SPEC section 2). Pure functions and one Effect for multipart; no responses here.
 */
import * as Multipart from "@effect/platform/Multipart"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type { FieldIssue, Fields } from "./domain"

export type Headers = Readonly<Record<string, string | undefined>>

export type BodyFormat = "urlencoded" | "multipart" | "json"

/** `type/subtype` of a media type, lower case, without parameters. */
export const mediaType = (value: string | undefined): string =>
  (value ?? "").split(";")[0]?.trim().toLowerCase() ?? ""

export const bodyFormat = (contentType: string | undefined): BodyFormat | undefined => {
  switch (mediaType(contentType)) {
    case "application/x-www-form-urlencoded":
      return "urlencoded"
    case "multipart/form-data":
      return "multipart"
    case "application/json":
      return "json"
    default:
      return undefined
  }
}

/** The q-value of the best-matching range of an `Accept` header for each type asked. */
const qualities = (accept: string) =>
  accept.split(",").flatMap((part) => {
    const [range = "", ...params] = part.trim().split(";")
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith("q="))
    const weight = q === undefined ? 1 : Number(q.slice(2))
    return range.trim() === ""
      ? []
      : [{ range: range.trim().toLowerCase(), q: Number.isFinite(weight) ? weight : 0 }]
  })

/**
 * JSON when the body is JSON; otherwise when `Accept` ranks application/json strictly
 * above text/html (`*\/*` and ties are HTML) or `X-Requested-With: XMLHttpRequest`.
 */
export const wantsJson = (headers: Headers): boolean => {
  if (bodyFormat(headers["content-type"]) === "json") return true
  if ((headers["x-requested-with"] ?? "").toLowerCase() === "xmlhttprequest") return true
  const ranges = qualities(headers.accept ?? "")
  const best = (match: (range: string) => boolean) =>
    Math.max(0, ...ranges.filter((r) => match(r.range)).map((r) => r.q))
  const json = best((r) => r === "application/json")
  const explicitHtml = ranges.some((r) => r.range === "text/html")
  const html = explicitHtml
    ? best((r) => r === "text/html")
    : best((r) => r === "text/*" || r === "*/*")
  return json > html
}

export class BodyUnreadable extends Data.TaggedError("BodyUnreadable")<{
  readonly issues: ReadonlyArray<FieldIssue>
}> {}

const unreadable = (field = "_body", code: FieldIssue["code"] = "unreadable") =>
  new BodyUnreadable({ issues: [{ field, code }] })

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false })

const decodeText = (bytes: Uint8Array): Either.Either<string, BodyUnreadable> => {
  try {
    return Either.right(utf8.decode(bytes))
  } catch {
    return Either.left(unreadable())
  }
}

const parseUrlencoded = (bytes: Uint8Array) =>
  Either.map(decodeText(bytes), (text): Fields => [...new URLSearchParams(text)])

/**
 * JSON's `\ud800` escapes can make a string no UTF-8 decoder would: a lone surrogate. It
 * becomes U+FFFD, as in the other two formats, so the visitor's text is valid Unicode
 * everywhere it goes (the mail, the page, the `mailto:` link's percent-encoding).
 */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
const wellFormed = (s: string): string => s.replace(loneSurrogate, "\uFFFD")

const parseJson = (bytes: Uint8Array) =>
  Either.flatMap(decodeText(bytes), (text): Either.Either<Fields, BodyUnreadable> => {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return Either.left(unreadable())
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return Either.left(unreadable())
    }
    const entries = Object.entries(value)
    const wrong = entries.find(([, v]) => typeof v !== "string")
    if (wrong !== undefined) return Either.left(unreadable(wrong[0], "not_text"))
    return Either.right(entries.map(([k, v]) => [wellFormed(k), wellFormed(String(v))] as const))
  })

const parseMultipart = (bytes: Uint8Array, contentType: string) =>
  Stream.make(bytes).pipe(
    Stream.pipeThroughChannel(Multipart.makeChannel({ "content-type": contentType })),
    // Fields only: a file part refuses the whole form.
    Stream.mapEffect((part) =>
      Multipart.isField(part)
        ? Effect.succeed([part.key, part.value] as const)
        : Effect.fail(unreadable(part.key, "not_text"))
    ),
    Stream.runCollect,
    Effect.map((chunk): Fields => Chunk.toReadonlyArray(chunk)),
    Effect.catchTag("MultipartError", () => Effect.fail(unreadable()))
  )

/** The fields of a body in submission order, or why it cannot be read. */
export const parseBody = (
  format: BodyFormat,
  bytes: Uint8Array,
  contentType: string
): Effect.Effect<Fields, BodyUnreadable> => {
  switch (format) {
    case "urlencoded":
      return parseUrlencoded(bytes)
    case "json":
      return parseJson(bytes)
    case "multipart":
      return parseMultipart(bytes, contentType)
  }
}
