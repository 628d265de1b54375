// The deploy-time settings of the stack: SPEC section 6 as CloudFormation parameters, so
// one synthesized template serves every site and `cdk deploy --parameters` configures it.
//
// Optional settings default to "" and are passed to the function as empty environment
// variables: the application treats an empty variable as unset (its own default applies),
// and always setting the variable keeps the template free of per-variable conditions.
// The one consequence: an empty value cannot be chosen on purpose (e.g. no subject prefix).
import { CfnCondition, CfnParameter, Fn, type Stack, Validations } from "aws-cdk-lib"
import { captchaProviderIds } from "../src/domain/captcha-providers.js"
import { declareForms } from "./forms.js"
import { declareMail } from "./mail.js"
import { SECRET_NAME } from "./permissions.js"
import { declareStore } from "./store.js"

const optional = (stack: Stack, id: string, description: string, allowedPattern?: string) =>
  new CfnParameter(stack, id, {
    type: "String",
    default: "",
    description: `${description} (optional; empty = unset)`,
    ...(allowedPattern === undefined ? {} : { allowedPattern })
  })

const required = (stack: Stack, id: string, description: string, allowedPattern: string) =>
  new CfnParameter(stack, id, {
    type: "String",
    minLength: 1,
    description,
    allowedPattern,
    constraintDescription: `${id} is required and must match ${allowedPattern}`
  })

// The single-form settings of the form `default` (SPEC section 6): required unless Forms or
// FormsFile lists the forms, and then all three or none. CloudFormation cannot express that
// in one parameter, so each may be empty here and the Rules of infra/forms.ts decide.
const defaultForm = (stack: Stack, id: string, description: string, allowedPattern: string) =>
  new CfnParameter(stack, id, {
    type: "String",
    default: "",
    description: `${description} (required without Forms and FormsFile; with them, MailTo, SuccessUrl and FallbackEmail all three or none)`,
    allowedPattern: `^$|${allowedPattern}`,
    constraintDescription: `${id} must be empty or match ${allowedPattern}`
  })

const URL = "^https?://\\S+$"
const EMAIL = "^[^@\\s]+@[^@\\s]+$"
const DIGITS = "^[0-9]*$"
// Empty, or a whole number from 0 to 10,000 (RATE_LIMIT_PER_MINUTE) or to 10
// (TRUST_PROXY_HOPS), leading zeros allowed: what src/config/limits.ts accepts, so that a
// value the function would refuse at every cold start is refused at deploy time instead.
const UP_TO_10000 = "^$|^0*([0-9]{1,4}|10000)$"
const UP_TO_10 = "^$|^0*([0-9]|10)$"
// The values CloudWatch Logs accepts for RetentionInDays.
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653
]

// SUCCESS_URL_<LANG> for every language but the default (src/domain/languages.ts): the
// application reads one per language, and an empty one falls back to SuccessUrl.
const successUrlIn = (stack: Stack, suffix: string, language: string) =>
  optional(
    stack,
    `SuccessUrl${suffix}`,
    `SUCCESS_URL_${suffix.toUpperCase()}: success page in ${language}`,
    `^$|${URL}`
  )

/**
 * @param bundledFiles the JSON files at the root of the zip: what FormsFile may name.
 */
export const declareParameters = (stack: Stack, bundledFiles: ReadonlyArray<string>) => {
  // MailTransport and the settings of each transport (SmtpUrl, SmtpSecretName, SesIdentity,
  // SesConfigurationSet), with their conditions and rules: infra/mail.ts.
  const mail = declareMail(stack)
  const p = {
    mailFrom: required(
      stack,
      "MailFrom",
      "MAIL_FROM: sender, an SES-verified identity, e.g. Web contact form <noreply@example.com>",
      "^.*@.*$"
    ),
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
    fallbackPhone: optional(
      stack,
      "FallbackPhone",
      "FALLBACK_PHONE: phone number offered on failure"
    ),
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
      `^$|${URL}`
    ),
    subjectPrefix: new CfnParameter(stack, "SubjectPrefix", {
      type: "String",
      default: "[Contact] ",
      description: "SUBJECT_PREFIX of every mail (empty = the application default)"
    }),
    captchaSecretName: new CfnParameter(stack, "CaptchaSecretName", {
      type: "String",
      default: "friendlycaptcha-data",
      allowedPattern: SECRET_NAME,
      description:
        "CAPTCHA_SECRET_ID: name of the secret with the captcha provider's keys (e.g. FRIENDLYCAPTCHA_SITEKEY and FRIENDLYCAPTCHA_API_KEY, or TURNSTILE_SITEKEY and TURNSTILE_SECRET)"
    }),
    secretsKmsKeyArn: optional(
      stack,
      "SecretsKmsKeyArn",
      "ARN of the customer-managed KMS key encrypting the secrets; empty = aws/secretsmanager",
      "^$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$"
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
      description: "Days CloudWatch Logs keeps the function's logs"
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
    alarmEmail: optional(stack, "AlarmEmail", "Address notified when an alarm fires", `^$|${EMAIL}`)
  }

  // Forms, FormsFile and CaptchaSecretNames, with the rules that tie the single-form
  // settings above to them: infra/forms.ts.
  const forms = declareForms(stack, p, bundledFiles)

  // Store, and the conditions on it and on CaptchaProvider (IsAltcha, HasStore): infra/store.ts.
  const store = declareStore(stack, p.captchaProvider)

  const hasKmsKey = new CfnCondition(stack, "HasSecretsKmsKey", {
    expression: notEmpty(p.secretsKmsKeyArn)
  })
  const hasAlarmEmail = new CfnCondition(stack, "HasAlarmEmail", {
    expression: notEmpty(p.alarmEmail)
  })
  // The redelivery function reads no secret but the SMTP one: with ses it needs no key.
  const hasKmsKeyForSmtp = new CfnCondition(stack, "HasSecretsKmsKeyForSmtp", {
    expression: Fn.conditionAnd(hasKmsKey, mail.usesSmtp)
  })

  // CDK's template check takes every parameter whose name says "Secret" for a password
  // (W2509: no NoEcho). None is: they name secrets; secret values never are parameters.
  Validations.of(stack).acknowledge({
    id: "CloudFormation-Validate::W2509",
    reason: "parameters name Secrets Manager secrets, they hold no secret value"
  })

  stack.templateOptions.metadata = {
    "AWS::CloudFormation::Interface": {
      ParameterGroups: [
        group("Mail", [
          p.mailFrom,
          p.mailTo,
          p.subjectPrefix,
          mail.mailTransport,
          mail.sesIdentity,
          mail.sesConfigurationSet,
          mail.smtpUrl
        ]),
        group("Pages and fallback", [
          p.successUrl,
          p.successUrlDe,
          p.successUrlFr,
          p.successUrlEs,
          p.successUrlIt,
          p.successUrlNl,
          p.successUrlPt,
          p.successUrlPl,
          p.fallbackEmail,
          p.fallbackPhone
        ]),
        group("Several forms", [forms.forms, forms.formsFile, forms.captchaSecretNames]),
        group("Captcha", [p.captchaProvider, p.captchaVerifyUrl]),
        group("Duplicates and replays", [store.parameter]),
        group("Secrets", [
          mail.smtpSecretName,
          p.captchaSecretName,
          p.secretsKmsKeyArn,
          p.secretsTtlSeconds
        ]),
        group("Requests", [
          p.allowedOrigins,
          p.maxBodyBytes,
          p.rateLimitPerMinute,
          p.trustProxyHops,
          p.throttleRateLimit,
          p.throttleBurstLimit
        ]),
        group("Operations", [p.logLevel, p.logRetentionDays, p.alarmEmail])
      ]
    }
  }

  return { ...p, ...mail, forms, store, hasKmsKey, hasKmsKeyForSmtp, hasAlarmEmail }
}

export type Parameters = ReturnType<typeof declareParameters>

const notEmpty = (parameter: CfnParameter) =>
  Fn.conditionNot(Fn.conditionEquals(parameter.valueAsString, ""))

const group = (label: string, parameters: CfnParameter[]) => ({
  Label: { default: label },
  Parameters: parameters.map((parameter) => parameter.logicalId)
})
