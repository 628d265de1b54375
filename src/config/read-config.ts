/**
 * `readConfig`: the environment into the one AppConfig (contract §6), every variable
 * decoded together so that a bad start lists every problem at once and never a value.
 */
import { randomBytes } from "node:crypto"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import type { Channel } from "../domain/channels"
import { languages } from "../domain/languages"
import { bodyBytesForEveryForm } from "../domain/limits"
import type { AppConfig } from "./app-config"
import { captchaConfig, captchaVariables } from "./captcha"
import { channelVariables } from "./channels"
import { all, ConfigInvalid, decodeEnv, describe, type Env, orNone, type ValueOf } from "./env"
import { deploymentChannels } from "./form-channels"
import { defaultFormVariables, formConfigs, forms } from "./form-config"
import { limitVariables } from "./limits"
import { isLoopback } from "./loopback"
import { queueConfig, queueProblems, queueVariables, type Runtime } from "./queue"
import {
  boolean,
  fileContent,
  logLevel,
  mailbox,
  oneLineText,
  orDefault,
  origins,
  orNothing,
  phone,
  positiveInt,
  secretKey,
  smtpUrl,
  successUrl,
  wholeNumber
} from "./readers"
import { defaultSmtpSecretId, region } from "./region"
import { akismetConfig, spamVariables } from "./spam"
import { storeConfig, storeVariables } from "./store"
import { transportConfig, transportProblems, transportVariables } from "./transport"

const successUrls = all<Readonly<Record<string, string | undefined>>>(
  Object.fromEntries(
    languages.map((lang) => [lang, successUrl(`SUCCESS_URL_${lang.toUpperCase()}`, orNothing)])
  )
)

const variables = all({
  mailFrom: mailbox("MAIL_FROM"),
  subjectPrefix: oneLineText("SUBJECT_PREFIX", orDefault("[Contact] ")),
  defaultForm: defaultFormVariables,
  forms,
  successUrls,
  fallbackPhone: phone("FALLBACK_PHONE", orNothing),
  allowedOrigins: origins("ALLOWED_ORIGINS", orNothing),
  maxBodyBytes: positiveInt("MAX_BODY_BYTES", bodyBytesForEveryForm, 6_000_000),
  logLevel: logLevel("LOG_LEVEL"),
  captcha: captchaVariables,
  region,
  secretsTtlSeconds: positiveInt("SECRETS_TTL_SECONDS", 300, 86_400),
  secretsTimeoutMs: positiveInt("SECRETS_TIMEOUT_MS", 3_000, 30_000),
  smtpUrl: smtpUrl("SMTP_URL", orNothing),
  smtpAllowInsecure: boolean("SMTP_ALLOW_INSECURE"),
  smtpCa: fileContent("SMTP_TLS_CA_FILE", orNothing),
  smtpSecretId: orNone("SMTP_SECRET_ID", defaultSmtpSecretId),
  mailTimeoutMs: positiveInt("MAIL_TIMEOUT_MS", 10_000, 60_000),
  queue: queueVariables,
  transport: transportVariables,
  limits: limitVariables,
  metricsNamespace: oneLineText("METRICS_NAMESPACE", orDefault("ContactForm")),
  submissionIdKey: secretKey("SUBMISSION_ID_KEY", orNothing),
  unknownRetryMinutes: wholeNumber("UNKNOWN_RETRY_MINUTES", 10, 0, 24 * 60),
  store: storeVariables,
  channels: channelVariables,
  spam: spamVariables
})

type Variables = ValueOf<typeof variables>

/** The checks across variables, once each one decoded. */
const crossChecks = (c: Variables, runtime: Runtime): ReadonlyArray<string> => {
  const problems: Array<string> = [
    ...queueProblems(c.queue, runtime),
    ...transportProblems(c.transport),
    ...(c.defaultForm !== undefined && c.forms.has("default")
      ? ["FORMS.default: MAIL_TO, SUCCESS_URL and FALLBACK_EMAIL make the form default already"]
      : [])
  ]
  if (c.smtpAllowInsecure) {
    const url = c.smtpUrl
    if (url === undefined || url.protocol === "smtps:" || !isLoopback(url.hostname)) {
      problems.push("SMTP_ALLOW_INSECURE: only allowed with an smtp:// URL to a loopback host")
    }
    if (c.smtpSecretId !== undefined) {
      problems.push(
        "SMTP_ALLOW_INSECURE: only allowed with SMTP_SECRET_ID empty (credentials never travel unencrypted)"
      )
    }
  }
  return problems
}

/** Every form's channels, or their problems (contract §11). */
const channelsOf = (c: Variables) =>
  deploymentChannels(c.channels, c.forms, c.defaultForm !== undefined)

const toAppConfig = (
  c: Variables,
  cwd: string,
  channels: ReadonlyMap<string, ReadonlyArray<Channel>>
): AppConfig => {
  // Without SMTP_URL the region is set: the AWS_REGION rule above requires it then.
  const url = c.smtpUrl ?? new URL(`smtps://email-smtp.${c.region}.amazonaws.com:465`)
  const implicitTls = url.protocol === "smtps:"
  const single = c.defaultForm
  return {
    forms: formConfigs(
      {
        mailFrom: c.mailFrom,
        subjectPrefix: c.subjectPrefix,
        allowedOrigins: c.allowedOrigins,
        captchaProvider: c.captcha.provider,
        captchaSecretId: c.captcha.secretId,
        spam: { policy: c.spam.policy, threshold: c.spam.threshold }
      },
      single === undefined
        ? undefined
        : {
            mailTo: single.mailTo,
            successUrl: single.successUrl,
            successUrls: Object.fromEntries(
              Object.entries(c.successUrls).filter((entry): entry is [string, string] => !!entry[1])
            ),
            fallback: { email: single.fallbackEmail, phone: c.fallbackPhone }
          },
      c.forms,
      channels
    ),
    maxBodyBytes: c.maxBodyBytes,
    logLevel: c.logLevel,
    captcha: captchaConfig(c.captcha),
    secrets: { region: c.region, ttlSeconds: c.secretsTtlSeconds, timeoutMs: c.secretsTimeoutMs },
    smtp: {
      host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: Number(url.port || (implicitTls ? 465 : 587)),
      implicitTls,
      allowInsecure: c.smtpAllowInsecure,
      ca: c.smtpCa,
      // The SES API is signed with the role's own credentials: no SMTP secret to read.
      secretId: c.transport.kind === "ses" ? undefined : c.smtpSecretId,
      timeoutMs: c.mailTimeoutMs
    },
    transport: transportConfig(c.transport),
    queue: queueConfig(c.queue, cwd),
    rateLimitPerMinute: c.limits.ratePerMinute,
    trustProxyHops: c.limits.trustProxyHops,
    metricsNamespace: c.metricsNamespace,
    // A random key still gives one id per submission within this process.
    submissionIdKey: c.submissionIdKey ?? Redacted.make(randomBytes(32).toString("base64url")),
    unknownRetryMinutes: c.unknownRetryMinutes,
    store: storeConfig(c.store),
    channels: { timeoutMs: c.channels.timeoutMs, allowInsecure: c.channels.allowInsecure },
    akismet: akismetConfig(c.spam)
  }
}

export interface ReadOptions {
  /** Default: the server. */
  readonly runtime?: Runtime
  /** What a relative SPOOL_DIR is relative to; the working directory by default. */
  readonly cwd?: string
}

/** Decodes the whole configuration from `env`, or fails with every problem found. */
export const readConfig = (
  env: Env,
  options: ReadOptions = {}
): Effect.Effect<AppConfig, ConfigInvalid> =>
  Effect.flatMap(decodeEnv(variables, env), (c) => {
    const channels = channelsOf(c)
    const problems = [
      ...crossChecks(c, options.runtime ?? "server"),
      ...(Result.isFailure(channels) ? describe(channels.failure) : [])
    ]
    return problems.length === 0 && Result.isSuccess(channels)
      ? Effect.succeed(toAppConfig(c, options.cwd ?? process.cwd(), channels.success))
      : Effect.fail(new ConfigInvalid({ problems }))
  })
