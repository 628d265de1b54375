/**
 * Several forms in one deployment (contract §10): `FORMS` (JSON) or `FORMS_FILE` (a path
 * to the same JSON), decoded with Schema so that every problem is one line naming its path
 * (`FORMS.acme.to: …`) and never a value.
 */
import { readFileSync } from "node:fs"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import type { CaptchaProvider } from "../domain/captcha-providers"
import type { Fallback, Mailbox } from "../domain/contact"
import type { Language } from "../domain/languages"
import { all, type Problem, type Reading, type ValueOf, written } from "./env"
import { Settings } from "./forms-schema"
import type { SpamPolicy } from "./spam"

/** One form's own settings, as written (the deployment's fill what it leaves out). */
export interface FormSettings {
  readonly to: ReadonlyArray<Mailbox>
  readonly successUrl: string
  readonly successUrls: Readonly<Partial<Record<Language, string>>>
  readonly fallback: Fallback
  readonly origins: ReadonlyArray<string> | undefined
  readonly subjectPrefix: string | undefined
  readonly from: Mailbox | undefined
  readonly captchaProvider: CaptchaProvider | undefined
  readonly captchaSecretId: string | undefined
  /** Its channels and their settings (contract §11); unset ones are the deployment's. */
  readonly channels: ReadonlyArray<string> | undefined
  readonly webhookUrl: string | undefined
  readonly webhookSecretId: string | undefined
  readonly slackSecretId: string | undefined
  readonly discordSecretId: string | undefined
  /** Its spam judgement (contract §12); unset ones are the deployment's. */
  readonly spamPolicy: SpamPolicy | undefined
  readonly spamThreshold: number | undefined
}

const formIdPattern = /^[a-z0-9-]{1,40}$/

const settingNames: ReadonlySet<string> = new Set(Object.keys(Settings.fields))

const Forms = Schema.Record(Schema.String, Settings).annotate({
  message: "must be an object of form id: settings"
})

type FormsProblem = Problem

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

const decodeForms = Schema.decodeUnknownResult(Forms, {
  errors: "all",
  // Settings that are not settings are named by `namingProblems`, with their paths.
  onExcessProperty: "ignore"
})

/** Each issue one problem, our messages only: the input is never reported. */
const issues = SchemaIssue.makeFormatterStandardSchemaV1()

/** `FORMS` (or `FORMS_FILE`) into settings by form id, or one problem per path. */
const read = (variable: string, json: string): Reading<ReadonlyMap<string, FormSettings>> => {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return Result.fail([{ path: [variable], message: "is not JSON" }])
  }
  const decoded = decodeForms(value)
  const problems = [
    ...namingProblems(variable, value),
    ...(Result.isFailure(decoded)
      ? issues(decoded.failure.issue).issues.map((issue) => ({
          path: [variable, ...(issue.path ?? []).map(String)],
          message: issue.message
        }))
      : [])
  ]
  if (problems.length > 0 || Result.isFailure(decoded)) return Result.fail(problems)
  return Result.succeed(
    new Map(
      Object.entries(decoded.success).map(([id, f]): [string, FormSettings] => [
        id,
        {
          to: f.to,
          successUrl: f.successUrl,
          successUrls: f.successUrls ?? {},
          fallback: { email: f.fallbackEmail, phone: f.fallbackPhone },
          origins: f.origins,
          subjectPrefix: f.subjectPrefix,
          from: f.from,
          captchaProvider: f.captchaProvider,
          captchaSecretId: f.captchaSecretId,
          channels: f.channels,
          webhookUrl: f.webhookUrl,
          webhookSecretId: f.webhookSecretId,
          slackSecretId: f.slackSecretId,
          discordSecretId: f.discordSecretId,
          spamPolicy: f.spamPolicy,
          spamThreshold: f.spamThreshold
        }
      ])
    )
  )
}

export const formsVariables = all({ json: written("FORMS"), file: written("FORMS_FILE") })

type FormsVariables = ValueOf<typeof formsVariables>

/** The forms FORMS or FORMS_FILE define (none without them), or every problem found. */
export const readForms = (v: FormsVariables): Reading<ReadonlyMap<string, FormSettings>> => {
  if (v.json !== undefined && v.file !== undefined) {
    return Result.fail([
      { path: ["FORMS_FILE"], message: "not together with FORMS (one list of forms)" }
    ])
  }
  if (v.file !== undefined) {
    let json: string
    try {
      json = readFileSync(v.file, "utf8")
    } catch {
      return Result.fail([{ path: ["FORMS_FILE"], message: "cannot read this file" }])
    }
    return read("FORMS_FILE", json)
  }
  return v.json === undefined ? Result.succeed(new Map()) : read("FORMS", v.json)
}
