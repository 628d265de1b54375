/**
 * The form contract of SPEC section 2: what a submission is, how its fields are read and
 * checked, and the typed errors the flow can end with.
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

// ---------------------------------------------------------------------------------------
// Languages: the list lives with the strings (src/pages/strings.ts) so that adding a
// language is adding its strings; the domain only needs the type.

export type Language = string

// ---------------------------------------------------------------------------------------
// Line breaks (SPEC section 3): CRLF, CR and LF are each one break, everywhere (the mail,
// the pages' paragraphs, the `mailto:` body). So CR CR LF is two breaks, never one.

const lineBreaks = /\r\n|\r|\n/g
/** The rule as a regular expression source, for the browser script of the demo form. */
export const lineBreakSource = lineBreaks.source
/** `text` with each of its line breaks written as `lineBreak`. */
export const withLineBreaks = (text: string, lineBreak: string): string =>
  text.replace(lineBreaks, lineBreak)

// ---------------------------------------------------------------------------------------
// Field rules

const codePoints = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}

/** No control character at all: C0, DEL and C1. */
const oneLine = /^[^\u0000-\u001f\u007f-\u009f]*$/u
/** The message may keep TAB, LF and CR, but no other control character. */
const messageChars = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/u
/** The HTML `type=email` rule (WHATWG "valid e-mail address"), ASCII only. */
const htmlEmail =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/

// Filters fail with an issue code (see IssueCode); the words are in src/pages/.
const withinChars = (s: string, max: number): true | string =>
  codePoints(s) <= max || `too_long:${max}`

const Email = Schema.String.pipe(
  Schema.filter((s) => codePoints(s) <= 254 || "too_long:254"),
  Schema.filter((s) => htmlEmail.test(s) || "invalid_email")
)

const Message = Schema.String.pipe(
  Schema.filter((s) => s.trim().length > 0 || "blank"),
  Schema.filter((s) => withinChars(s, 10_000)),
  Schema.filter((s) => messageChars.test(s) || "control_characters")
)

const OneLine = (max: number) =>
  Schema.String.pipe(
    Schema.filter((s) => withinChars(s, max)),
    Schema.filter((s) => oneLine.test(s) || "not_one_line")
  )

/** The known fields after aliasing; empty optional fields were already dropped. */
const KnownFields = Schema.Struct({
  email: Schema.optionalWith(Email, { exact: true }),
  body: Schema.optionalWith(Message, { exact: true }),
  subject: Schema.optionalWith(OneLine(200), { exact: true }),
  name: Schema.optionalWith(OneLine(200), { exact: true })
})

const decodeKnownFields = Schema.decodeUnknownEither(KnownFields, { errors: "all" })

export const honeypotField = "_gotcha"
export const captchaFields = ["frc-captcha-solution", "frc-captcha-response"] as const
const knownFieldNames = new Set<string>([
  "email",
  "body",
  "message",
  "subject",
  "name",
  "language",
  honeypotField,
  ...captchaFields
])
/** A field of the contract (SPEC section 2); any other name is the visitor's own text. */
export const isKnownField = (name: string): boolean => knownFieldNames.has(name)
const maxExtraFields = 20
const maxExtraChars = 2_000
const maxExtraNameChars = 100

// ---------------------------------------------------------------------------------------
// Values

/** Fields in submission order, as sent (names and values are strings). */
export type Fields = ReadonlyArray<readonly [name: string, value: string]>

export type IssueCode =
  | "required"
  | "blank"
  | "too_long"
  | "invalid_email"
  | "not_one_line"
  | "control_characters"
  | "duplicate"
  | "too_many_fields"
  | "bad_field_name"
  | "not_text"
  | "unreadable"

export interface FieldIssue {
  /** The field name as sent, or `_body` for the body as a whole. */
  readonly field: string
  readonly code: IssueCode
  /** The limit, for `too_long` and `too_many_fields`. */
  readonly max?: number
}

export interface ContactForm {
  readonly email: string
  readonly body: string
  readonly subject?: string
  readonly name?: string
  readonly language: Language
  /** The configured provider's token field, when sent (may be empty). */
  readonly captchaToken?: string
  /** Other fields, submission order, empty ones skipped, repeated ones joined. */
  readonly extras: ReadonlyArray<readonly [name: string, value: string]>
}

export type CaptchaVerdict =
  | { readonly _tag: "Verified" }
  | { readonly _tag: "Disabled" }
  | { readonly _tag: "Unverified"; readonly reason: UnverifiedReason }

export type UnverifiedReason =
  | "timeout"
  | "unreachable"
  | `http_${number}`
  | "invalid_response"
  | "secret_unavailable"

/** What the flow did when it did not fail. */
export type Outcome =
  | { readonly _tag: "Sent"; readonly captcha: CaptchaVerdict }
  | { readonly _tag: "Honeypot" }

// ---------------------------------------------------------------------------------------
// Typed errors of the flow (the HTTP status of each lives only in src/http.ts)

export class FormInvalid extends Data.TaggedError("FormInvalid")<{
  readonly issues: ReadonlyArray<FieldIssue>
}> {}

export class CaptchaRejected extends Data.TaggedError("CaptchaRejected")<{
  /** `missing`, `placeholder`, or the provider's error code. */
  readonly reason: string
}> {}

/** The captcha API says our key, sitekey or request is wrong: an owner's problem. */
export class CaptchaMisconfigured extends Data.TaggedError("CaptchaMisconfigured")<{
  readonly status: number
  readonly code: string
}> {}

export type SecretName = "smtp" | "captcha"
export type SecretProblem =
  | "missing"
  | "denied"
  | "malformed"
  | "throttled"
  | "timeout"
  | "unavailable"

export class SecretUnavailable extends Data.TaggedError("SecretUnavailable")<{
  readonly secret: SecretName
  readonly problem: SecretProblem
}> {}

/** The relay refused our credentials (535): the flow refreshes the secret once. */
export class MailAuthRejected extends Data.TaggedError("MailAuthRejected")<{
  readonly code: number
}> {}

/** A permanent refusal (5xx other than authentication): never retried. */
export class MailRejected extends Data.TaggedError("MailRejected")<{
  readonly code: number
}> {}

/** Unreachable, dropped, timed out or temporarily refused, after the retries. */
export class MailUnavailable extends Data.TaggedError("MailUnavailable")<{
  readonly reason: string
}> {}

export type FlowError =
  | FormInvalid
  | CaptchaRejected
  | CaptchaMisconfigured
  | SecretUnavailable
  | MailAuthRejected
  | MailRejected
  | MailUnavailable

// ---------------------------------------------------------------------------------------
// Reading a submission

const present = (value: string | undefined): value is string => value !== undefined && value !== ""

/** The honeypot answers before validation: a bot's form is often invalid too. */
export const isHoneypot = (fields: Fields): boolean =>
  fields.some(([name, value]) => name === honeypotField && value !== "")

/** The submission's `language` field, if any (not validated: unknown means default). */
export const languageField = (fields: Fields): string | undefined =>
  fields.find(([name]) => name === "language")?.[1]

const issueCodes = new Set<string>(["blank", "invalid_email", "not_one_line", "control_characters"])

const issuesOf = (error: ParseResult.ParseError): ReadonlyArray<FieldIssue> =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue): FieldIssue => {
    const field = String(issue.path[0] ?? "_body")
    const [code = "", max] = issue.message.split(":")
    if (code === "too_long") return { field, code, max: Number(max) }
    return { field, code: issueCodes.has(code) ? (code as IssueCode) : "unreadable" }
  })

/**
 * Reads the ordered fields of a parsed body into a ContactForm, or every problem found.
 * `captchaField` is the configured provider's token field (only that one counts);
 * `language` is already resolved to a supported one.
 */
export const decodeForm = (
  fields: Fields,
  options: { readonly captchaField: string | undefined; readonly language: Language }
): Either.Either<ContactForm, FormInvalid> => {
  const issues: Array<FieldIssue> = []
  const known = new Map<string, string>()
  const extras = new Map<string, Array<string>>()
  const sentAs = new Map<string, string>()

  for (const [name, value] of fields) {
    if (knownFieldNames.has(name)) {
      if (known.has(name)) {
        if (!issues.some((i) => i.field === name)) {
          issues.push({ field: name, code: "duplicate" })
        }
        continue
      }
      known.set(name, value)
    } else if (value !== "") {
      const values = extras.get(name) ?? []
      values.push(value)
      extras.set(name, values)
    }
  }

  const bodyName = present(known.get("body")) ? "body" : "message"
  sentAs.set("body", bodyName)
  const candidate: Record<string, string> = {}
  for (const field of ["email", "subject", "name"] as const) {
    const value = known.get(field)
    if (present(value)) candidate[field] = value
  }
  const body = known.get(bodyName)
  if (present(body)) candidate.body = body

  const decoded = decodeKnownFields(candidate)
  if (Either.isLeft(decoded)) {
    for (const issue of issuesOf(decoded.left)) {
      issues.push({ ...issue, field: sentAs.get(issue.field) ?? issue.field })
    }
  }
  if (!present(candidate.email)) issues.push({ field: "email", code: "required" })
  if (!present(candidate.body)) issues.push({ field: bodyName, code: "required" })

  if (extras.size > maxExtraFields) {
    issues.push({ field: "_body", code: "too_many_fields", max: maxExtraFields })
  }
  const extraList: Array<readonly [string, string]> = []
  for (const [name, values] of extras) {
    const joined = values.join(", ")
    if (codePoints(name) > maxExtraNameChars || !oneLine.test(name)) {
      issues.push({ field: "_body", code: "bad_field_name" })
    } else if (codePoints(joined) > maxExtraChars) {
      issues.push({ field: name, code: "too_long", max: maxExtraChars })
    } else if (!messageChars.test(joined)) {
      issues.push({ field: name, code: "control_characters" })
    }
    extraList.push([name, joined])
  }

  if (issues.length > 0 || Either.isLeft(decoded)) {
    return Either.left(new FormInvalid({ issues }))
  }
  const form = decoded.right
  const token = options.captchaField === undefined ? undefined : known.get(options.captchaField)
  return Either.right({
    email: candidate.email ?? "",
    body: candidate.body ?? "",
    ...(form.subject === undefined ? {} : { subject: form.subject }),
    ...(form.name === undefined ? {} : { name: form.name }),
    language: options.language,
    ...(token === undefined ? {} : { captchaToken: token }),
    extras: extraList
  })
}
