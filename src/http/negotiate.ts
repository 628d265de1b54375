/**
 * Content negotiation (contract §3): JSON or HTML, and the visitor's language, from one
 * reading of `Accept`-style headers (RFC 9110 section 12.4.2).
 */
import { defaultLanguage, isLanguage, type Language } from "../domain/languages"
import { mediaType } from "./body"
import type { Headers } from "./request"

interface Preference {
  /** Lower case: media ranges and language tags are case-insensitive. */
  readonly value: string
  readonly q: number
  /** Its place in the header, for ties. */
  readonly index: number
}

/** The values of an `Accept`-style header with their weights: `q` in any case, 1 when absent. */
const preferences = (header: string | undefined): ReadonlyArray<Preference> =>
  (header ?? "").split(",").flatMap((part, index) => {
    const [value = "", ...params] = part.split(";").map((p) => p.trim())
    if (value === "") return []
    const q = params.map((p) => p.toLowerCase()).find((p) => p.startsWith("q="))
    const weight = q === undefined ? 1 : Number(q.slice(2))
    return [{ value: value.toLowerCase(), q: Number.isFinite(weight) ? weight : 0, index }]
  })

/**
 * JSON when the body is JSON; otherwise when `Accept` ranks application/json strictly
 * above text/html (`*\/*` and ties are HTML) or `X-Requested-With: XMLHttpRequest`.
 */
export const wantsJson = (headers: Headers): boolean => {
  if (mediaType(headers["content-type"]) === "application/json") return true
  if ((headers["x-requested-with"] ?? "").toLowerCase() === "xmlhttprequest") return true
  const ranges = preferences(headers.accept)
  const best = (match: (range: string) => boolean) =>
    Math.max(0, ...ranges.filter((r) => match(r.value)).map((r) => r.q))
  const json = best((r) => r === "application/json")
  const html = ranges.some((r) => r.value === "text/html")
    ? best((r) => r === "text/html")
    : best((r) => r === "text/*" || r === "*/*")
  return json > html
}

/**
 * The supported language an `Accept-Language` header ranks highest (RFC 9110 section
 * 12.5.4): `q=0` means not acceptable, ties keep the order sent, a region falls back to its
 * language (`pt-BR` → `pt`), and `*` stands for the default language.
 */
export const acceptedLanguage = (header: string | undefined): Language | undefined => {
  const all = preferences(header)
  const refused = new Set(all.filter((p) => p.q <= 0).map((p) => p.value))
  const ranked = all.filter((p) => p.q > 0).sort((a, b) => b.q - a.q || a.index - b.index)
  for (const { value } of ranked) {
    const language = value === "*" ? defaultLanguage : value.split("-")[0]
    if (isLanguage(language) && !refused.has(language)) return language
  }
  return undefined
}
