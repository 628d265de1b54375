/**
 * The fields of a submission as sent (SPEC section 2): their names, the honeypot, the
 * `body`/`message` alias, the characters each may hold, and what the visitor wrote.
 */

/** Fields in submission order, as sent (names and values are strings). */
export type Fields = ReadonlyArray<readonly [name: string, value: string]>

export const honeypotField = "_gotcha"
export const captchaFields = ["frc-captcha-solution", "frc-captcha-response"] as const

/** The form's own fields; any other name is the visitor's own text (an extra field). */
const knownFieldNames: ReadonlySet<string> = new Set([
  "email",
  "body",
  "message",
  "subject",
  "name",
  "language",
  honeypotField,
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
 * sent. Both non-empty is no message at all but a 400 naming both (SPEC section 2): which
 * one the visitor meant cannot be known, and keeping one would drop the other's text.
 */
export const messageFieldOf = (first: (name: string) => string | undefined): string =>
  present(first("body")) ? "body" : "message"

/** Whether both `body` and its alias `message` are non-empty: a 400 (SPEC section 2). */
export const aliasConflict = (first: (name: string) => string | undefined): boolean =>
  present(first("body")) && present(first("message"))

/**
 * What the visitor wrote, for the pages that give it back: subject and message. When both
 * `body` and `message` were sent (the 400 of SPEC section 2), both, in the order sent, a
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
  return { ...(subject === undefined ? {} : { subject }), ...(body === undefined ? {} : { body }) }
}

// ---------------------------------------------------------------------------------------
// Characters

/** Lengths count Unicode code points, not UTF-16 units. */
export const codePoints = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}

/** "One line": no control character at all (C0, DEL and C1). */
export const oneLine = /^[^\u0000-\u001f\u007f-\u009f]*$/u
/** The message may keep TAB, LF and CR, but no other control character. */
export const messageChars = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/u

// Line breaks (SPEC section 3): CRLF, CR and LF are each one break, everywhere (the mail,
// the pages' paragraphs, the `mailto:` body). So CR CR LF is two breaks, never one.
const lineBreaks = /\r\n|\r|\n/g
/** The rule as a regular expression source, for the browser script of the demo form. */
export const lineBreakSource = lineBreaks.source
/** `text` with each of its line breaks written as `lineBreak`. */
export const withLineBreaks = (text: string, lineBreak: string): string =>
  text.replace(lineBreaks, lineBreak)
