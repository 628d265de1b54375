// Our Lambda handler with in-memory services, for the warm and memory figures: the real
// configuration reader, HTTP edge, flow and Lambda adapter; secrets answered from memory,
// the captcha always verified, mails counted and dropped (nothing accumulates over
// thousands of calls). Bundled by bench/build.mjs with the app's esbuild options.
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { makeLambdaHandler } from "../../src/adapters/lambda"
import { readConfig } from "../../src/config/read-config"
import { appLayer } from "../../src/layers"
import { CaptchaService } from "../../src/services/captcha"
import { MailService } from "../../src/services/mail"
import { QueueDisabled } from "../../src/services/queue"
import { SecretsStatic } from "../../src/services/secrets"

const config = Effect.runSync(Effect.result(readConfig(process.env)))
if (Result.isFailure(config)) throw new Error(config.failure.message)

export let mailsSent = 0

// The production layer graph (src/layers.ts: the duplicate guard, the rate limit, the logs)
// with in-memory secrets, captcha, mail and no queue.
export const inMemoryServices = appLayer({
  config: config.success,
  secrets: SecretsStatic({
    smtp: { user: "bench", pass: Redacted.make("bench-password") },
    captcha: {
      FRIENDLYCAPTCHA_SITEKEY: Redacted.make("bench-sitekey"),
      FRIENDLYCAPTCHA_API_KEY: Redacted.make("bench-api-key")
    }
  }),
  captcha: Layer.succeed(
    CaptchaService,
    CaptchaService.of({
      verify: () => Effect.succeed({ _tag: "Verified" }),
      challenge: () => Effect.succeed("{}")
    })
  ),
  mail: Layer.succeed(
    MailService,
    MailService.of({
      start: Effect.succeed(() =>
        Effect.sync(() => {
          mailsSent++
        })
      )
    })
  ),
  queue: QueueDisabled
})

export const { handler } = await makeLambdaHandler(inMemoryServices)
