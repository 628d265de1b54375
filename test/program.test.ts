/**
 * The flow of src/program.ts with layer-swapped doubles: the order of the checks, the
 * MAIL_TIMEOUT_MS bound, and the single refresh of a rotated SMTP secret.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { AppConfigTag } from "../src/config/app-config"
import {
  CaptchaRejected,
  FormInvalid,
  MailAuthRejected,
  MailUnavailable
} from "../src/domain/errors"
import { submit } from "../src/program"
import { QueueDisabled } from "../src/services/queue"
import { SharedClaimsOff } from "../src/services/shared-claims"
import { SubmissionMemoryLive } from "../src/services/submissions"
import { VerdictMemoryLive } from "../src/services/verdicts"
import {
  CaptchaRejecting,
  CaptchaUntouchable,
  CaptchaVerifying,
  ChannelsUntouchable,
  MailHanging,
  MailScripted,
  MailUntouchable,
  mailLog,
  SecretsFixed,
  SecretsRotated,
  SecretsUntouchable,
  SpamUntouchable,
  testConfig,
  testForm
} from "./support/doubles"

const fields = [
  ["email", "anna@example.org"],
  ["body", "Hello"],
  ["frc-captcha-response", "tok"]
] as const

const form = testForm()

const config = Layer.mergeAll(
  Layer.succeed(AppConfigTag, testConfig()),
  QueueDisabled,
  SubmissionMemoryLive(),
  VerdictMemoryLive(),
  SharedClaimsOff,
  ChannelsUntouchable,
  SpamUntouchable
)

/** Services that must not be reached: any call is a defect the test sees. */
const Untouchable = Layer.mergeAll(CaptchaUntouchable, SecretsUntouchable, MailUntouchable)

describe("the order of the checks", () => {
  layer(Layer.merge(Untouchable, config))((it) => {
    it.effect("honeypot answers before validation, and touches nothing", () =>
      Effect.gen(function* () {
        const outcome = yield* submit({
          fields: [
            ["_gotcha", "bot"],
            ["email", "broken"]
          ],
          language: "en",
          form
        })
        expect(outcome).toEqual({ _tag: "Honeypot" })
      })
    )

    it.effect("an invalid form never reaches the captcha, the secrets or the mail", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          submit({ fields: [["email", "broken"]], language: "en", form })
        )
        expect(error).toBeInstanceOf(FormInvalid)
      })
    )
  })

  it.effect("a rejected captcha never reaches the secrets or the mail", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(submit({ fields, language: "en", form }))
      expect(error).toEqual(new CaptchaRejected({ reason: "response_invalid" }))
    }).pipe(
      Effect.provide(Layer.mergeAll(CaptchaRejecting, SecretsUntouchable, MailUntouchable, config))
    )
  )
})

describe("delivery", () => {
  it.effect(
    "MAIL_TIMEOUT_MS bounds the whole delivery: a hanging relay fails at exactly the deadline",
    () =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(submit({ fields, language: "en", form }))
        yield* TestClock.adjust(Duration.millis(9_999))
        expect(fiber.pollUnsafe()).toBeUndefined()
        yield* TestClock.adjust(Duration.millis(1))
        const exit = yield* Fiber.await(fiber)
        expect(exit._tag).toBe("Failure")
        expect(yield* Effect.flip(Fiber.join(fiber))).toEqual(
          new MailUnavailable({ reason: "smtp_timeout" })
        )
      }).pipe(
        Effect.provide(
          MailHanging.pipe(
            Layer.provideMerge(Layer.mergeAll(CaptchaVerifying(), SecretsFixed, config))
          )
        )
      )
  )

  it.effect("535 refreshes the SMTP secret once; a second 535 is a delivery failure", () => {
    const log = mailLog()
    return Effect.gen(function* () {
      const error = yield* Effect.flip(submit({ fields, language: "en", form }))
      expect(error).toEqual(new MailAuthRejected({ code: 535 }))
      expect(log.attempts.map((a) => a.password)).toEqual(["smtp-pass-1", "smtp-pass-2"])
    }).pipe(
      Effect.provide(
        MailScripted(log, [], { acceptPassword: "never" }).pipe(
          Layer.provideMerge(Layer.mergeAll(CaptchaVerifying(), SecretsRotated, config))
        )
      )
    )
  })

  it.effect(
    "transient replies are retried with backoff, at most twice, then MailUnavailable",
    () => {
      const log = mailLog()
      return Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(submit({ fields, language: "en", form }))
        yield* TestClock.adjust(Duration.seconds(5))
        expect(yield* Effect.flip(Fiber.join(fiber))).toEqual(
          new MailUnavailable({ reason: "smtp_reply_454" })
        )
        expect(log.attempts).toHaveLength(3)
        expect(log.sent).toHaveLength(0)
      }).pipe(
        Effect.provide(
          MailScripted(log, [
            { responseCode: 454 },
            { responseCode: 454 },
            { responseCode: 454 }
          ]).pipe(Layer.provideMerge(Layer.mergeAll(CaptchaVerifying(), SecretsFixed, config)))
        )
      )
    }
  )

  it.effect("a permanent 5xx is not retried", () => {
    const log = mailLog()
    return Effect.gen(function* () {
      const error = yield* Effect.flip(submit({ fields, language: "en", form }))
      expect(error._tag).toBe("MailRejected")
      expect(log.attempts).toHaveLength(1)
    }).pipe(
      Effect.provide(
        MailScripted(log, [{ responseCode: 554 }]).pipe(
          Layer.provideMerge(Layer.mergeAll(CaptchaVerifying(), SecretsFixed, config))
        )
      )
    )
  })
})
