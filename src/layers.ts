/**
 * The production wiring: each service's live layer over one configuration, built once per
 * process by the adapter's runtime. Tests swap any of these for the doubles in test/support/.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Layer from "effect/Layer"
import { type AppConfig, AppConfigTag } from "./config"
import { JsonLogs, type LogSink, stdoutSink } from "./logging"
import { CaptchaLive } from "./services/captcha"
import { SmtpMail } from "./services/mail"
import { SecretsManagerLive, type SecretsService } from "./services/secrets"

/** Config, logs and the three services, with the given secrets layer (shared by captcha). */
export const servicesWith = <E>(
  config: AppConfig,
  secrets: Layer.Layer<SecretsService, E, AppConfigTag>,
  sink: LogSink = stdoutSink
) =>
  Layer.mergeAll(
    secrets,
    CaptchaLive.pipe(Layer.provide(Layer.merge(secrets, NodeHttpClient.layer))),
    SmtpMail
  ).pipe(
    Layer.provideMerge(Layer.succeed(AppConfigTag, config)),
    Layer.merge(JsonLogs(config.logLevel, sink))
  )

export const productionLayer = (config: AppConfig, sink?: LogSink) =>
  servicesWith(config, SecretsManagerLive, sink)
