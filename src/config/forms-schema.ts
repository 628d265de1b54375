/**
 * One form's settings in FORMS (contract §10), as a Schema: each read by the same rule as
 * its variable (./rules.ts), so a setting means the same wherever it is written; the rule's
 * reason is the message, the value never is.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
import { isLanguage, languages } from "../domain/languages"
import {
  captchaProviderRule,
  emailAddressRule,
  oneLineRule,
  oneMailbox,
  oneOfRule,
  originRule,
  phoneRule,
  type Rule,
  someMailboxes,
  successUrlRule
} from "./rules"
import { spamPolicies } from "./spam"

const text = Schema.String.annotate({ message: "must be text" })

/** A string read by a rule: the rule's reason is the message, the value never is. */
const byRule = <A>(rule: Rule<A>) =>
  text.pipe(
    Schema.decodeTo(
      Schema.Any,
      SchemaTransformation.transformEffect({
        decode: (raw: string, options) =>
          Result.match(rule(raw), {
            onFailure: (reason) =>
              Effect.fail(
                new SchemaIssue.InvalidValue({ message: reason }, Option.some(raw), options)
              ),
            onSuccess: (value): Effect.Effect<A> => Effect.succeed(value)
          }),
        encode: (value) => Effect.succeed(String(value))
      })
    )
  )

const nonEmpty = text.check(Schema.isMinLength(1, { message: "must not be empty" }))

/** A setting every form must have. */
const required = <S extends Schema.Top>(schema: S) =>
  schema.pipe(Schema.annotateKey({ messageMissingKey: "is missing" }))

export const Settings = Schema.Struct({
  to: required(byRule(someMailboxes)),
  successUrl: required(byRule(successUrlRule)),
  successUrls: Schema.optionalKey(
    Schema.Record(Schema.String, byRule(successUrlRule))
      .annotate({ message: "must be an object of language: URL" })
      .check(
        Schema.makeFilter((urls: Readonly<Record<string, unknown>>) =>
          Object.keys(urls)
            .filter((key) => !isLanguage(key))
            .map((key) => ({
              path: [key],
              issue: `is not a supported language (${languages.join(", ")})`
            }))
        )
      )
  ),
  origins: Schema.optionalKey(
    // Not empty: a form listing no origin would refuse every browser (ALLOWED_ORIGINS too
    // refuses an empty list; to allow any origin, leave both out).
    Schema.Array(byRule(originRule))
      .annotate({ message: "must be a list of origins" })
      .check(Schema.isMinLength(1, { message: "must list an origin (leave it out for any)" }))
  ),
  fallbackEmail: required(byRule(emailAddressRule)),
  fallbackPhone: Schema.optionalKey(byRule(phoneRule)),
  subjectPrefix: Schema.optionalKey(byRule(oneLineRule)),
  from: Schema.optionalKey(byRule(oneMailbox)),
  captchaProvider: Schema.optionalKey(byRule(captchaProviderRule)),
  captchaSecretId: Schema.optionalKey(nonEmpty),
  channels: Schema.optionalKey(
    Schema.Array(nonEmpty).annotate({ message: "must be a list of channels" })
  ),
  webhookUrl: Schema.optionalKey(nonEmpty),
  webhookSecretId: Schema.optionalKey(nonEmpty),
  slackSecretId: Schema.optionalKey(nonEmpty),
  discordSecretId: Schema.optionalKey(nonEmpty),
  spamPolicy: Schema.optionalKey(byRule(oneOfRule(spamPolicies))),
  spamThreshold: Schema.optionalKey(
    Schema.Number.annotate({ message: "must be a whole number from 1 to 100" }).check(
      Schema.makeFilter((n: number) =>
        Number.isInteger(n) && n >= 1 && n <= 100
          ? undefined
          : "must be a whole number from 1 to 100"
      )
    )
  )
}).annotate({ message: "must be an object of settings" })
