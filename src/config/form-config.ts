/**
 * The forms of a deployment (contract §10), assembled: the default form from the
 * single-form variables, the others from FORMS, each filling what it leaves out from the
 * deployment's own settings.
 */
import * as Result from "effect/Result"
import type { CaptchaProvider } from "../domain/captcha-providers"
import { type Channel, defaultChannels } from "../domain/channels"
import type { Fallback, Mailbox } from "../domain/contact"
import type { Language } from "../domain/languages"
import type { FormConfig } from "./app-config"
import { all, andThen, written } from "./env"
import { type FormSettings, formsVariables, readForms } from "./forms"
import { emailAddress, mailboxList, orNothing, successUrl } from "./readers"
import type { SpamSettings } from "./spam"

/** FORMS decoded beside every other variable: its problems are listed with theirs. */
export const forms = formsVariables.pipe(andThen(readForms))

/**
 * The default form's own variables: required without FORMS (contract §6); with FORMS,
 * all three or none (none: no default form, /contact answers 404). Which are required is
 * judged from the variables as written, beside their own checks, so that a bad MAIL_TO and
 * a missing FALLBACK_EMAIL are both listed.
 */
const defaultFormNames = ["MAIL_TO", "SUCCESS_URL", "FALLBACK_EMAIL"] as const

const defaultFormRequired = all({
  given: formsVariables,
  written: all<ReadonlyArray<string | undefined>>(defaultFormNames.map(written))
}).pipe(
  andThen(({ given, written: values }) => {
    const some = values.some((value) => value !== undefined)
    const needed = some || (given.json === undefined && given.file === undefined)
    const missing = needed ? defaultFormNames.filter((_, i) => values[i] === undefined) : []
    return missing.length === 0
      ? Result.succeed(some)
      : Result.fail(missing.map((name) => ({ path: [name], message: "is required" })))
  })
)

export const defaultFormVariables = all({
  required: defaultFormRequired,
  mailTo: mailboxList("MAIL_TO", orNothing),
  successUrl: successUrl("SUCCESS_URL", orNothing),
  fallbackEmail: emailAddress("FALLBACK_EMAIL", orNothing)
}).pipe(
  andThen(({ fallbackEmail, mailTo, successUrl: url }) =>
    Result.succeed(
      mailTo !== undefined && url !== undefined && fallbackEmail !== undefined
        ? { mailTo, successUrl: url, fallbackEmail }
        : undefined
    )
  )
)

/** What a form of FORMS takes from the deployment when it says nothing (contract §10). */
export interface FormDefaults {
  readonly mailFrom: Mailbox
  readonly subjectPrefix: string
  readonly allowedOrigins: ReadonlyArray<string> | undefined
  readonly captchaProvider: CaptchaProvider
  readonly captchaSecretId: string
  readonly spam: SpamSettings
}

/** Every form, the default one first when the single-form variables make it. */
export const formConfigs = (
  defaults: FormDefaults,
  single:
    | {
        readonly mailTo: ReadonlyArray<Mailbox>
        readonly successUrl: string
        readonly successUrls: Readonly<Partial<Record<Language, string>>>
        readonly fallback: Fallback
      }
    | undefined,
  others: ReadonlyMap<string, FormSettings>,
  channels: ReadonlyMap<string, ReadonlyArray<Channel>>
): ReadonlyMap<string, FormConfig> =>
  new Map([
    ...(single === undefined
      ? []
      : [
          [
            "default",
            {
              id: "default",
              ...defaults,
              mailTo: single.mailTo,
              successUrl: { default: single.successUrl, byLanguage: single.successUrls },
              fallback: single.fallback,
              channels: channels.get("default") ?? defaultChannels
            }
          ] as const
        ]),
    ...[...others].map(
      ([id, f]) =>
        [
          id,
          {
            id,
            mailFrom: f.from ?? defaults.mailFrom,
            mailTo: f.to,
            subjectPrefix: f.subjectPrefix ?? defaults.subjectPrefix,
            successUrl: { default: f.successUrl, byLanguage: f.successUrls },
            fallback: f.fallback,
            allowedOrigins: f.origins ?? defaults.allowedOrigins,
            captchaProvider: f.captchaProvider ?? defaults.captchaProvider,
            captchaSecretId: f.captchaSecretId ?? defaults.captchaSecretId,
            channels: channels.get(id) ?? defaultChannels,
            spam: {
              policy: f.spamPolicy ?? defaults.spam.policy,
              threshold: f.spamThreshold ?? defaults.spam.threshold
            }
          }
        ] as const
    )
  ])
