// The functions' environment: every variable of the contract (§6 to §12) that makes sense on
// Lambda, the same for both functions (one configuration, decoded and checked the same way
// at either's cold start). A prop left out is a variable left out, so the application's own
// default applies; Lambda's 4 KB for all variables (FORMS included) is spent only on what
// is set. Never set: AWS_REGION (Lambda sets it), AWS_ENDPOINT_URL_* (tests only),
// SMTP_ALLOW_INSECURE and CHANNEL_ALLOW_INSECURE (loopback only), SMTP_TLS_CA_FILE (would
// have to ship in the zip), PORT, HOST, SPOOL_DIR and QUEUE_CONSUMER (server only).
import { Aws, Fn, Stack, Tokenization } from "aws-cdk-lib"
import type { Construct } from "constructs"
import { given, pickString } from "./decision.js"
import { type Transport, transportEnvironment } from "./delivery.js"
import type { ContactFormProps } from "./props.js"
import { APP_TIMEOUTS_MS } from "./timeouts.js"

type Variables = Record<string, string>

const text = (name: string, value: string | undefined): Variables =>
  value === undefined ? {} : { [name]: value }

const whole = (name: string, value: number | undefined): Variables =>
  value === undefined ? {} : { [name]: Tokenization.stringifyNumber(value) }

// Fn::Join keeps a list written in the code literal, and joins a parameter's list at deploy time.
const list = (name: string, value: ReadonlyArray<string> | undefined): Variables =>
  value === undefined ? {} : { [name]: Fn.join(",", [...value]) }

const defaultForm = (form: ContactFormProps["defaultForm"]): Variables =>
  form === undefined
    ? {}
    : {
        MAIL_TO: form.to,
        SUCCESS_URL: form.successUrl,
        ...Object.fromEntries(
          Object.entries(form.successUrls ?? {}).map(([language, url]) => [
            `SUCCESS_URL_${language.toUpperCase()}`,
            url
          ])
        ),
        FALLBACK_EMAIL: form.fallbackEmail,
        ...text("FALLBACK_PHONE", form.fallbackPhone)
      }

// Where Lambda unpacks the zip (LAMBDA_TASK_ROOT). Lambda never expands one variable inside
// another (`$LAMBDA_TASK_ROOT/forms.json` stays literal), so the path is written out.
export const TASK_ROOT = "/var/task"

const forms = (scope: Construct, props: ContactFormProps): Variables => {
  const { forms: written, formsFile } = props
  const json =
    written === undefined
      ? {}
      : { FORMS: typeof written === "string" ? written : Stack.of(scope).toJsonString(written) }
  if (formsFile === undefined) return json
  const path = `${TASK_ROOT}/${formsFile}`
  return { ...json, FORMS_FILE: pickString(given(scope, "HasFormsFile", formsFile), path, "") }
}

export interface Wiring {
  readonly transport: Transport
  readonly queueUrl: string
  readonly metricsNamespace: string
  readonly store: Variables
}

export const environmentOf = (scope: Construct, props: ContactFormProps, w: Wiring): Variables => {
  const { mail, captcha, channels, spam, secrets, limits } = props
  return {
    MAIL_FROM: mail.from,
    ...defaultForm(props.defaultForm),
    ...forms(scope, props),
    ...list("ALLOWED_ORIGINS", props.allowedOrigins),
    ...text("CAPTCHA_PROVIDER", captcha?.provider),
    ...text("CAPTCHA_VERIFY_URL", captcha?.verifyUrl),
    ...text("SUBJECT_PREFIX", mail.subjectPrefix),
    ...transportEnvironment(mail, w.transport),
    ...text("CAPTCHA_SECRET_ID", captcha?.secretName),
    ...whole("SECRETS_TTL_SECONDS", secrets?.ttlSeconds),
    ...whole("MAX_BODY_BYTES", limits?.maxBodyBytes),
    ...whole("RATE_LIMIT_PER_MINUTE", limits?.rateLimitPerMinute),
    ...whole("TRUST_PROXY_HOPS", limits?.trustProxyHops),
    ...text("LOG_LEVEL", props.logs?.level),
    ...list("CHANNELS", channels?.kinds),
    ...text("WEBHOOK_URL", channels?.webhookUrl),
    ...text("WEBHOOK_SECRET_ID", channels?.webhookSecretName),
    ...text("SLACK_SECRET_ID", channels?.slackSecretName),
    ...text("DISCORD_SECRET_ID", channels?.discordSecretName),
    ...text("SPAM_POLICY", spam?.policy),
    ...whole("SPAM_THRESHOLD", spam?.threshold),
    ...text("AKISMET_SECRET_ID", spam?.akismetSecretName),
    QUEUE_URL: w.queueUrl,
    METRICS_NAMESPACE: w.metricsNamespace,
    // The key of submission ids (contract §7a): the same on every environment of both
    // functions, so one submission has one id; the random UUID in the stack's id, kept for
    // the stack's life, never in a log and unknown to visitors.
    SUBMISSION_ID_KEY: Fn.select(2, Fn.split("/", Aws.STACK_ID)),
    ...Object.fromEntries(Object.entries(APP_TIMEOUTS_MS).map(([name, ms]) => [name, String(ms)])),
    ...w.store
  }
}
