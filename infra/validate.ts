// The construct's props checked at synth time, every problem at once, each named by its
// prop: what would otherwise fail the deploy (an IAM ARN with a wildcard, a retention
// CloudWatch refuses) or every cold start (a channel without its secret, a threshold out
// of range). The application checks the variables again at cold start (contract §6).
import { existsSync } from "node:fs"
import { isAbsolute } from "node:path"
import { captchaProviderIds } from "../src/domain/captcha-providers.js"
import { isDeployTime } from "./decision.js"
import {
  CONFIGURATION_SET,
  EMAIL,
  HTTPS_URL,
  KMS_KEY_ARN,
  LOG_GROUP_NAME,
  ORIGIN,
  RETENTION_DAYS,
  SECRET_NAME,
  SES_IDENTITY,
  SMTP_URL,
  URL
} from "./patterns.js"
import { Problems } from "./problems.js"
import type { ContactFormProps } from "./props.js"
import { SPAM_THRESHOLD, spamPolicies } from "./spam.js"
import { checkChannels, checkForms, knownForms } from "./validate-forms.js"

const NAME = "must be a secret's name (letters, digits and /_+=.@-, no wildcard)"

const checkMail = ({ mail }: ContactFormProps, problems: Problems) => {
  if (mail.from === "") problems.add("mail.from", "is required")
  problems.pattern("mail.from", mail.from, "@", "must be an address")
  problems.oneOf("mail.transport", mail.transport, ["smtp", "ses"])
  const transport = mail.transport ?? "smtp"
  if (isDeployTime(transport) && mail.ses === undefined) {
    problems.add("mail.ses", "is required when transport is decided at deploy time")
  }
  if (!isDeployTime(transport)) {
    if (transport === "ses" && mail.ses === undefined) {
      problems.add("mail.ses", "is required with transport ses: the verified identity to send as")
    }
    if (transport === "ses" && mail.smtp !== undefined) {
      problems.add("mail.smtp", "applies to transport smtp only")
    }
    if (transport === "smtp" && mail.ses !== undefined) {
      problems.add("mail.ses", "applies to transport ses only")
    }
  }
  problems.pattern("mail.smtp.url", mail.smtp?.url, SMTP_URL, "must be an smtps:// or smtp:// URL")
  problems.pattern("mail.smtp.secretName", mail.smtp?.secretName, SECRET_NAME, NAME)
  problems.pattern(
    "mail.ses.identity",
    mail.ses?.identity,
    SES_IDENTITY,
    "must be a domain or an address"
  )
  problems.pattern(
    "mail.ses.configurationSet",
    mail.ses?.configurationSet,
    CONFIGURATION_SET,
    "must be a configuration set's name"
  )
}

const checkDefaultForm = ({ defaultForm: form }: ContactFormProps, problems: Problems) => {
  if (form === undefined) return
  problems.pattern("defaultForm.to", form.to, "@", "must be one or more addresses")
  problems.pattern("defaultForm.successUrl", form.successUrl, URL, "must be an http(s) URL")
  for (const [language, url] of Object.entries(form.successUrls ?? {})) {
    problems.pattern(`defaultForm.successUrls.${language}`, url, URL, "must be an http(s) URL")
  }
  problems.pattern("defaultForm.fallbackEmail", form.fallbackEmail, EMAIL, "must be an address")
}

const checkSettings = (props: ContactFormProps, problems: Problems) => {
  const { captcha, channels, spam, secrets, limits, logs, alarms } = props
  for (const [i, origin] of (props.allowedOrigins ?? []).entries()) {
    problems.pattern(
      `allowedOrigins[${i}]`,
      origin,
      ORIGIN,
      "must be an origin, e.g. https://www.example.com"
    )
  }
  problems.oneOf("captcha.provider", captcha?.provider, captchaProviderIds)
  problems.pattern("captcha.secretName", captcha?.secretName, SECRET_NAME, NAME)
  problems.pattern("captcha.verifyUrl", captcha?.verifyUrl, URL, "must be an http(s) URL")
  problems.pattern("channels.webhookUrl", channels?.webhookUrl, HTTPS_URL, "must be an https URL")
  for (const key of ["webhookSecretName", "slackSecretName", "discordSecretName"] as const) {
    problems.pattern(`channels.${key}`, channels?.[key], SECRET_NAME, NAME)
  }
  problems.oneOf("spam.policy", spam?.policy, spamPolicies)
  problems.wholeNumber("spam.threshold", spam?.threshold, SPAM_THRESHOLD.min, SPAM_THRESHOLD.max)
  problems.pattern("spam.akismetSecretName", spam?.akismetSecretName, SECRET_NAME, NAME)
  problems.pattern("secrets.kmsKeyArn", secrets?.kmsKeyArn, KMS_KEY_ARN, "must be a KMS key's ARN")
  problems.wholeNumber("secrets.ttlSeconds", secrets?.ttlSeconds, 1, 86_400)
  problems.wholeNumber("limits.maxBodyBytes", limits?.maxBodyBytes, 1, 6_000_000)
  problems.wholeNumber("limits.rateLimitPerMinute", limits?.rateLimitPerMinute, 0, 10_000)
  problems.wholeNumber("limits.trustProxyHops", limits?.trustProxyHops, 0, 10)
  problems.oneOf("logs.level", logs?.level, ["debug", "info", "warn", "error"])
  const retention = logs?.retention
  if (retention !== undefined && !isDeployTime(retention)) {
    const days: ReadonlyArray<number> = RETENTION_DAYS
    if (!days.includes(retention))
      problems.add("logs.retention", `must be one of ${days.join(", ")} days`)
  }
  problems.pattern("logs.groupName", logs?.groupName, LOG_GROUP_NAME, "must be a log group's name")
  problems.pattern("alarms.email", alarms?.email, EMAIL, "must be an address")
  if (alarms?.email !== undefined && alarms.topic !== undefined) {
    problems.add("alarms.email", "subscribe it to your own topic (alarms.topic) yourself")
  }
  const namespace = props.metricsNamespace
  problems.pattern(
    "metricsNamespace",
    namespace,
    "^(?!AWS/)[^:]{1,255}$",
    "must be a CloudWatch namespace of your own"
  )
  const throttle = props.api?.throttle
  if (throttle !== undefined && props.api?.httpApi !== undefined) {
    problems.add(
      "api.throttle",
      "applies to the construct's own API only: throttle your stage yourself"
    )
  }
  problems.wholeNumber("api.throttle.rateLimit", throttle?.rateLimit, 1, 10_000)
  problems.wholeNumber("api.throttle.burstLimit", throttle?.burstLimit, 1, 5_000)
}

/**
 * Checks every prop, throwing one error that lists every problem; gives back the forms
 * when they are known at synth time (their secrets are granted, their providers read).
 */
export const validate = (path: string, props: ContactFormProps) => {
  const problems = new Problems()
  if (!isAbsolute(props.codePath) || !props.codePath.endsWith(".zip")) {
    problems.add("codePath", "must be the absolute path of a .zip (dist/lambda.zip)")
  } else if (!existsSync(props.codePath)) {
    problems.add("codePath", "names no file: run `npm run build` first")
  }
  checkMail(props, problems)
  checkDefaultForm(props, problems)
  if (
    props.defaultForm === undefined &&
    props.forms === undefined &&
    props.formsFile === undefined
  ) {
    problems.add("defaultForm", "is required unless forms or formsFile lists the forms")
  }
  const { forms, formsFile } = props
  if (
    forms !== undefined &&
    formsFile !== undefined &&
    !isDeployTime(forms) &&
    !isDeployTime(formsFile)
  ) {
    problems.add("formsFile", "excludes forms: give one list of forms")
  }
  for (const [key, names] of Object.entries(props.formSecretNames ?? {})) {
    for (const [i, name] of names.entries()) {
      problems.pattern(`formSecretNames.${key}[${i}]`, name, SECRET_NAME, NAME)
    }
  }
  checkSettings(props, problems)
  const channels = props.channels ?? {}
  if (props.defaultForm !== undefined) {
    checkChannels(
      "channels.kinds",
      channels.kinds ?? ["mail"],
      (_, deploymentProp) =>
        channels[deploymentProp] === undefined ? `channels.${deploymentProp}` : undefined,
      problems
    )
  }
  // A FORMS file's or JSON's problems are reported with the rest; an unreadable one gives no forms.
  const known = existsSync(props.codePath) ? knownForms(props, problems) : undefined
  if (known !== undefined) checkForms(known, channels, problems)
  problems.throwIfAny(path)
  return known?.forms
}
