/**
 * Slack's and Discord's messages in several parts against a node:http receiver (contract
 * §11): a 429's retry hint waited on the test clock when it fits CHANNEL_TIMEOUT_MS and
 * reported when it does not, the parts delivered counted when a later one fails, and a
 * redelivery from that count sending only the rest.
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { answer, attempts, hang, long, lose, receiver } from "./support/channel-receiver"

const { seen, replies, url, arrived } = receiver()
const { send, failure } = attempts(url)

const partLine = (body: string): string => {
  const message = JSON.parse(body)
  const title: string = message.blocks?.[0].text.text ?? message.embeds[0].title
  return title.replace(/^.*(part \d+ of \d+)$/, "$1")
}
const partsSeen = () => seen.map((s) => partLine(s.body))

/**
 * Runs `effect` with the test clock, telling when it sleeps `ms` (a retry hint's wait, not a
 * request's bound), so that the test moves the clock only once the wait has begun.
 */
const watchingSleeps = <A, E>(effect: Effect.Effect<A, E>, ms: number) =>
  Effect.gen(function* () {
    const clock = yield* Clock.Clock
    let began = () => {}
    const waiting = new Promise<void>((resolve) => {
      began = resolve
    })
    const watched: Clock.Clock = {
      ...clock,
      sleep: (duration) => {
        if (Duration.toMillis(duration) === ms) began()
        return clock.sleep(duration)
      }
    }
    const fiber = yield* Effect.forkChild(Effect.provideService(effect, Clock.Clock, watched))
    return { fiber, waiting: Effect.promise(() => waiting) }
  })

describe.each([
  ["slack", answer(429, { "retry-after": "1" }), 1_000],
  [
    "discord",
    answer(429, { "retry-after": "9", "content-type": "application/json" }, '{"retry_after":0.5}'),
    500
  ]
] as const)("%s: a 429 and its hint", (kind, tooMany, hintMs) => {
  it.effect("waited on the clock when it fits the budget, then the same part again", () =>
    Effect.gen(function* () {
      replies.push(tooMany)
      const { fiber, waiting } = yield* watchingSleeps(send(kind), hintMs)
      yield* waiting
      expect(seen.length).toBe(1)
      yield* TestClock.adjust(Duration.millis(hintMs))
      expect(yield* Fiber.join(fiber)).toEqual({ parts: 1 })
      expect(seen.map((s) => s.body)).toEqual([seen[0]?.body, seen[0]?.body])
    })
  )

  it.effect(
    "reported with the hint when it leaves too little for the request: nothing waited",
    () =>
      Effect.gen(function* () {
        replies.push(tooMany)
        expect(yield* failure(kind, { timeoutMs: hintMs + 100 })).toMatchObject({
          _tag: "ChannelTransient",
          reason: "http_429",
          retryAfterMs: hintMs,
          partsSent: 0
        })
        expect(seen.length).toBe(1)
      })
  )

  it.effect("the budget holds the waits too: a part sent after a wait gets only what is left", () =>
    Effect.gen(function* () {
      replies.push(tooMany, hang)
      const { fiber, waiting } = yield* watchingSleeps(failure(kind, { timeoutMs: 2_000 }), hintMs)
      yield* waiting
      yield* TestClock.adjust(Duration.millis(hintMs))
      yield* arrived(2)
      yield* TestClock.adjust(Duration.millis(2_000 - hintMs))
      expect(yield* Fiber.join(fiber)).toMatchObject({
        _tag: "ChannelUnknown",
        reason: "timeout_after_send",
        partsSent: 0,
        at: hintMs
      })
    })
  )
})

describe.each(["slack", "discord"] as const)("%s: a form in several messages", (kind) => {
  it.effect("sent in order, each numbered; a redelivery from a count sends only the rest", () =>
    Effect.gen(function* () {
      const done = yield* send(kind, { submission: long })
      const count = done.parts
      expect(count).toBeGreaterThan(5)
      expect(partsSeen()).toEqual(
        Array.from({ length: count }, (_, i) => `part ${i + 1} of ${count}`)
      )
      seen.length = 0
      expect(yield* send(kind, { submission: long, fromPart: 3 })).toEqual({ parts: count })
      expect(partsSeen()).toEqual(
        Array.from({ length: count - 3 }, (_, i) => `part ${i + 4} of ${count}`)
      )
    })
  )

  it.effect("a later part failing: the parts delivered before it are counted", () =>
    Effect.gen(function* () {
      replies.push(answer(200), answer(200), answer(503), answer(503))
      expect(yield* failure(kind, { submission: long })).toMatchObject({
        _tag: "ChannelTransient",
        reason: "http_503",
        partsSent: 2
      })
      replies.push(answer(200), answer(404))
      expect(yield* failure(kind, { submission: long, fromPart: 2 })).toMatchObject({
        _tag: "ChannelPermanent",
        reason: "http_404",
        partsSent: 3
      })
      replies.push(answer(200), lose)
      expect(yield* failure(kind, { submission: long, fromPart: 3 })).toMatchObject({
        _tag: "ChannelUnknown",
        partsSent: 4
      })
      expect(partsSeen().slice(0, 4)).toEqual(
        ["part 1 of", "part 2 of", "part 3 of", "part 3 of"].map((p) => expect.stringContaining(p))
      )
    })
  )
})

describe("discord's request", () => {
  it.effect("asks Discord to confirm the post (?wait=true) and mentions no one", () =>
    Effect.gen(function* () {
      yield* send("discord")
      const [request] = seen
      expect(request?.url).toBe("/hook?wait=true")
      expect(request?.headers["content-type"]).toBe("application/json")
      expect(request?.headers["user-agent"]).toBe("contact-form-backend")
      expect(JSON.parse(request?.body ?? "")).toMatchObject({ allowed_mentions: { parse: [] } })
    })
  )
})
