/**
 * The one builder of the layer graph: configuration, logs and the three services over it.
 * Production takes the defaults (AWS Secrets Manager, FriendlyCaptcha over Node's HTTP
 * client, SMTP); embedded mode and the tests swap any service for one of their own.
 * Built once per process by the adapter's runtime.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Layer from "effect/Layer"
import { type AppConfig, AppConfigTag } from "./config/app-config"
import { JsonLogs, type LogSink, stdoutSink } from "./logging"
import { CaptchaLive, type CaptchaService } from "./services/captcha"
import { type MailService, SmtpMail } from "./services/mail"
import { SecretsManagerLive, type SecretsService } from "./services/secrets"

export interface AppLayerOptions {
  readonly config: AppConfig
  /** Where the JSON log lines go; stdout by default. */
  readonly sink?: LogSink
  /** Default: Secrets Manager. The captcha's default reads its secret from this one. */
  readonly secrets?: Layer.Layer<SecretsService, never, AppConfigTag>
  /** Default: the provider CAPTCHA_PROVIDER names. */
  readonly captcha?: Layer.Layer<CaptchaService, never, AppConfigTag>
  /** Default: SMTP through nodemailer. */
  readonly mail?: Layer.Layer<MailService, never, AppConfigTag>
}

export const appLayer = (options: AppLayerOptions) => {
  const { config, sink = stdoutSink, secrets = SecretsManagerLive, mail = SmtpMail } = options
  const captcha =
    options.captcha ?? CaptchaLive.pipe(Layer.provide(Layer.merge(secrets, NodeHttpClient.layer)))
  return Layer.mergeAll(secrets, captcha, mail).pipe(
    Layer.provideMerge(Layer.succeed(AppConfigTag, config)),
    Layer.merge(JsonLogs(config.logLevel, sink))
  )
}
