/**
 * The form contract of contract §2: the rules of each field, the issue codes they fail
 * with, and `decodeForm`, which reads a submission's fields into a ContactForm.
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { FormInvalid } from "./errors"
import {
  aliasConflict,
  codePoints,
  elapsedField,
  type Fields,
  isKnownField,
  messageChars,
  messageFieldOf,
  oneLine,
  present,
  sendable
} from "./fields"
import { type FieldIssue, type IssueCode, isIssueCode } from "./issues"
import type { Language } from "./languages"

export interface ContactForm {
  readonly email: string
  readonly body: string
  readonly subject?: string
  readonly name?: string
  readonly language: Language
  /** The configured provider's token field, when sent (may be empty). */
  readonly captchaToken?: string
  /** `_t` as written, when sent: the spam judgement reads it (contract §12). */
  readonly elapsed?: string
  /** Other fields, submission order, empty ones skipped, repeated ones joined. */
  readonly extras: ReadonlyArray<readonly [name: string, value: string]>
}

// ---------------------------------------------------------------------------------------
// The rules

/** The longest value of each known field, in code points. */
export const maxChars = { email: 254, body: 10_000, subject: 200, name: 200 } as const
export const maxExtraFields = 20
export const maxExtraChars = 2_000
export const maxExtraNameChars = 100

/** The HTML `type=email` rule (WHATWG "valid e-mail address"), ASCII only. */
const htmlEmail =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/

/**
 * A rule fails with its issue code as the message, so that no other text can arrive; the
 * first rule a field fails is its only issue (the check aborts the field's other checks).
 */
const rule = (code: IssueCode, holds: (s: string) => boolean) =>
  Schema.makeFilter((s: string) => holds(s) || code, undefined, true)

const within = (max: number) => rule("too_long", (s) => codePoints(s) <= max)
/** First in every field: text that cannot travel is refused before what it says is judged. */
const sendableText = rule("invalid_characters", (s) => sendable.test(s))

const Email = Schema.String.check(
  sendableText,
  within(maxChars.email),
  rule("invalid_email", (s) => htmlEmail.test(s))
)

const Message = Schema.String.check(
  sendableText,
  rule("blank", (s) => s.trim().length > 0),
  within(maxChars.body),
  rule("control_characters", (s) => messageChars.test(s))
)

const OneLine = (max: number) =>
  Schema.String.check(
    sendableText,
    within(max),
    rule("not_one_line", (s) => oneLine.test(s))
  )

/** The known fields after aliasing; empty optional fields were already dropped. */
const KnownFields = Schema.Struct({
  email: Schema.optionalKey(Email),
  body: Schema.optionalKey(Message),
  subject: Schema.optionalKey(OneLine(maxChars.subject)),
  name: Schema.optionalKey(OneLine(maxChars.name))
})

const decodeKnownFields = Schema.decodeUnknownResult(KnownFields, { errors: "all" })

/** Each issue with its path and message: our codes only, never the input. */
const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

const limits: Readonly<Record<string, number>> = maxChars
const limitOf = (field: string): number => (Object.hasOwn(limits, field) ? (limits[field] ?? 0) : 0)

const issuesOf = (error: Schema.SchemaError): ReadonlyArray<FieldIssue> =>
  formatIssues(error.issue).issues.map((issue): FieldIssue => {
    const field = String(issue.path?.[0] ?? "_body")
    // Every rule's message is an IssueCode; anything else is Schema's own (not a string).
    const code = isIssueCode(issue.message) ? issue.message : "unreadable"
    return code === "too_long" ? { field, code, max: limitOf(field) } : { field, code }
  })

// ---------------------------------------------------------------------------------------
// Reading a submission

/**
 * Reads the ordered fields of a parsed body into a ContactForm, or every problem found.
 * `captchaField` is the configured provider's token field (only that one counts);
 * `language` is already resolved to a supported one.
 */
export const decodeForm = (
  fields: Fields,
  options: { readonly captchaField: string | undefined; readonly language: Language }
): Result.Result<ContactForm, FormInvalid> => {
  const issues: Array<FieldIssue> = []
  const known = new Map<string, string>()
  const extras = new Map<string, Array<string>>()

  for (const [name, value] of fields) {
    if (isKnownField(name)) {
      if (known.has(name)) {
        if (!issues.some((i) => i.field === name)) issues.push({ field: name, code: "duplicate" })
        continue
      }
      known.set(name, value)
    } else if (value !== "") {
      const values = extras.get(name) ?? []
      values.push(value)
      extras.set(name, values)
    }
  }

  const bodyName = messageFieldOf((name) => known.get(name))
  // Both `body` and `message` non-empty: each is named, as sent; the message's own rules
  // wait until one field carries it (contract §2).
  const conflict = aliasConflict((name) => known.get(name))
  const candidate: Record<string, string> = {}
  for (const field of ["email", "subject", "name"] as const) {
    const value = known.get(field)
    if (present(value)) candidate[field] = value
  }
  const body = known.get(bodyName)
  if (present(body) && !conflict) candidate.body = body

  const decoded = decodeKnownFields(candidate)
  if (Result.isFailure(decoded)) {
    for (const issue of issuesOf(decoded.failure)) {
      issues.push(issue.field === "body" ? { ...issue, field: bodyName } : issue)
    }
  }
  if (!present(candidate.email)) issues.push({ field: "email", code: "required" })
  if (conflict) {
    for (const name of known.keys()) {
      if (name === "body" || name === "message")
        issues.push({ field: name, code: "alias_conflict" })
    }
  } else if (!present(candidate.body)) issues.push({ field: bodyName, code: "required" })

  if (extras.size > maxExtraFields) {
    issues.push({ field: "_body", code: "too_many_fields", max: maxExtraFields })
  }
  const extraList: Array<readonly [string, string]> = []
  for (const [name, values] of extras) {
    const joined = values.join(", ")
    if (codePoints(name) > maxExtraNameChars || !oneLine.test(name) || !sendable.test(name)) {
      issues.push({ field: "_body", code: "bad_field_name" })
    } else if (!sendable.test(joined)) {
      issues.push({ field: name, code: "invalid_characters" })
    } else if (codePoints(joined) > maxExtraChars) {
      issues.push({ field: name, code: "too_long", max: maxExtraChars })
    } else if (!messageChars.test(joined)) {
      issues.push({ field: name, code: "control_characters" })
    }
    extraList.push([name, joined])
  }

  if (issues.length > 0 || Result.isFailure(decoded)) {
    return Result.fail(new FormInvalid({ issues }))
  }
  const form = decoded.success
  const token = options.captchaField === undefined ? undefined : known.get(options.captchaField)
  const elapsed = known.get(elapsedField)
  return Result.succeed({
    email: candidate.email ?? "",
    body: candidate.body ?? "",
    ...(form.subject === undefined ? {} : { subject: form.subject }),
    ...(form.name === undefined ? {} : { name: form.name }),
    language: options.language,
    ...(token === undefined ? {} : { captchaToken: token }),
    ...(elapsed === undefined ? {} : { elapsed }),
    extras: extraList
  })
}
