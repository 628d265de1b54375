// The ContactForm construct's props: every setting of the deployment, typed, with the
// application's defaults (a setting left out is a variable left unset, so the application's
// own default applies). A string may be a token (a CloudFormation parameter's value): what
// depends on it is then decided at deploy time by conditions (infra/decision.ts), and the
// checks of infra/validate.ts leave it to the application's own check at cold start.
import type { ICfnConditionExpression } from "aws-cdk-lib"
import type * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2"
import type * as logs from "aws-cdk-lib/aws-logs"
import type * as sns from "aws-cdk-lib/aws-sns"
import type { CaptchaProvider } from "../src/domain/captcha-providers.js"
import type { ChannelKind } from "../src/domain/channels.js"
import type { Language } from "../src/domain/languages.js"
import type { SpamPolicy } from "./spam.js"

/** The form at /contact (contract §6): MAIL_TO, SUCCESS_URL(_<LANG>), FALLBACK_EMAIL/PHONE. */
export interface DefaultFormProps {
  /** MAIL_TO: recipient(s), comma-separated. */
  readonly to: string
  /** SUCCESS_URL: the page shown after sending. */
  readonly successUrl: string
  /** SUCCESS_URL_<LANG>: the page in another language. */
  readonly successUrls?: Readonly<Partial<Record<Exclude<Language, "en">, string>>>
  /** FALLBACK_EMAIL: offered to visitors when delivery fails. */
  readonly fallbackEmail: string
  /** FALLBACK_PHONE: offered on failure too. */
  readonly fallbackPhone?: string
}

/** One form of FORMS (contract §10), with the keys of channels (§11) and spam (§12). */
export interface FormProps {
  readonly to: string
  readonly successUrl: string
  readonly successUrls?: Readonly<Partial<Record<Language, string>>>
  readonly origins?: ReadonlyArray<string>
  readonly fallbackEmail: string
  readonly fallbackPhone?: string
  readonly subjectPrefix?: string
  readonly from?: string
  readonly captchaProvider?: CaptchaProvider
  readonly captchaSecretId?: string
  readonly channels?: ReadonlyArray<ChannelKind>
  readonly webhookUrl?: string
  readonly webhookSecretId?: string
  readonly slackSecretId?: string
  readonly discordSecretId?: string
  readonly spamPolicy?: SpamPolicy
  readonly spamThreshold?: number
}

export interface MailProps {
  /** MAIL_FROM: the sender, an address of the SES identity (or the relay's). Required. */
  readonly from: string
  /** SUBJECT_PREFIX of every mail (default "[Contact] "). */
  readonly subjectPrefix?: string
  /** MAIL_TRANSPORT (default smtp). */
  readonly transport?: "smtp" | "ses"
  /** With smtp: SMTP_URL (default SES SMTP in the region), the secret's name (default smtp-ses-credentials). */
  readonly smtp?: { readonly url?: string; readonly secretName?: string }
  /** With ses: the verified identity the functions may send as; SES_CONFIGURATION_SET. */
  readonly ses?: { readonly identity: string; readonly configurationSet?: string }
}

export interface CaptchaProps {
  /** CAPTCHA_PROVIDER (default friendlycaptcha-v2). */
  readonly provider?: CaptchaProvider
  /** CAPTCHA_SECRET_ID: the secret with the provider's keys (default friendlycaptcha-data). */
  readonly secretName?: string
  /** CAPTCHA_VERIFY_URL, e.g. FriendlyCaptcha's EU endpoint. */
  readonly verifyUrl?: string
}

/** The single form's channels, and the settings the forms of FORMS inherit (contract §11). */
export interface ChannelsProps {
  /** CHANNELS, in order (default mail alone). */
  readonly kinds?: ReadonlyArray<ChannelKind>
  /** WEBHOOK_URL: the receiver, https. */
  readonly webhookUrl?: string
  /** WEBHOOK_SECRET_ID: the secret {"WEBHOOK_SECRET":"whsec_…"}. */
  readonly webhookSecretName?: string
  /** SLACK_SECRET_ID: the secret {"SLACK_WEBHOOK_URL"}. */
  readonly slackSecretName?: string
  /** DISCORD_SECRET_ID: the secret {"DISCORD_WEBHOOK_URL"}. */
  readonly discordSecretName?: string
}

export interface SpamProps {
  /** SPAM_POLICY (default mark). */
  readonly policy?: SpamPolicy
  /** SPAM_THRESHOLD: a whole number from 1 to 100 (default 5). */
  readonly threshold?: number
  /** AKISMET_SECRET_ID: the secret {"AKISMET_API_KEY"}; Akismet is off without it. */
  readonly akismetSecretName?: string
}

export interface ContactFormProps {
  /** Absolute path of the zip `npm run build` writes (dist/lambda.zip), deployed as is. */
  readonly codePath: string
  readonly mail: MailProps
  /** The form at /contact; required unless `forms` or `formsFile` lists the forms. */
  readonly defaultForm?: DefaultFormProps
  /** FORMS: the forms at /f/<id>, or their JSON as a string (e.g. a parameter's value). */
  readonly forms?: Readonly<Record<string, FormProps>> | string
  /** FORMS_FILE: a JSON file at the zip's root (`npm run build -- --forms <file>`). */
  readonly formsFile?: string
  /**
   * Secrets the forms name that the construct cannot read from `forms` (FORMS as a token):
   * captcha secrets (the web function reads them) and channel secrets (both functions).
   * An item may be a parameter's value: up to 10 comma-separated names, a slot each.
   */
  readonly formSecretNames?: {
    readonly captcha?: ReadonlyArray<string>
    readonly channels?: ReadonlyArray<string>
  }
  /** ALLOWED_ORIGINS (default any origin). */
  readonly allowedOrigins?: ReadonlyArray<string>
  readonly captcha?: CaptchaProps
  readonly channels?: ChannelsProps
  readonly spam?: SpamProps
  /**
   * A DynamoDB table every environment shares (contract §9); made anyway with ALTCHA. A
   * condition expression decides it at deploy time (e.g. on a parameter's value).
   */
  readonly store?: boolean | ICfnConditionExpression
  readonly secrets?: {
    /** The customer-managed key of the secrets (default aws/secretsmanager: none to grant). */
    readonly kmsKeyArn?: string
    /** SECRETS_TTL_SECONDS (default 300). */
    readonly ttlSeconds?: number
  }
  readonly limits?: {
    /** MAX_BODY_BYTES (default: every valid form fits). */
    readonly maxBodyBytes?: number
    /** RATE_LIMIT_PER_MINUTE, 0 to 10,000 (default 10; 0 = none). */
    readonly rateLimitPerMinute?: number
    /** TRUST_PROXY_HOPS, 0 to 10 (default 0). */
    readonly trustProxyHops?: number
  }
  readonly api?: {
    /** Add the routes to this API instead of making one: its stages, throttling and logs are yours. */
    readonly httpApi?: apigwv2.HttpApi
    /** The own API's stage throttling (default 5 a second, bursts of 10). */
    readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number }
  }
  readonly logs?: {
    /** LOG_LEVEL (default info). */
    readonly level?: "debug" | "info" | "warn" | "error"
    /** Days the log groups keep logs (default 30). */
    readonly retention?: logs.RetentionDays
    /** The web function's log group (default /aws/lambda/<stack>-<id>); the redelivery's adds -redeliver. */
    readonly groupName?: string
  }
  readonly alarms?: {
    /** Subscribed to the alarm topic (the recipient confirms the subscription first). */
    readonly email?: string
    /** Notify this topic instead of one of the construct's own. */
    readonly topic?: sns.ITopic
  }
  /** METRICS_NAMESPACE of the application's metrics (default ContactForm/<stack>/<id>). */
  readonly metricsNamespace?: string
  /** Keep and drain the standard queues of versions before the FIFO queues (the stack's upgrade path). */
  readonly legacyQueues?: boolean
}
