/**
 * Every text a visitor reads, per language. Adding a language is adding one file like
 * `en.ts` and one line in `byLanguage` below; `SUCCESS_URL_<LANG>` then works for it.
 */
import type { IssueCode } from "../domain"
import { de } from "./de"
import { en } from "./en"

export interface Strings {
  readonly lang: string
  readonly errors: {
    readonly invalid_form: { readonly title: string; readonly lead: string }
    readonly captcha_failed: { readonly title: string; readonly lead: string }
    readonly delivery_failed: { readonly title: string; readonly lead: string }
    readonly origin_not_allowed: { readonly title: string; readonly lead: string }
    readonly method_not_allowed: { readonly title: string; readonly lead: string }
    readonly payload_too_large: { readonly title: string; readonly lead: string }
    readonly unsupported_media_type: { readonly title: string; readonly lead: string }
  }
  readonly fallbackLead: string
  readonly fallbackEmail: string
  readonly fallbackPhone: string
  readonly writeUs: string
  readonly yourMessage: string
  readonly subjectLabel: string
  readonly messageLabel: string
  readonly back: string
  /** What is wrong with a field; `max` is the limit where there is one. */
  readonly issues: Readonly<Record<IssueCode, (max: number) => string>>
  /** Field names shown on the 400 page, by the name the form uses. */
  readonly fieldNames: Readonly<Record<string, string>>
  readonly form: {
    readonly title: string
    readonly intro: string
    readonly name: string
    readonly email: string
    readonly subject: string
    readonly message: string
    readonly send: string
    readonly sending: string
    readonly required: string
    readonly honeypot: string
    readonly sent: string
    readonly sentLead: string
    readonly captchaOff: string
    readonly outbox: string
    /** The language's own name, for the language switch. */
    readonly languageName: string
    readonly languageNav: string
    /** Production mode with CAPTCHA_PROVIDER=none. */
    readonly captchaOffProduction: string
    readonly another: string
    readonly outboxLead: string
    readonly outboxEmpty: string
    readonly outboxColumns: {
      readonly date: string
      readonly subject: string
      readonly from: string
      readonly replyTo: string
    }
    readonly notFound: { readonly title: string; readonly lead: string }
  }
}

export const byLanguage: Readonly<Record<string, Strings>> = { en, de }
export const defaultLanguage = "en"
export const languages: ReadonlyArray<string> = Object.keys(byLanguage)

export const isLanguage = (value: string | undefined): value is string =>
  value !== undefined && Object.hasOwn(byLanguage, value)

export const stringsFor = (language: string): Strings =>
  (isLanguage(language) ? byLanguage[language] : undefined) ?? en

/**
 * The first supported language of an `Accept-Language` header (RFC 9110 section 12.5.4):
 * tags and the `q` parameter are case-insensitive, `q=0` means "not acceptable", the
 * highest q wins (ties: the order sent), and a region falls back to its language.
 */
export const fromAcceptLanguage = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined
  const ranked = header.split(",").map((part, index) => {
    const [range = "", ...params] = part.trim().split(";")
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith("q="))
    const weight = q === undefined ? 1 : Number(q.slice(2))
    return { tag: range.trim().toLowerCase(), weight: Number.isFinite(weight) ? weight : 0, index }
  })
  const refused = new Set(ranked.filter((r) => r.weight <= 0).map((r) => r.tag))
  const acceptable = ranked
    .filter((r) => r.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
  for (const { tag } of acceptable) {
    const primary = tag.split("-")[0]
    if (isLanguage(primary) && !refused.has(primary)) return primary
  }
  return undefined
}
