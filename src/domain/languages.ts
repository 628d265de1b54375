/**
 * The languages a visitor can read the pages in (contract §3). Adding one is adding its
 * tag here and its file of strings in src/pages/: the table of translations there does not
 * compile until every language listed here has one. The pages' language switch lists them
 * in this order.
 */
export const languages = ["en", "de", "fr", "es", "it", "nl", "pt", "pl"] as const

export type Language = (typeof languages)[number]

export const defaultLanguage: Language = "en"

const supported: ReadonlySet<string> = new Set(languages)

export const isLanguage = (value: string | undefined): value is Language =>
  value !== undefined && supported.has(value)
