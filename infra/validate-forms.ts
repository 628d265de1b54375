// The forms as far as the construct can know them at synth time (contract §10): `forms` as
// objects, as a JSON string, or the FORMS_FILE in the zip. Known forms are checked for
// what the deployment depends on (ids, required settings, channels and what each needs,
// spam settings, secret names that end up in IAM ARNs), and give the secrets to grant and
// whether a form uses ALTCHA. Forms given as a token stay unknown until cold start.
import AdmZip from "adm-zip"
import { captchaProviderIds } from "../src/domain/captcha-providers.js"
import { type ChannelKind, channelKinds } from "../src/domain/channels.js"
import { isDeployTime } from "./decision.js"
import { EMAIL, FORM_ID, HTTPS_URL, SECRET_NAME, URL } from "./patterns.js"
import type { Problems } from "./problems.js"
import type { ChannelsProps, ContactFormProps } from "./props.js"
import { SPAM_THRESHOLD, spamPolicies } from "./spam.js"

/** A form's settings as JSON holds them. */
export type KnownForm = Readonly<Record<string, unknown>>

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const fromJson = (prop: string, json: string, problems: Problems) => {
  try {
    const parsed: unknown = JSON.parse(json)
    if (isRecord(parsed)) return new Map(Object.entries(parsed))
    problems.add(prop, "must be a JSON object of form id to settings")
  } catch {
    problems.add(prop, "must be JSON")
  }
  return new Map<string, unknown>()
}

/** The forms, by id, or undefined when they are known only at deploy time. */
export const knownForms = (
  props: ContactFormProps,
  problems: Problems
): { readonly prop: string; readonly forms: ReadonlyMap<string, unknown> } | undefined => {
  const { forms, formsFile } = props
  if (typeof forms === "string") {
    return isDeployTime(forms)
      ? undefined
      : { prop: "forms", forms: fromJson("forms", forms, problems) }
  }
  if (forms !== undefined) return { prop: "forms", forms: new Map(Object.entries(forms)) }
  if (formsFile === undefined || isDeployTime(formsFile)) return undefined
  const prop = `formsFile (${formsFile})`
  const entry = formsFile.includes("/") ? null : new AdmZip(props.codePath).getEntry(formsFile)
  if (entry === null || !formsFile.endsWith(".json")) {
    problems.add(
      "formsFile",
      "must name a JSON file at the zip's root (`npm run build -- --forms <file>`)"
    )
    return undefined
  }
  return { prop, forms: fromJson(prop, entry.getData().toString("utf8"), problems) }
}

/** The settings each channel needs: the form's key, and the deployment's prop it inherits. */
const needs: Record<ChannelKind, ReadonlyArray<readonly [string, keyof ChannelsProps]>> = {
  mail: [],
  webhook: [
    ["webhookUrl", "webhookUrl"],
    ["webhookSecretId", "webhookSecretName"]
  ],
  slack: [["slackSecretId", "slackSecretName"]],
  discord: [["discordSecretId", "discordSecretName"]]
}

const isChannelKind = (kind: string): kind is ChannelKind =>
  (channelKinds as ReadonlyArray<string>).includes(kind)

/** A channel list: not empty, known kinds, each once; each kind's settings given somewhere. */
export const checkChannels = (
  prop: string,
  kinds: ReadonlyArray<string>,
  /** What is missing for a setting a channel needs (named), or undefined. */
  missing: (formKey: string, deploymentProp: keyof ChannelsProps) => string | undefined,
  problems: Problems
) => {
  if (isDeployTime(kinds) || kinds.some(isDeployTime)) return
  if (kinds.length === 0) problems.add(prop, "must name at least one channel")
  for (const [i, kind] of kinds.entries()) {
    if (!isChannelKind(kind)) {
      problems.add(prop, `must list only ${channelKinds.join(", ")}`)
    } else if (kinds.indexOf(kind) !== i) {
      problems.add(prop, `lists ${kind} twice`)
    } else {
      for (const [key, deploymentProp] of needs[kind]) {
        const name = missing(key, deploymentProp)
        if (name !== undefined) problems.add(prop, `the ${kind} channel needs ${name}`)
      }
    }
  }
}

const text = (form: KnownForm, key: string): string | undefined => {
  const value = form[key]
  return typeof value === "string" ? value : undefined
}

/** One form's checks; `channels` are the deployment's, which it inherits. */
const checkForm = (prop: string, form: KnownForm, channels: ChannelsProps, problems: Problems) => {
  for (const key of ["to", "successUrl", "fallbackEmail"]) {
    if (text(form, key) === undefined) problems.add(`${prop}.${key}`, "is required")
  }
  problems.pattern(`${prop}.successUrl`, text(form, "successUrl"), URL, "must be an http(s) URL")
  problems.pattern(
    `${prop}.fallbackEmail`,
    text(form, "fallbackEmail"),
    EMAIL,
    "must be an address"
  )
  problems.oneOf(`${prop}.captchaProvider`, text(form, "captchaProvider"), captchaProviderIds)
  for (const key of ["captchaSecretId", "webhookSecretId", "slackSecretId", "discordSecretId"]) {
    problems.pattern(`${prop}.${key}`, text(form, key), SECRET_NAME, "must be a secret's name")
  }
  problems.pattern(
    `${prop}.webhookUrl`,
    text(form, "webhookUrl"),
    HTTPS_URL,
    "must be an https URL"
  )
  problems.oneOf(`${prop}.spamPolicy`, text(form, "spamPolicy"), spamPolicies)
  const threshold = form.spamThreshold
  if (threshold !== undefined) {
    if (typeof threshold !== "number") problems.add(`${prop}.spamThreshold`, "must be a number")
    else
      problems.wholeNumber(
        `${prop}.spamThreshold`,
        threshold,
        SPAM_THRESHOLD.min,
        SPAM_THRESHOLD.max
      )
  }
  const own = form.channels
  if (own !== undefined && !(Array.isArray(own) && own.every((k) => typeof k === "string"))) {
    return problems.add(`${prop}.channels`, "must be a list of channels")
  }
  const kinds: ReadonlyArray<string> = own ?? channels.kinds ?? ["mail"]
  checkChannels(
    `${prop}.channels`,
    kinds,
    (key, deploymentProp) =>
      form[key] === undefined && channels[deploymentProp] === undefined
        ? `${key} (or channels.${deploymentProp})`
        : undefined,
    problems
  )
}

export const checkForms = (
  known: { readonly prop: string; readonly forms: ReadonlyMap<string, unknown> },
  channels: ChannelsProps,
  problems: Problems
) => {
  for (const [id, form] of known.forms) {
    const prop = `${known.prop}.${id}`
    if (!new RegExp(FORM_ID).test(id)) problems.add(prop, "a form id is 1 to 40 of a-z, 0-9 and -")
    if (isRecord(form)) checkForm(prop, form, channels, problems)
    else problems.add(prop, "must be an object of settings")
  }
}

/** The values the forms give `key` (a secret's name, a provider), each once. */
export const valuesOf = (
  forms: ReadonlyMap<string, unknown> | undefined,
  key: string
): ReadonlyArray<string> => [
  ...new Set(
    [...(forms?.values() ?? [])].flatMap((form) => {
      const value = isRecord(form) ? form[key] : undefined
      return typeof value === "string" ? [value] : []
    })
  )
]
