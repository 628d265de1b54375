// The stack's parameters for the single form's pages and the deployment's settings (the
// contract's variables of §3 to §9): what infra/parameters.ts declares beside the mail,
// forms, channels, spam and store parameters.
import { CfnParameter, type Stack } from "aws-cdk-lib"
import { captchaProviderIds } from "../src/domain/captcha-providers.js"
import { DEFAULT_CAPTCHA_SECRET_NAME } from "./grants.js"
import { defaultForm, optional } from "./parameter-kinds.js"
import { EMAIL, KMS_KEY_ARN, orEmpty, RETENTION_DAYS, SECRET_NAME, URL } from "./patterns.js"

const DIGITS = "^[0-9]*$"
// Empty, or a whole number from 0 to 10,000 (RATE_LIMIT_PER_MINUTE) or to 10
// (TRUST_PROXY_HOPS), leading zeros allowed: what src/config/limits.ts accepts, so that a
// value the function would refuse at every cold start is refused at deploy time instead.
const UP_TO_10000 = "^$|^0*([0-9]{1,4}|10000)$"
const UP_TO_10 = "^$|^0*([0-9]|10)$"

// SUCCESS_URL_<LANG> for every language but the default (src/domain/languages.ts): the
// application reads one per language, and an empty one falls back to SuccessUrl.
const successUrlIn = (stack: Stack, suffix: string, language: string) =>
  optional(
    stack,
    `SuccessUrl${suffix}`,
    `SUCCESS_URL_${suffix.toUpperCase()}: success page in ${language}`,
    orEmpty(URL)
  )

export const pages = (stack: Stack) => ({
  mailTo: defaultForm(
    stack,
    "MailTo",
    "MAIL_TO: recipient(s) of the form at /contact, comma-separated",
    "^.*@.*$"
  ),
  successUrl: defaultForm(stack, "SuccessUrl", "SUCCESS_URL: page shown after sending", URL),
  successUrlDe: successUrlIn(stack, "De", "German"),
  successUrlFr: successUrlIn(stack, "Fr", "French"),
  successUrlEs: successUrlIn(stack, "Es", "Spanish"),
  successUrlIt: successUrlIn(stack, "It", "Italian"),
  successUrlNl: successUrlIn(stack, "Nl", "Dutch"),
  successUrlPt: successUrlIn(stack, "Pt", "Portuguese"),
  successUrlPl: successUrlIn(stack, "Pl", "Polish"),
  fallbackEmail: defaultForm(
    stack,
    "FallbackEmail",
    "FALLBACK_EMAIL: address offered to visitors when delivery fails",
    EMAIL
  ),
  fallbackPhone: optional(stack, "FallbackPhone", "FALLBACK_PHONE: phone number offered on failure")
})

export const settings = (stack: Stack) => ({
  allowedOrigins: optional(
    stack,
    "AllowedOrigins",
    "ALLOWED_ORIGINS: comma-separated origins, e.g. https://www.example.com; empty = any origin"
  ),
  captchaProvider: new CfnParameter(stack, "CaptchaProvider", {
    type: "String",
    default: "friendlycaptcha-v2",
    // The provider table's ids (src/domain/captcha-providers.ts), never a list of our own.
    allowedValues: [...captchaProviderIds],
    description: "CAPTCHA_PROVIDER: the captcha of the forms that name none"
  }),
  captchaVerifyUrl: optional(
    stack,
    "CaptchaVerifyUrl",
    "CAPTCHA_VERIFY_URL: e.g. the EU endpoint https://eu.frcapi.com/api/v2/captcha/siteverify",
    orEmpty(URL)
  ),
  subjectPrefix: new CfnParameter(stack, "SubjectPrefix", {
    type: "String",
    default: "[Contact] ",
    description: "SUBJECT_PREFIX of every mail (empty = the application default)"
  }),
  captchaSecretName: new CfnParameter(stack, "CaptchaSecretName", {
    type: "String",
    default: DEFAULT_CAPTCHA_SECRET_NAME,
    allowedPattern: SECRET_NAME,
    description:
      "CAPTCHA_SECRET_ID: name of the secret with the captcha provider's keys (e.g. FRIENDLYCAPTCHA_SITEKEY and FRIENDLYCAPTCHA_API_KEY, or TURNSTILE_SITEKEY and TURNSTILE_SECRET)"
  }),
  secretsKmsKeyArn: optional(
    stack,
    "SecretsKmsKeyArn",
    "ARN of the customer-managed KMS key encrypting the secrets; empty = aws/secretsmanager",
    orEmpty(KMS_KEY_ARN)
  ),
  secretsTtlSeconds: optional(
    stack,
    "SecretsTtlSeconds",
    "SECRETS_TTL_SECONDS: how long a warm function caches each secret (default 300)",
    DIGITS
  ),
  maxBodyBytes: optional(
    stack,
    "MaxBodyBytes",
    "MAX_BODY_BYTES: largest accepted body (default 659586, derived from the field rules: every valid form fits)",
    DIGITS
  ),
  rateLimitPerMinute: optional(
    stack,
    "RateLimitPerMinute",
    "RATE_LIMIT_PER_MINUTE: POSTs one client address may send in any 60 seconds, counted per warm function, 0 to 10000; 0 = no limit (default 10)",
    UP_TO_10000
  ),
  trustProxyHops: optional(
    stack,
    "TrustProxyHops",
    "TRUST_PROXY_HOPS: proxies in front that append the client to X-Forwarded-For, 0 to 10; 2 behind CloudFront, and then turn off the execute-api endpoint (default 0: API Gateway's sourceIp is the client)",
    UP_TO_10
  ),
  logLevel: new CfnParameter(stack, "LogLevel", {
    type: "String",
    default: "info",
    allowedValues: ["debug", "info", "warn", "error"],
    description: "LOG_LEVEL"
  }),
  logRetentionDays: new CfnParameter(stack, "LogRetentionDays", {
    type: "Number",
    // A string, like AllowedValues: CloudFormation compares them as strings.
    default: "30",
    allowedValues: RETENTION_DAYS.map(String),
    description: "Days CloudWatch Logs keeps the functions' logs and the API's access log"
  }),
  throttleRateLimit: new CfnParameter(stack, "ThrottleRateLimit", {
    type: "Number",
    default: 5,
    minValue: 1,
    description: "Steady-state requests per second the API accepts (then 429)"
  }),
  throttleBurstLimit: new CfnParameter(stack, "ThrottleBurstLimit", {
    type: "Number",
    default: 10,
    minValue: 1,
    description: "Requests the API accepts in a burst above the steady rate"
  }),
  alarmEmail: optional(stack, "AlarmEmail", "Address notified when an alarm fires", orEmpty(EMAIL))
})
