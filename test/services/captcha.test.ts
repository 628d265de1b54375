/**
 * The FriendlyCaptcha layers (v2, v1) over an HttpClient double: exactly the outcome table
 * of contract §4, and the request each version sends.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { AppConfigTag } from "../../src/config/app-config"
import { tokenFieldOf } from "../../src/domain/captcha-providers"
import { AlreadyReceived, CaptchaMisconfigured, CaptchaRejected } from "../../src/domain/errors"
import { CaptchaLive, CaptchaService } from "../../src/services/captcha"
import { MemoryStore } from "../../src/services/memory-store"
import { HttpClientAnswering, SecretsFixed, SecretsMissing, testConfig } from "../support/doubles"

type Respond = Parameters<typeof HttpClientAnswering>[0]

const jsonAnswer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })

const v2Layer = (
  respond: Respond,
  seen: Array<{ url: string; headers: Record<string, string>; body: unknown }> = [],
  secrets = SecretsFixed
) =>
  CaptchaLive.pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        HttpClientAnswering(respond, seen),
        secrets,
        MemoryStore(),
        Layer.succeed(AppConfigTag, testConfig({ CAPTCHA_TIMEOUT_MS: "4000" }))
      )
    )
  )

const v1Layer = (
  respond: Respond,
  seen: Array<{ url: string; headers: Record<string, string>; body: unknown }> = []
) =>
  CaptchaLive.pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        HttpClientAnswering(respond, seen),
        SecretsFixed,
        MemoryStore(),
        Layer.succeed(AppConfigTag, testConfig({ CAPTCHA_PROVIDER: "friendlycaptcha-v1" }))
      )
    )
  )

/** The deployment's provider (CAPTCHA_PROVIDER of the layer's configuration) verifies `token`. */
const verify = (token: string | undefined) =>
  Effect.flatMap(Effect.all([CaptchaService, AppConfigTag]), ([c, config]) =>
    c.verify(config.captcha.provider, token, "friendlycaptcha-data")
  )

const tokenField = Effect.map(AppConfigTag, (config) => tokenFieldOf(config.captcha.provider))

describe("FriendlyCaptcha v2", () => {
  it.effect(
    "sends {response, sitekey} with X-API-Key to the v2 URL; 200 success → verified",
    () => {
      const seen: Array<{ url: string; headers: Record<string, string>; body: unknown }> = []
      return Effect.gen(function* () {
        expect(yield* verify("token-1")).toEqual({ _tag: "Verified" })
        expect(seen).toEqual([
          {
            url: "https://global.frcapi.com/api/v2/captcha/siteverify",
            headers: expect.objectContaining({
              "x-api-key": "captcha-api-key",
              "content-type": "application/json"
            }),
            body: { response: "token-1", sitekey: "FCMTEST" }
          }
        ])
        expect(yield* tokenField).toBe("frc-captcha-response")
      }).pipe(Effect.provide(v2Layer(() => jsonAnswer(200, { success: true, data: {} }), seen)))
    }
  )

  it.effect.each([
    ["missing", undefined, "missing"],
    ["empty", "", "missing"],
    ["a widget placeholder", ".UNSTARTED", "placeholder"],
    ["a widget placeholder (activated)", ".ACTIVATED", "placeholder"]
  ] as const)("token %s → rejected without calling the API", ([, token, reason]) => {
    const seen: Array<{ url: string; headers: Record<string, string>; body: unknown }> = []
    return Effect.gen(function* () {
      const error = yield* Effect.flip(verify(token))
      expect(error).toEqual(new CaptchaRejected({ reason }))
      expect(seen).toHaveLength(0)
    }).pipe(Effect.provide(v2Layer(() => jsonAnswer(200, { success: true }), seen)))
  })

  it.effect.each([["response_invalid"], ["response_timeout"]] as const)(
    "200 success:false (%s) → rejected with that code",
    ([code]) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(verify("tok"))
        expect(error).toEqual(new CaptchaRejected({ reason: code }))
      }).pipe(
        Effect.provide(
          v2Layer(() =>
            jsonAnswer(200, { success: false, error: { error_code: code, detail: "x" } })
          )
        )
      )
  )

  it.effect("200 success:false (response_duplicate) → already received, not rejected", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(verify("tok"))
      expect(error).toEqual(new AlreadyReceived({ reason: "response_duplicate" }))
    }).pipe(
      Effect.provide(
        v2Layer(() =>
          jsonAnswer(200, {
            success: false,
            error: { error_code: "response_duplicate", detail: "x" }
          })
        )
      )
    )
  )

  it.effect.each([
    ["blank", " \t "],
    ["with a space inside", "abc def"],
    ["with a control character", "abc\u0000"],
    ["longer than 8,192 characters", "a".repeat(8_193)]
  ] as const)("token %s → rejected without calling the API", ([, token]) => {
    const seen: Array<{ url: string; headers: Record<string, string>; body: unknown }> = []
    return Effect.gen(function* () {
      const error = yield* Effect.flip(verify(token))
      expect(error).toBeInstanceOf(CaptchaRejected)
      expect(seen).toHaveLength(0)
    }).pipe(Effect.provide(v2Layer(() => jsonAnswer(200, { success: true }), seen)))
  })

  it.effect.each([["response_invalid"]] as const)(
    "a token of exactly 8,192 characters is asked about (%s)",
    ([code]) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(verify("a".repeat(8_192)))
        expect(error).toEqual(new CaptchaRejected({ reason: code }))
      }).pipe(
        Effect.provide(
          v2Layer(() =>
            jsonAnswer(200, { success: false, error: { error_code: code, detail: "x" } })
          )
        )
      )
  )

  it.effect.each([
    [401, "auth_invalid"],
    [403, "auth_required"],
    [400, "sitekey_invalid"]
  ] as const)("HTTP %s → our configuration is wrong: CaptchaMisconfigured", ([status, code]) =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(verify("tok"))
      expect(error).toEqual(new CaptchaMisconfigured({ status, code }))
    }).pipe(
      Effect.provide(
        v2Layer(() => jsonAnswer(status, { success: false, error: { error_code: code } }))
      )
    )
  )

  const outages: ReadonlyArray<readonly [string, Respond, string]> = [
    ["429", () => jsonAnswer(429, {}), "http_429"],
    ["500", () => jsonAnswer(500, {}), "http_500"],
    ["503 HTML", () => new Response("<html>down</html>", { status: 503 }), "http_503"],
    ["200 not JSON", () => new Response("<html>ok</html>", { status: 200 }), "invalid_response"],
    ["200 JSON of another shape", () => jsonAnswer(200, { ok: 1 }), "invalid_response"],
    ["unreachable", () => "unreachable", "unreachable"]
  ]
  it.effect.each(outages)("%s → fail open, unverified (%s)", ([, respond, reason]) =>
    Effect.gen(function* () {
      expect(yield* verify("tok")).toEqual({ _tag: "Unverified", reason })
    }).pipe(Effect.provide(v2Layer(respond)))
  )

  it.effect("the API hangs → unverified (timeout) exactly at CAPTCHA_TIMEOUT_MS", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(verify("tok"))
      yield* TestClock.adjust(Duration.millis(3_999))
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust(Duration.millis(1))
      expect(yield* Fiber.join(fiber)).toEqual({ _tag: "Unverified", reason: "timeout" })
    }).pipe(Effect.provide(v2Layer(() => "hang")))
  )

  it.effect("the captcha secret missing → unverified (secret_unavailable), API not called", () => {
    const seen: Array<{ url: string; headers: Record<string, string>; body: unknown }> = []
    return Effect.gen(function* () {
      expect(yield* verify("tok")).toEqual({ _tag: "Unverified", reason: "secret_unavailable" })
      expect(seen).toHaveLength(0)
    }).pipe(
      Effect.provide(
        v2Layer(() => jsonAnswer(200, { success: true }), seen, SecretsMissing("captcha"))
      )
    )
  })
})

describe("FriendlyCaptcha v1", () => {
  it.effect("sends {solution, secret, sitekey} to the v1 URL; success → verified", () => {
    const seen: Array<{ url: string; headers: Record<string, string>; body: unknown }> = []
    return Effect.gen(function* () {
      expect(yield* verify("sol")).toEqual({ _tag: "Verified" })
      expect(seen[0]?.url).toBe("https://api.friendlycaptcha.com/api/v1/siteverify")
      expect(seen[0]?.body).toEqual({
        solution: "sol",
        secret: "captcha-v1-secret",
        sitekey: "FCMTEST"
      })
      expect(seen[0]?.headers["x-api-key"]).toBeUndefined()
      expect(yield* tokenField).toBe("frc-captcha-solution")
    }).pipe(Effect.provide(v1Layer(() => jsonAnswer(200, { success: true, errors: [] }), seen)))
  })

  it.effect("success:false with errors → rejected with the first code", () =>
    Effect.gen(function* () {
      expect(yield* Effect.flip(verify("sol"))).toEqual(
        new CaptchaRejected({ reason: "solution_invalid" })
      )
    }).pipe(
      Effect.provide(
        v1Layer(() => jsonAnswer(200, { success: false, errors: ["solution_invalid", "other"] }))
      )
    )
  )

  it.effect("success:false solution_timeout_or_duplicate → already received, not rejected", () =>
    Effect.gen(function* () {
      expect(yield* Effect.flip(verify("sol"))).toEqual(
        new AlreadyReceived({ reason: "solution_timeout_or_duplicate" })
      )
    }).pipe(
      Effect.provide(
        v1Layer(() =>
          jsonAnswer(200, { success: false, errors: ["solution_timeout_or_duplicate"] })
        )
      )
    )
  )

  it.effect("401 secret_invalid → CaptchaMisconfigured", () =>
    Effect.gen(function* () {
      expect(yield* Effect.flip(verify("sol"))).toEqual(
        new CaptchaMisconfigured({ status: 401, code: "secret_invalid" })
      )
    }).pipe(
      Effect.provide(v1Layer(() => jsonAnswer(401, { success: false, errors: ["secret_invalid"] })))
    )
  )
})
