// Our Lambda handler with in-memory services, for the warm and memory figures: the real
// configuration reader, HTTP edge, flow and Lambda adapter; secrets answered from memory,
// the captcha always verified, mails counted and dropped (nothing accumulates over
// thousands of calls). Bundled by bench/build.mjs with the app's esbuild options.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { makeLambdaHandler } from "../../src/adapters/lambda"
import { AppConfigTag } from "../../src/config/app-config"
import { readConfig } from "../../src/config/read-config"
import { JsonLogs } from "../../src/logging"
import { CaptchaService } from "../../src/services/captcha"
import { MailService } from "../../src/services/mail"
import { QueueDisabled } from "../../src/services/queue"
import { RateLimitOff, SlidingWindowLimit } from "../../src/services/rate-limit"
import { SecretsStatic } from "../../src/services/secrets"
import { SubmissionMemoryLive } from "../../src/services/submissions"

const config = Effect.runSync(Effect.either(readConfig(process.env)))
if (Either.isLeft(config)) throw new Error(config.left.message)

export let mailsSent = 0

export const inMemoryServices = Layer.mergeAll(
  SecretsStatic({
    smtp: { user: "bench", pass: Redacted.make("bench-password") },
    captcha: { sitekey: "bench-sitekey", apiKey: Redacted.make("bench-api-key"), secret: undefined }
  }),
  Layer.succeed(
    CaptchaService,
    CaptchaService.of({
      tokenField: "frc-captcha-response",
      verify: () => Effect.succeed({ _tag: "Verified" })
    })
  ),
  Layer.succeed(
    MailService,
    MailService.of({
      send: () =>
        Effect.sync(() => {
          mailsSent++
        })
    })
  ),
  QueueDisabled,
  // The duplicate guard and the rate limit as production builds them (src/layers.ts).
  SubmissionMemoryLive(),
  config.right.rateLimitPerMinute === 0
    ? RateLimitOff
    : SlidingWindowLimit({ perMinute: config.right.rateLimitPerMinute }),
  Layer.succeed(AppConfigTag, config.right),
  JsonLogs(config.right.logLevel)
)

export const { handler } = await makeLambdaHandler(inMemoryServices)
