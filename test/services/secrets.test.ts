/**
 * The secrets cache over a fetcher double, with TestClock: TTL, no caching of failures,
 * one fetch shared by concurrent callers, the refresh after a 535, decoding and bounds.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { AppConfigTag } from "../../src/config/app-config"
import { SecretUnavailable } from "../../src/domain/errors"
import { type SecretFetcher, SecretsFrom, SecretsService } from "../../src/services/secrets"
import { testConfig } from "../support/doubles"

const smtpJson = (password: string) =>
  JSON.stringify({ SMTP_USERNAME: "user", SMTP_PASSWORD: password })
const captchaJson = JSON.stringify({
  FRIENDLYCAPTCHA_SITEKEY: "FC",
  FRIENDLYCAPTCHA_API_KEY: "key"
})

/** A fetcher answering from `answers` (a function of the call count), counting calls per id. */
const countingFetcher = (answer: (id: string, call: number) => Promise<string | undefined>) => {
  const calls: Record<string, number> = {}
  const fetcher: SecretFetcher = (id) => {
    calls[id] = (calls[id] ?? 0) + 1
    return answer(id, calls[id])
  }
  return { calls, fetcher }
}

const layerWith = (fetcher: SecretFetcher, env: Record<string, string> = {}) =>
  SecretsFrom(Effect.succeed(fetcher)).pipe(
    Layer.provide(Layer.succeed(AppConfigTag, testConfig(env)))
  )

const defaultAnswer = (id: string) =>
  Promise.resolve(id === "smtp-ses-credentials" ? smtpJson("p1") : captchaJson)

describe("SecretsService cache", () => {
  it.effect(
    "a good secret is fetched once for many requests within the TTL, again after it",
    () => {
      const { calls, fetcher } = countingFetcher(defaultAnswer)
      return Effect.gen(function* () {
        const secrets = yield* SecretsService
        for (let i = 0; i < 50; i++) yield* secrets.smtp()
        yield* secrets.captcha("friendlycaptcha-data")
        yield* secrets.captcha("friendlycaptcha-data")
        expect(calls).toEqual({ "smtp-ses-credentials": 1, "friendlycaptcha-data": 1 })
        yield* TestClock.adjust(Duration.seconds(299))
        yield* secrets.smtp()
        expect(calls["smtp-ses-credentials"]).toBe(1)
        yield* TestClock.adjust(Duration.seconds(2))
        const fresh = yield* secrets.smtp()
        expect(calls["smtp-ses-credentials"]).toBe(2)
        expect(fresh?.user).toBe("user")
      }).pipe(Effect.provide(layerWith(fetcher)))
    }
  )

  it.effect("a failed fetch is not cached: the next request fetches again", () => {
    const { calls, fetcher } = countingFetcher((id, call) =>
      call === 1
        ? Promise.reject(
            Object.assign(new Error("not found"), { name: "ResourceNotFoundException" })
          )
        : defaultAnswer(id)
    )
    return Effect.gen(function* () {
      const secrets = yield* SecretsService
      const first = yield* Effect.flip(secrets.smtp())
      expect(first).toEqual(new SecretUnavailable({ secret: "smtp", problem: "missing" }))
      const second = yield* secrets.smtp()
      expect(second?.user).toBe("user")
      expect(calls["smtp-ses-credentials"]).toBe(2)
    }).pipe(Effect.provide(layerWith(fetcher)))
  })

  it.effect("concurrent callers share one fetch", () => {
    let release: (value: string) => void = () => {}
    const gate = new Promise<string>((resolve) => (release = resolve))
    const { calls, fetcher } = countingFetcher(() => gate)
    return Effect.gen(function* () {
      const secrets = yield* SecretsService
      const fiber = yield* Effect.forkChild(
        Effect.all(
          Array.from({ length: 20 }, () => secrets.smtp()),
          { concurrency: "unbounded" }
        )
      )
      yield* TestClock.adjust(Duration.millis(10))
      release(smtpJson("p1"))
      const all = yield* Fiber.join(fiber)
      expect(all).toHaveLength(20)
      expect(calls["smtp-ses-credentials"]).toBe(1)
    }).pipe(Effect.provide(layerWith(fetcher)))
  })

  it.effect("refresh fetches anew even within the TTL (a rotated password after a 535)", () => {
    const { calls, fetcher } = countingFetcher((id, call) =>
      id === "smtp-ses-credentials"
        ? Promise.resolve(smtpJson(`p${call}`))
        : Promise.resolve(captchaJson)
    )
    return Effect.gen(function* () {
      const secrets = yield* SecretsService
      yield* secrets.smtp()
      const fresh = yield* secrets.smtp({ refresh: true })
      expect(fresh?.pass).toBeDefined()
      expect(calls["smtp-ses-credentials"]).toBe(2)
      yield* secrets.smtp()
      expect(calls["smtp-ses-credentials"]).toBe(2)
    }).pipe(Effect.provide(layerWith(fetcher)))
  })

  it.effect.each([
    ["not JSON", "{oops", "malformed"],
    ["wrong shape", JSON.stringify({ user: "x" }), "malformed"],
    ["empty password", smtpJson(""), "malformed"]
  ] as const)("%s → SecretUnavailable(malformed)", ([, value, problem]) =>
    Effect.gen(function* () {
      const secrets = yield* SecretsService
      const error = yield* Effect.flip(secrets.smtp())
      expect(error.problem).toBe(problem)
    }).pipe(Effect.provide(layerWith(() => Promise.resolve(value))))
  )

  it.effect.each([
    ["AccessDeniedException", "denied"],
    ["ThrottlingException", "throttled"],
    ["InvalidRequestException", "missing"],
    ["InternalServiceError", "unavailable"]
  ] as const)("%s → %s", ([name, problem]) =>
    Effect.gen(function* () {
      const secrets = yield* SecretsService
      const error = yield* Effect.flip(secrets.captcha("friendlycaptcha-data"))
      expect(error).toEqual(new SecretUnavailable({ secret: "captcha", problem }))
    }).pipe(
      Effect.provide(layerWith(() => Promise.reject(Object.assign(new Error(name), { name }))))
    )
  )

  it.effect(
    "a fetch that hangs fails with timeout after SECRETS_TIMEOUT_MS, and aborts the call",
    () => {
      let aborted = false
      const fetcher: SecretFetcher = (_, signal) =>
        new Promise(() => signal.addEventListener("abort", () => (aborted = true)))
      return Effect.gen(function* () {
        const secrets = yield* SecretsService
        const fiber = yield* Effect.forkChild(secrets.smtp())
        yield* TestClock.adjust(Duration.millis(1_499))
        expect(fiber.pollUnsafe()).toBeUndefined()
        yield* TestClock.adjust(Duration.millis(1))
        const error = yield* Effect.flip(Fiber.join(fiber))
        expect(error).toEqual(new SecretUnavailable({ secret: "smtp", problem: "timeout" }))
        expect(aborted).toBe(true)
      }).pipe(Effect.provide(layerWith(fetcher, { SECRETS_TIMEOUT_MS: "1500" })))
    }
  )

  it.effect("SMTP_SECRET_ID empty → no SMTP authentication, nothing fetched", () => {
    const { calls, fetcher } = countingFetcher(defaultAnswer)
    return Effect.gen(function* () {
      const secrets = yield* SecretsService
      expect(yield* secrets.smtp()).toBeUndefined()
      expect(calls).toEqual({})
    }).pipe(Effect.provide(layerWith(fetcher, { SMTP_SECRET_ID: "" })))
  })
})
