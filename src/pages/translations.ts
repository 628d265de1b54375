/**
 * The translations, one file each: adding a language is adding its file here and its tag
 * to src/domain/languages.ts. This table does not compile while a language lacks a file.
 */
import type { Language } from "../domain/languages"
import { de } from "./de"
import { en } from "./en"
import type { Strings } from "./strings"

export const translations: { readonly [L in Language]: Strings } = { en, de }

export const stringsFor = (language: Language): Strings => translations[language]

/** Every language, for the pages' language switch. */
export const allStrings: ReadonlyArray<Strings> = Object.values(translations)
