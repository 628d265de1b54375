/**
 * Several forms in one deployment (SPEC section 10): `FORMS` (JSON) or `FORMS_FILE` (a path
 * to the same JSON), decoded with Schema so that every problem is one line naming its path
 * (`FORMS.acme.to: …`) and never a value.
 */
import { readFileSync } from "node:fs"
import * as Config from "effect/Config"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { Fallback, Mailbox } from "../domain/contact"
import { isLanguage, type Language, languages } from "../domain/languages"
import { optional } from "./readers"
import {
  emailAddressRule,
  oneLineRule,
  oneMailbox,
  originRule,
  phoneRule,
  type Rule,
  someMailboxes,
  successUrlRule
} from "./rules"

/** One form's own settings, as written (the deployment's fill what it leaves out). */
export interface FormSettings {
  readonly to: ReadonlyArray<Mailbox>
  readonly successUrl: string
  readonly successUrls: Readonly<Partial<Record<Language, string>>>
  readonly fallback: Fallback
  readonly origins: ReadonlyArray<string> | undefined
  readonly subjectPrefix: string | undefined
  readonly from: Mailbox | undefined
  readonly captchaSecretId: string | undefined
}

const formIdPattern = /^[a-z0-9-]{1,40}$/

const text = Schema.String.annotations({ message: () => "must be text" })

/** A string read by a rule: the rule's reason is the message, the value never is. */
const byRule = <A>(rule: Rule<A>) =>
  Schema.transformOrFail(text, Schema.Any, {
    strict: false,
    decode: (raw, _, ast) =>
      Either.match(rule(raw), {
        onLeft: (reason) => ParseResult.fail(new ParseResult.Type(ast, raw, reason)),
        onRight: (value) => ParseResult.succeed(value)
      }),
    encode: (value) => ParseResult.succeed(String(value))
  })

const nonEmpty = text.pipe(Schema.minLength(1, { message: () => "must not be empty" }))

const Settings = Schema.Struct({
  to: byRule(someMailboxes),
  successUrl: byRule(successUrlRule),
  successUrls: Schema.optionalWith(
    Schema.Record({ key: Schema.String, value: byRule(successUrlRule) })
      .annotations({ message: () => "must be an object of language: URL" })
      .pipe(
        Schema.filter((urls) =>
          Object.keys(urls)
            .filter((key) => !isLanguage(key))
            .map((key) => ({
              path: [key],
              message: `is not a supported language (${languages.join(", ")})`
            }))
        )
      ),
    { exact: true }
  ),
  origins: Schema.optionalWith(
    // Not empty: a form listing no origin would refuse every browser (ALLOWED_ORIGINS too
    // refuses an empty list; to allow any origin, leave both out).
    Schema.Array(byRule(originRule))
      .annotations({ message: () => "must be a list of origins" })
      .pipe(Schema.minItems(1, { message: () => "must list an origin (leave it out for any)" })),
    { exact: true }
  ),
  fallbackEmail: byRule(emailAddressRule),
  fallbackPhone: Schema.optionalWith(byRule(phoneRule), { exact: true }),
  subjectPrefix: Schema.optionalWith(byRule(oneLineRule), { exact: true }),
  from: Schema.optionalWith(byRule(oneMailbox), { exact: true }),
  captchaSecretId: Schema.optionalWith(nonEmpty, { exact: true })
}).annotations({ message: () => "must be an object of settings" })

const settingNames: ReadonlySet<string> = new Set(Object.keys(Settings.fields))

const Forms = Schema.Record({ key: Schema.String, value: Settings }).annotations({
  message: () => "must be an object of form id: settings"
})

/** One problem of FORMS: where (`FORMS.acme.to`, as path parts) and why. */
interface FormsProblem {
  readonly path: ReadonlyArray<string>
  readonly message: string
}

/** Ids that are not ids, and settings that are not settings (a typo would go unnoticed). */
const namingProblems = (variable: string, value: unknown): ReadonlyArray<FormsProblem> =>
  typeof value !== "object" || value === null || Array.isArray(value)
    ? []
    : Object.entries(value).flatMap(([id, settings]: [string, unknown]) => [
        ...(formIdPattern.test(id)
          ? []
          : [
              { path: [variable, id], message: "is not a form id ([a-z0-9-], 1 to 40 characters)" }
            ]),
        ...(typeof settings === "object" && settings !== null && !Array.isArray(settings)
          ? Object.keys(settings)
              .filter((name) => !settingNames.has(name))
              .map((name) => ({ path: [variable, id, name], message: "is not a setting" }))
          : [])
      ])

const decodeForms = Schema.decodeUnknownEither(Forms, {
  errors: "all",
  onExcessProperty: "preserve"
})

/** `FORMS` (or `FORMS_FILE`) into settings by form id, or one problem per path. */
const read = (
  variable: string,
  json: string
): Either.Either<ReadonlyMap<string, FormSettings>, ReadonlyArray<FormsProblem>> => {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return Either.left([{ path: [variable], message: "is not JSON" }])
  }
  const decoded = decodeForms(value)
  const problems = [
    ...namingProblems(variable, value),
    ...(Either.isLeft(decoded)
      ? ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((issue) => ({
          path: [variable, ...issue.path.map(String)],
          message: issue.message
        }))
      : [])
  ]
  if (problems.length > 0 || Either.isLeft(decoded)) return Either.left(problems)
  return Either.right(
    new Map(
      Object.entries(decoded.right).map(([id, f]): [string, FormSettings] => [
        id,
        {
          to: f.to,
          successUrl: f.successUrl,
          successUrls: f.successUrls ?? {},
          fallback: { email: f.fallbackEmail, phone: f.fallbackPhone },
          origins: f.origins,
          subjectPrefix: f.subjectPrefix,
          from: f.from,
          captchaSecretId: f.captchaSecretId
        }
      ])
    )
  )
}

export const formsVariables = Config.all({
  json: optional(Config.string("FORMS")),
  file: optional(Config.string("FORMS_FILE"))
})

type FormsVariables = Config.Config.Success<typeof formsVariables>

/** The forms FORMS or FORMS_FILE define (none without them), or every problem found. */
export const readForms = (
  v: FormsVariables
): Either.Either<ReadonlyMap<string, FormSettings>, ReadonlyArray<FormsProblem>> => {
  if (v.json !== undefined && v.file !== undefined) {
    return Either.left([
      { path: ["FORMS_FILE"], message: "not together with FORMS (one list of forms)" }
    ])
  }
  if (v.file !== undefined) {
    let json: string
    try {
      json = readFileSync(v.file, "utf8")
    } catch {
      return Either.left([{ path: ["FORMS_FILE"], message: "cannot read this file" }])
    }
    return read("FORMS_FILE", json)
  }
  return v.json === undefined ? Either.right(new Map()) : read("FORMS", v.json)
}
