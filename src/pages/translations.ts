/**
 * The translations, one file each: adding a language is adding its file here and its tag
 * to src/domain/languages.ts. This table does not compile while a language lacks a file.
 */
import { type Language, languages } from "../domain/languages"
import { de } from "./de"
import { en } from "./en"
import { es } from "./es"
import { fr } from "./fr"
import { it } from "./it"
import { nl } from "./nl"
import { pl } from "./pl"
import { pt } from "./pt"
import type { Strings } from "./strings"

export const translations: { readonly [L in Language]: Strings } = {
  en,
  de,
  fr,
  es,
  it,
  nl,
  pt,
  pl
}

export const stringsFor = (language: Language): Strings => translations[language]

/** Every language, in the order of `languages`, for the pages' language switch. */
export const allStrings: ReadonlyArray<Strings> = languages.map(stringsFor)
