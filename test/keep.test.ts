/**
 * The one answer for all channels (src/keep.ts, contract §11), at its edge: a repeat to which
 * nothing was owed any more (every channel delivered on an earlier attempt) is sent.
 */
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { AppConfigTag } from "../src/config/app-config"
import { settle } from "../src/keep"
import { QueueDisabled } from "../src/services/queue"
import { testConfig } from "./support/doubles"

describe("settle", () => {
  it("nothing owed: sent, and nothing kept", async () => {
    const accepted = {
      id: "0190d7e4-8c2a-8b3e-9f1d-2a4b6c8d0e1f",
      form: { email: "ada@example.org", body: "Hi", language: "en" as const, extras: [] },
      captcha: { _tag: "Verified" as const }
    }
    const outcome = await Effect.runPromise(
      settle([], accepted, "default", new Date()).pipe(
        Effect.provide(Layer.merge(QueueDisabled, Layer.succeed(AppConfigTag, testConfig())))
      )
    )
    expect(outcome).toEqual({ _tag: "Sent", id: accepted.id, captcha: accepted.captcha })
  })
})
