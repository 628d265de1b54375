/**
 * The one builder of the layer graph: configuration, logs and the services over it.
 * Production takes the defaults (AWS Secrets Manager, FriendlyCaptcha over Node's HTTP
 * client, SMTP, the queue the configuration names, the duplicate guard and the rate limit
 * in this process' memory); embedded mode and the tests swap any service for one of their
 * own. Built once per process by the adapter's runtime.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Layer from "effect/Layer"
import { type AppConfig, AppConfigTag } from "./config/app-config"
import { JsonLogs, type LogSink, stdoutSink } from "./logging"
import { CaptchaLive, type CaptchaService } from "./services/captcha"
import { ChannelsLive, type ChannelsService } from "./services/channels"
import type { MailService } from "./services/mail"
import { QueueDisabled, type QueueService } from "./services/queue"
import { type RateLimiter, RateLimitOff, SlidingWindowLimit } from "./services/rate-limit"
import type { SecretsService } from "./services/secrets"
import { SecretsManagerLive } from "./services/secrets-manager"
import { type SharedClaims, SharedClaimsLive } from "./services/shared-claims"
import { SpamLive, type SpamService } from "./services/spam"
import { SpoolQueue } from "./services/spool"
import { SqsQueue } from "./services/sqs"
import type { StoreService } from "./services/store"
import { StoreLive } from "./services/store-live"
import { type SubmissionMemory, SubmissionMemoryLive } from "./services/submissions"
import { MailLive } from "./services/transports"
import { type VerdictMemory, VerdictMemoryLive } from "./services/verdicts"

export interface AppLayerOptions {
  readonly config: AppConfig
  /** Where the JSON log lines go; stdout by default. */
  readonly sink?: LogSink
  /** Default: Secrets Manager. The captcha's default and every mail layer read this one. */
  readonly secrets?: Layer.Layer<SecretsService, never, AppConfigTag>
  /** Default: the provider CAPTCHA_PROVIDER names. */
  readonly captcha?: Layer.Layer<CaptchaService, never, AppConfigTag>
  /** Default: the transport MAIL_TRANSPORT names (SMTP or the SES API), loaded alone. */
  readonly mail?: Layer.Layer<MailService, never, AppConfigTag | SecretsService>
  /** Default: the channels other than mail, their protocols loaded on first use (contract §11). */
  readonly channels?: Layer.Layer<ChannelsService, never, AppConfigTag | SecretsService>
  /** Default: the spam judgement, with Akismet when AKISMET_SECRET_ID is set (contract §12). */
  readonly spam?: Layer.Layer<SpamService, never, AppConfigTag | SecretsService>
  /** Default: the queue QUEUE_URL or SPOOL_DIR names (the spool directory made beforehand), or none. */
  readonly queue?: Layer.Layer<QueueService, never, AppConfigTag>
  /** Default: the duplicate guard of contract §9 (10 minutes, 10,000 keys). */
  readonly memory?: Layer.Layer<SubmissionMemory>
  /** Default: the captcha verdicts of tokens not yet spent (contract §9, §10 minutes). */
  readonly verdicts?: Layer.Layer<VerdictMemory>
  /** Default: RATE_LIMIT_PER_MINUTE per client address, or none when it is 0. */
  readonly rateLimit?: Layer.Layer<RateLimiter>
  /** Default: STORE_TABLE's DynamoDB table, else this process' memory (contract §9). */
  readonly store?: Layer.Layer<StoreService, never, AppConfigTag>
  /** Default: the duplicate guard across processes over the store (none in memory). */
  readonly claims?: Layer.Layer<SharedClaims, never, AppConfigTag | StoreService>
}

const configuredQueue = (config: AppConfig): Layer.Layer<QueueService, never, AppConfigTag> => {
  const { queue } = config
  switch (queue.kind) {
    case "none":
      return QueueDisabled
    case "sqs":
      return SqsQueue({
        url: queue.url,
        timeoutMs: queue.timeoutMs,
        region: config.secrets.region,
        unknownRetryMinutes: config.unknownRetryMinutes
      })
    case "spool":
      return SpoolQueue({ dir: queue.dir, timeoutMs: queue.timeoutMs })
  }
}

export const appLayer = (options: AppLayerOptions) => {
  const { config, sink = stdoutSink, secrets = SecretsManagerLive, mail = MailLive } = options
  const store = options.store ?? StoreLive
  const captcha =
    options.captcha ??
    CaptchaLive.pipe(Layer.provide(Layer.mergeAll(secrets, store, NodeHttpClient.layerNodeHttp)))
  const claims = (options.claims ?? SharedClaimsLive).pipe(Layer.provide(store))
  const mailer = mail.pipe(Layer.provide(secrets))
  const channels = (options.channels ?? ChannelsLive).pipe(Layer.provide(secrets))
  const spam = (options.spam ?? SpamLive.pipe(Layer.provide(NodeHttpClient.layerNodeHttp))).pipe(
    Layer.provide(secrets)
  )
  const queue = options.queue ?? configuredQueue(config)
  const memory = options.memory ?? SubmissionMemoryLive()
  const verdicts = options.verdicts ?? VerdictMemoryLive()
  const rateLimit =
    options.rateLimit ??
    (config.rateLimitPerMinute === 0
      ? RateLimitOff
      : SlidingWindowLimit({ perMinute: config.rateLimitPerMinute }))
  return Layer.mergeAll(
    secrets,
    store,
    claims,
    captcha,
    mailer,
    channels,
    spam,
    queue,
    memory,
    verdicts,
    rateLimit
  ).pipe(
    Layer.provideMerge(Layer.succeed(AppConfigTag, config)),
    Layer.merge(JsonLogs(config.logLevel, sink))
  )
}
