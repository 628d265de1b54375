/**
 * The three body formats of contract §2, read into fields in submission order:
 * urlencoded, multipart (fields only) and JSON (an object of strings).
 */
import * as Effect from "effect/Effect"
import * as MultipartParser from "effect/http/MultipartParser"
import * as Result from "effect/Result"
import type { Fields } from "../domain/fields"
import { type BodyUnreadable, unreadable } from "./request"

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

// ignoreBOM keeps a leading U+FEFF as text: the field is what the visitor sent, the same
// in every format (Effect's Multipart decoder drops it, hence its parser alone below).
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

const decodeText = (bytes: Uint8Array): Result.Result<string, BodyUnreadable> => {
  try {
    return Result.succeed(utf8.decode(bytes))
  } catch {
    return Result.fail(unreadable())
  }
}

const parseUrlencoded = (bytes: Uint8Array) =>
  Result.map(decodeText(bytes), (text): Fields => [...new URLSearchParams(text)])

/**
 * One leading U+FEFF is a byte-order mark, not JSON text: editors and some clients write
 * one, and JSON decoders commonly skip it (RFC 8259 section 8.1 lets a parser ignore it).
 * Only the body's first: a BOM inside a field is the visitor's text, as in every format.
 */
const withoutBom = (text: string): string => (text.startsWith("\uFEFF") ? text.slice(1) : text)

const parseJson = (bytes: Uint8Array) =>
  Result.flatMap(decodeText(bytes), (text): Result.Result<Fields, BodyUnreadable> => {
    let value: unknown
    try {
      value = JSON.parse(withoutBom(text))
    } catch {
      return Result.fail(unreadable())
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return Result.fail(unreadable())
    }
    const entries = Object.entries(value)
    const wrong = entries.find(([, v]) => typeof v !== "string")
    if (wrong !== undefined) return Result.fail(unreadable(wrong[0], "not_text"))
    // JSON's `\ud800` escapes can make a string no UTF-8 decoder would: a lone surrogate.
    // It is kept as sent, so that validation refuses it with the field named (contract §7a), rather than delivering a U+FFFD the visitor never wrote.
    return Result.succeed(entries.map(([k, v]) => [k, String(v)] as const))
  })

/**
 * Effect's multipart parser, the one under its Multipart module, called directly: it hands
 * over each field's bytes, decoded here like the other formats (strict UTF-8, nothing dropped).
 */
const parseMultipart = (bytes: Uint8Array, contentType: string) => {
  const fields: Array<readonly [string, string]> = []
  let failure: BodyUnreadable | undefined
  const parser = MultipartParser.make({
    headers: { "content-type": contentType },
    onField: (info, value) => {
      Result.match(decodeText(value), {
        onFailure: (error) => {
          failure ??= error
        },
        onSuccess: (text) => fields.push([info.name, text])
      })
    },
    // Fields only: a file part refuses the whole form.
    onFile: (info) => {
      failure ??= unreadable(info.name, "not_text")
      return () => {}
    },
    onError: () => {
      failure ??= unreadable()
    },
    onDone: () => {}
  })
  parser.write(bytes)
  parser.end()
  return failure === undefined ? Result.succeed<Fields>(fields) : Result.fail(failure)
}

/** The fields of a body in submission order, or why it cannot be read. */
export const parseBody = (
  format: BodyFormat,
  bytes: Uint8Array,
  contentType: string
): Effect.Effect<Fields, BodyUnreadable> => {
  switch (format) {
    case "urlencoded":
      return Effect.fromResult(parseUrlencoded(bytes))
    case "json":
      return Effect.fromResult(parseJson(bytes))
    case "multipart":
      return Effect.fromResult(parseMultipart(bytes, contentType))
  }
}
