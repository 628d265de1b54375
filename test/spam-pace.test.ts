/**
 * A dropped submission is answered in a delivery's usual time (contract §12: the same timing
 * class as a clean one), measured on Effect's clock: the judgement's `pace` waits what recent
 * deliveries took in this process, at most 3 s, and nothing before any delivery.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer } from "effect"
import * as HttpClient from "effect/http/HttpClient"
import { TestClock } from "effect/testing"
import { AppConfigTag } from "../src/config/app-config"
import { SpamLive, SpamService } from "../src/services/spam"
import { SecretsFixed, testConfig } from "./support/doubles"

const spam = SpamLive.pipe(
  Layer.provide(
    Layer.mergeAll(
      Layer.succeed(AppConfigTag, testConfig()),
      SecretsFixed,
      Layer.succeed(
        HttpClient.HttpClient,
        HttpClient.make(() => Effect.die("no HTTP call is expected"))
      )
    )
  )
)

const paced = (observed: ReadonlyArray<number>, ms: number) =>
  Effect.gen(function* () {
    const service = yield* SpamService
    for (const delivery of observed) yield* service.observe(delivery)
    const fiber = yield* Effect.forkChild(service.pace)
    yield* TestClock.adjust(Duration.millis(ms - 1))
    const early = fiber.pollUnsafe()
    yield* TestClock.adjust(Duration.millis(1))
    yield* Fiber.join(fiber)
    return early
  }).pipe(Effect.provide(spam))

describe("the pace of a dropped submission", () => {
  it.effect("waits as long as the last delivery took, and no less", () =>
    Effect.gen(function* () {
      expect(yield* paced([800], 800)).toBeUndefined()
    })
  )

  it.effect("follows a moving average of deliveries", () =>
    Effect.gen(function* () {
      // 1,000, then 0.8 × 1,000 + 0.2 × 2,000.
      expect(yield* paced([1_000, 2_000], 1_200)).toBeUndefined()
    })
  )

  it.effect("waits 3 s at most", () =>
    Effect.gen(function* () {
      expect(yield* paced([60_000], 3_000)).toBeUndefined()
    })
  )
})
