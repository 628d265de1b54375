/**
 * The fields of a submission as sent (contract §2): their names, the honeypot, the
 * `body`/`message` alias, the characters each may hold, and what the visitor wrote.
 */
import { captchaFields } from "./captcha-providers"

/** Fields in submission order, as sent (names and values are strings). */
export type Fields = ReadonlyArray<readonly [name: string, value: string]>

export const honeypotField = "_gotcha"

/**
 * Milliseconds from the page's load to the submit, written by the form's script (contract
 * §12): a spam signal, never text, never an extra, and no part of the duplicate key or id.
 */
export const elapsedField = "_t"

/**
 * The form's own fields; any other name is the visitor's own text (an extra field). Every
 * provider's token field is one, whichever provider the form uses: a token is never text.
 */
const knownFieldNames: ReadonlySet<string> = new Set([
  "email",
  "body",
  "message",
  "subject",
  "name",
  "language",
  honeypotField,
  elapsedField,
  ...captchaFields
])

export const isKnownField = (name: string): boolean => knownFieldNames.has(name)

export const present = (value: string | undefined): value is string =>
  value !== undefined && value !== ""

/** The honeypot answers before validation: a bot's form is often invalid too. */
export const isHoneypot = (fields: Fields): boolean =>
  fields.some(([name, value]) => name === honeypotField && value !== "")

/** The submission's `language` field, if any (not validated: unknown means default). */
export const languageField = (fields: Fields): string | undefined =>
  fields.find(([name]) => name === "language")?.[1]

/**
 * The message's field name: `body`, or its alias `message` when `body` is empty or not
 * sent. Both non-empty is no message at all but a 400 naming both (contract §2): which
 * one the visitor meant cannot be known, and keeping one would drop the other's text.
 */
export const messageFieldOf = (first: (name: string) => string | undefined): string =>
  present(first("body")) ? "body" : "message"

/** Whether both `body` and its alias `message` are non-empty: a 400 (contract §2). */
export const aliasConflict = (first: (name: string) => string | undefined): boolean =>
  present(first("body")) && present(first("message"))

// A lone surrogate (only a JSON escape can send one) has no UTF-8 form, and
// encodeURIComponent throws on it: what a page or a `mailto:` link gives back holds U+FFFD
// in its place. Validation refuses such a form (`sendable`); this is for its answer.
const loneSurrogates = /[\uD800-\uDFFF]/gu
const wellFormed = (text: string): string => text.replace(loneSurrogates, "\uFFFD")

/**
 * What the visitor wrote, for the pages that give it back: subject and message. When both
 * `body` and `message` were sent (the 400 of contract §2), both, in the order sent, a
 * blank line between them: the page loses neither.
 */
export const visitorText = (
  fields: Fields
): { readonly subject?: string; readonly body?: string } => {
  const firstAt = (name: string) => fields.findIndex(([n, v]) => n === name && v !== "")
  const first = (name: string) => fields[firstAt(name)]?.[1]
  const subject = first("subject")
  const texts = aliasConflict(first)
    ? [firstAt("body"), firstAt("message")].sort((a, b) => a - b).map((at) => fields[at]?.[1])
    : [first(messageFieldOf(first))]
  const body = texts.every((text) => text !== undefined) ? texts.join("\n\n") : undefined
  return {
    ...(subject === undefined ? {} : { subject: wellFormed(subject) }),
    ...(body === undefined ? {} : { body: wellFormed(body) })
  }
}

// ---------------------------------------------------------------------------------------
// Characters

/** Lengths count Unicode code points, not UTF-16 units. */
export const codePoints = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}

/**
 * Text a field may hold at all (contract §7a: every valid form fits in its queue item):
 * no lone surrogate, and neither U+FFFE nor U+FFFF. These are what SQS refuses in a message
 * (its character set is XML 1.0's) beyond the control characters JSON escapes, and a lone
 * surrogate has no UTF-8 form for the mail or a page. The other 64 noncharacters
 * (U+FDD0–U+FDEF, U+nFFFE/U+nFFFF above the BMP) stay text: they are Unicode scalar
 * values that UTF-8, SQS, the mail and the pages all carry, and Unicode allows them in
 * interchange (Corrigendum #9), so refusing them would refuse forms that can be delivered.
 * With `u`, a surrogate pair is one code point outside the class; only a lone one is in it.
 */
export const sendable = /^[^\uD800-\uDFFF\uFFFE\uFFFF]*$/u

/** "One line": no control character at all (C0, DEL and C1). */
export const oneLine = /^[^\u0000-\u001f\u007f-\u009f]*$/u
/** The message may keep TAB, LF and CR, but no other control character. */
export const messageChars = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/u

// Line breaks (contract §3): CRLF, CR and LF are each one break, everywhere (the mail,
// the pages' paragraphs, the `mailto:` body). So CR CR LF is two breaks, never one.
const lineBreaks = /\r\n|\r|\n/g
/** The rule as a regular expression source, for the browser script of the demo form. */
export const lineBreakSource = lineBreaks.source
/** `text` with each of its line breaks written as `lineBreak`. */
export const withLineBreaks = (text: string, lineBreak: string): string =>
  text.replace(lineBreaks, lineBreak)
