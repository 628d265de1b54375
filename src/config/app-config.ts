/**
 * The one configuration object (contract §6), as the layers and the edge receive it.
 * Read from the environment by `readConfig` (read-config.ts), once per process.
 */
import * as Context from "effect/Context"
import type * as LogLevel from "effect/LogLevel"
import type * as Redacted from "effect/Redacted"
import type { CaptchaProvider, RemoteProvider } from "../domain/captcha-providers"
import type { Channel } from "../domain/channels"
import type { Fallback } from "../domain/contact"
import type { Language } from "../domain/languages"
import type { MailSettings } from "../domain/mail"
import type { AkismetConfig, SpamSettings } from "./spam"

/** How mail goes out (contract §8). */
export type MailTransport =
  | { readonly kind: "smtp" }
  | {
      readonly kind: "ses"
      /** SES_CONFIGURATION_SET, sent with every mail when set. */
      readonly configurationSet: string | undefined
    }

/** Where a failed delivery is kept (contract §7). */
export type QueueConfig =
  | { readonly kind: "none" }
  | {
      readonly kind: "sqs"
      readonly url: string
      /** Bounds one enqueue, the SDK's retries included. */
      readonly timeoutMs: number
      /** The server also consumes the queue (QUEUE_CONSUMER, not on Lambda). */
      readonly consume: boolean
    }
  | {
      readonly kind: "spool"
      /** Absolute. */
      readonly dir: string
      readonly timeoutMs: number
      readonly retrySeconds: number
      readonly maxAgeHours: number
      readonly deadDays: number
    }

/**
 * One form of the deployment (contract §10): where its mail goes and its visitors are
 * sent, the contact its pages offer, the origins it accepts, its captcha secret. The
 * single-form variables make the form `default`; FORMS makes the others.
 */
export interface FormConfig extends MailSettings {
  readonly id: string
  /** The success URL of each language; `default` for the others. */
  readonly successUrl: {
    readonly default: string
    readonly byLanguage: Readonly<Partial<Record<Language, string>>>
  }
  readonly fallback: Fallback
  /** `undefined`: every origin (`*`). */
  readonly allowedOrigins: ReadonlyArray<string> | undefined
  /** Its captcha provider (contract §4): CAPTCHA_PROVIDER, or the form's own. */
  readonly captchaProvider: CaptchaProvider
  /** The secret with its provider's keys: a sitekey per site, one account or several. */
  readonly captchaSecretId: string
  /** Where its submissions go, in order (contract §11): `mail` alone by default. */
  readonly channels: ReadonlyArray<Channel>
  /** Its spam judgement (contract §12): `mark` at 5 by default. */
  readonly spam: SpamSettings
}

export interface AppConfig {
  /** By id; `default` is served at /contact. */
  readonly forms: ReadonlyMap<string, FormConfig>
  readonly maxBodyBytes: number
  readonly logLevel: LogLevel.LogLevel
  readonly captcha: {
    /** CAPTCHA_PROVIDER: the provider of the forms that name none. */
    readonly provider: CaptchaProvider
    /** Each remote provider's siteverify endpoint (the table's, or overridden). */
    readonly verifyUrls: Readonly<Record<RemoteProvider, string>>
    readonly timeoutMs: number
    /** ALTCHA's challenges: ALTCHA_EXPIRES_SECONDS and ALTCHA_COST (PBKDF2 iterations an attempt). */
    readonly altcha: { readonly expiresSeconds: number; readonly cost: number }
  }
  readonly secrets: {
    /** Set whenever AWS is reached (a secret, the default SES host); see read-config.ts. */
    readonly region: string | undefined
    readonly ttlSeconds: number
    readonly timeoutMs: number
  }
  readonly smtp: {
    readonly host: string
    readonly port: number
    /** `smtps://`: TLS from the first byte; otherwise STARTTLS (required unless insecure). */
    readonly implicitTls: boolean
    readonly allowInsecure: boolean
    readonly ca: Redacted.Redacted<string> | undefined
    /** `undefined`: no authentication (a local relay), or the SES API (no secret at all). */
    readonly secretId: string | undefined
    readonly timeoutMs: number
  }
  readonly transport: MailTransport
  readonly queue: QueueConfig
  /** contract §9: POSTs one client address may send in any 60 seconds; 0 = no limit. */
  readonly rateLimitPerMinute: number
  /** Proxies in front that append the client to `X-Forwarded-For`; 0 = the peer is the client. */
  readonly trustProxyHops: number
  /** The CloudWatch namespace of the metrics in the log lines (Embedded Metric Format). */
  readonly metricsNamespace: string
  /**
   * The key of submission ids (contract §7a): SUBMISSION_ID_KEY, the same on every process
   * of a deployment; without it, a random one of this process.
   */
  readonly submissionIdKey: Redacted.Redacted<string>
  /** contract §7a: a copy of an unknown outcome waits this long before it is sent. */
  readonly unknownRetryMinutes: number
  /** The shared store (contract §9): STORE_TABLE's DynamoDB table, else this process' memory. */
  readonly store: StoreConfig
  /** The channels other than mail (contract §11): one call's bound, and plain http to loopback. */
  readonly channels: { readonly timeoutMs: number; readonly allowInsecure: boolean }
  /** Akismet, asked beside the captcha when AKISMET_SECRET_ID is set (contract §12). */
  readonly akismet: AkismetConfig | undefined
}

export interface StoreConfig {
  /** STORE_TABLE; `undefined`: in memory. */
  readonly table: string | undefined
  /** STORE_TIMEOUT_MS: one call's bound; past it the store is down. */
  readonly timeoutMs: number
  /**
   * STORE_CLAIM_SECONDS: how long a duplicate claim holds (the web function's timeout: a
   * claim older than that was left by a process that is gone).
   */
  readonly claimSeconds: number
  /**
   * STORE_WAIT_MS: how long a repeat waits for the first request's answer on another
   * process; past it, the repeat hears that the message has probably arrived (the first
   * is still on its way) and sends nothing.
   */
  readonly waitMs: number
}

export class AppConfigTag extends Context.Service<AppConfigTag, AppConfig>()(
  "contact-form/AppConfig"
) {}
