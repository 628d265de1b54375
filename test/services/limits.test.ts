/**
 * The duplicate guard of SPEC section 9 as a service, with TestClock (SubmissionMemory:
 * remembered for 10 minutes, 10,000 keys least recently used first, a repeat waits for the
 * first in flight, a failure forgotten), and the least-recently-used map under it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cache, Data, Deferred, Duration, Effect, Fiber, TestClock } from "effect"
import type { Accepted } from "../../src/domain/errors"
import { LruMap } from "../../src/services/lru"
import { SubmissionMemory, SubmissionMemoryLive } from "../../src/services/submissions"

const sent = (id: string): Accepted => ({ _tag: "Sent", id, captcha: { _tag: "Verified" } })

class RelayDown extends Data.TaggedError("RelayDown") {}

/** `once` for `key`, counting how often the flow itself ran in `runs`. */
const submitOnce = (
  key: string,
  runs: Array<string>,
  first: Effect.Effect<Accepted> = Effect.succeed(sent(key))
) =>
  Effect.flatMap(SubmissionMemory, (memory) =>
    memory.once(
      key,
      Effect.suspend(() => {
        runs.push(key)
        return first
      })
    )
  )

describe("the duplicate guard (SubmissionMemory)", () => {
  it.effect("a repeat gets the first outcome back as a Duplicate; the flow ran once", () =>
    Effect.gen(function* () {
      const runs: Array<string> = []
      expect(yield* submitOnce("k", runs)).toEqual(sent("k"))
      expect(yield* submitOnce("k", runs)).toEqual({ _tag: "Duplicate", first: sent("k") })
      expect(yield* submitOnce("other", runs)).toEqual(sent("other"))
      expect(runs).toEqual(["k", "other"])
    }).pipe(Effect.provide(SubmissionMemoryLive()))
  )

  it.effect(
    "remembered for 10 minutes: a repeat at 9:59 is a duplicate, one at 10:01 runs the flow",
    () =>
      Effect.gen(function* () {
        const runs: Array<string> = []
        yield* submitOnce("k", runs)
        yield* TestClock.adjust(Duration.seconds(9 * 60 + 59))
        expect((yield* submitOnce("k", runs))._tag).toBe("Duplicate")
        expect(runs).toEqual(["k"])
        yield* TestClock.adjust(Duration.seconds(2))
        expect((yield* submitOnce("k", runs))._tag).toBe("Sent")
        expect(runs).toEqual(["k", "k"])
        // And the new one is remembered from now on.
        expect((yield* submitOnce("k", runs))._tag).toBe("Duplicate")
      }).pipe(Effect.provide(SubmissionMemoryLive()))
  )

  it.effect("a repeat in flight waits for the first one, and gets its outcome", () =>
    Effect.gen(function* () {
      const runs: Array<string> = []
      const release = yield* Deferred.make<void>()
      const slow = Effect.as(Deferred.await(release), sent("k"))
      const first = yield* Effect.fork(submitOnce("k", runs, slow))
      yield* Effect.yieldNow()
      const repeat = yield* Effect.fork(submitOnce("k", runs, slow))
      yield* Effect.yieldNow()
      expect(repeat.unsafePoll()).toBeNull()
      yield* Deferred.succeed(release, undefined)
      expect(yield* Fiber.join(first)).toEqual(sent("k"))
      expect(yield* Fiber.join(repeat)).toEqual({ _tag: "Duplicate", first: sent("k") })
      expect(runs).toEqual(["k"])
    }).pipe(Effect.provide(SubmissionMemoryLive()))
  )

  it.effect(
    "a failure is not remembered: the repeat waiting for it, and the next one, run the flow",
    () =>
      Effect.gen(function* () {
        const runs: Array<string> = []
        const release = yield* Deferred.make<void>()
        const failing = Effect.zipRight(Deferred.await(release), Effect.fail(new RelayDown()))
        const memory = yield* SubmissionMemory
        const flow = (outcome: Effect.Effect<Accepted, RelayDown>) =>
          memory.once(
            "k",
            Effect.suspend(() => {
              runs.push("k")
              return outcome
            })
          )
        const first = yield* Effect.fork(flow(failing))
        yield* Effect.yieldNow()
        const waiting = yield* Effect.fork(flow(Effect.succeed(sent("retry"))))
        yield* Effect.yieldNow()
        yield* Deferred.succeed(release, undefined)
        expect(yield* Effect.flip(Fiber.join(first))).toEqual(new RelayDown())
        expect(yield* Fiber.join(waiting)).toEqual(sent("retry"))
        expect(runs).toEqual(["k", "k"])
        expect(yield* flow(Effect.succeed(sent("third")))).toEqual({
          _tag: "Duplicate",
          first: sent("retry")
        })
      }).pipe(Effect.provide(SubmissionMemoryLive()))
  )

  it.effect("an interrupted first one is forgotten too", () =>
    Effect.gen(function* () {
      const runs: Array<string> = []
      const first = yield* Effect.fork(submitOnce("k", runs, Effect.never))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(first)
      expect(yield* submitOnce("k", runs)).toEqual(sent("k"))
      expect(runs).toEqual(["k", "k"])
    }).pipe(Effect.provide(SubmissionMemoryLive()))
  )

  it.effect("at most 10,000 keys: the 10,001st drops the least recently used, not the oldest", () =>
    Effect.gen(function* () {
      const runs: Array<string> = []
      for (let i = 1; i <= 10_000; i++) yield* submitOnce(`k${i}`, runs)
      // k1 is the oldest, but used again now: k2 is the least recently used.
      expect((yield* submitOnce("k1", runs))._tag).toBe("Duplicate")
      yield* submitOnce("k10001", runs)
      runs.length = 0
      expect((yield* submitOnce("k1", runs))._tag).toBe("Duplicate")
      expect((yield* submitOnce("k3", runs))._tag).toBe("Duplicate")
      expect((yield* submitOnce("k10001", runs))._tag).toBe("Duplicate")
      expect(runs).toEqual([])
      expect((yield* submitOnce("k2", runs))._tag).toBe("Sent")
      expect(runs).toEqual(["k2"])
    }).pipe(Effect.provide(SubmissionMemoryLive()))
  )
})

describe("the least-recently-used map under the guard", () => {
  it("drops the least recently used key, touched by get and set, not by peek", () => {
    const lru = new LruMap<string, number>(3)
    lru.set("a", 1)
    lru.set("b", 2)
    lru.set("c", 3)
    lru.get("a")
    lru.peek("b")
    lru.set("d", 4)
    expect([lru.peek("a"), lru.peek("b"), lru.peek("c"), lru.peek("d")]).toEqual([
      1,
      undefined,
      3,
      4
    ])
    expect(lru.oldest()).toEqual(["c", 3])
    expect(lru.size).toBe(3)
  })

  // Why the guard does not use Effect's Cache: with Effect 3.22.4 a key touched after its
  // lookup completed is still evicted in the order of its first lookup. When this fails,
  // Cache keeps LRU order and could replace LruMap.
  it.effect("Effect 3.22's Cache evicts in first-lookup order, not least recently used", () =>
    Effect.gen(function* () {
      const cache = yield* Cache.make({
        capacity: 3,
        timeToLive: Duration.minutes(10),
        lookup: (key: number) => Effect.succeed(key)
      })
      for (const key of [1, 2, 3]) yield* cache.get(key)
      yield* cache.get(1)
      yield* cache.get(4)
      expect([yield* cache.contains(1), yield* cache.contains(2)]).toEqual([false, true])
    })
  )
})
