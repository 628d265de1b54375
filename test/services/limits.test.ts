/**
 * The two guards of contract §9 as services, with TestClock: the duplicate guard
 * (SubmissionMemory: remembered for 10 minutes, 10,000 keys least recently used first, a
 * repeat waits for the first in flight, a failure forgotten) and the rate limit
 * (RateLimiter: a sliding log per address, Retry-After from its oldest entry, 10,000
 * addresses, IPv6 by /64, nothing kept beyond the window); and the address rules under both.
 */
import { describe, expect, it } from "@effect/vitest"
import { Data, Deferred, Duration, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { addressBucket, normalizeAddress } from "../../src/domain/address"
import type { Accepted } from "../../src/domain/errors"
import { clientAddress } from "../../src/http/client-address"
import { LruMap } from "../../src/services/lru"
import { RateLimiter, SlidingWindowLimit } from "../../src/services/rate-limit"
import { SubmissionMemory, SubmissionMemoryLive } from "../../src/services/submissions"
import { VerdictMemory, VerdictMemoryLive } from "../../src/services/verdicts"

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

describe("the verdicts of tokens not yet spent (VerdictMemory)", () => {
  const unverified = { _tag: "Unverified", reason: "timeout" } as const

  it.effect("recalled by (form, token) for 10 minutes, then forgotten", () =>
    Effect.gen(function* () {
      const verdicts = yield* VerdictMemory
      yield* verdicts.remember("default", "tok", unverified)
      expect(yield* verdicts.recall("default", "tok")).toEqual(unverified)
      // Another form's token of the same text is another token.
      expect(yield* verdicts.recall("acme", "tok")).toBeUndefined()
      yield* TestClock.adjust(Duration.minutes(10).pipe(Duration.subtract(Duration.millis(1))))
      expect(yield* verdicts.recall("default", "tok")).toEqual(unverified)
      yield* TestClock.adjust(Duration.millis(1))
      expect(yield* verdicts.recall("default", "tok")).toBeUndefined()
    }).pipe(Effect.provide(VerdictMemoryLive()))
  )

  it.effect("spent on an accepted submission: recalled no more", () =>
    Effect.gen(function* () {
      const verdicts = yield* VerdictMemory
      yield* verdicts.remember("default", "tok", { _tag: "Verified" })
      yield* verdicts.spend("default", "tok")
      expect(yield* verdicts.recall("default", "tok")).toBeUndefined()
    }).pipe(Effect.provide(VerdictMemoryLive()))
  )
})

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
      const first = yield* Effect.forkChild(submitOnce("k", runs, slow))
      yield* Effect.yieldNow
      const repeat = yield* Effect.forkChild(submitOnce("k", runs, slow))
      yield* Effect.yieldNow
      expect(repeat.pollUnsafe()).toBeUndefined()
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
        const failing = Effect.andThen(Deferred.await(release), Effect.fail(new RelayDown()))
        const memory = yield* SubmissionMemory
        const flow = (outcome: Effect.Effect<Accepted, RelayDown>) =>
          memory.once(
            "k",
            Effect.suspend(() => {
              runs.push("k")
              return outcome
            })
          )
        const first = yield* Effect.forkChild(flow(failing))
        yield* Effect.yieldNow
        const waiting = yield* Effect.forkChild(flow(Effect.succeed(sent("retry"))))
        yield* Effect.yieldNow
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
      const first = yield* Effect.forkChild(submitOnce("k", runs, Effect.never))
      yield* Effect.yieldNow
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

describe("the least-recently-used map under both guards", () => {
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
})

const limiter = (perMinute: number, capacity?: number) =>
  SlidingWindowLimit({ perMinute, ...(capacity === undefined ? {} : { capacity }) })

const admit = (address: string) => Effect.flatMap(RateLimiter, (l) => l.admit(address))
const tracked = Effect.flatMap(RateLimiter, (l) => l.tracked)
const admitted = { _tag: "Admitted" } as const
const limited = (retryAfterSeconds: number) => ({ _tag: "Limited", retryAfterSeconds }) as const

describe("the rate limit (RateLimiter)", () => {
  it.effect(
    "3 a minute: the fourth is limited, Retry-After until the oldest leaves the window",
    () =>
      Effect.gen(function* () {
        expect(yield* admit("203.0.113.7")).toEqual(admitted)
        yield* TestClock.adjust(Duration.seconds(10))
        expect(yield* admit("203.0.113.7")).toEqual(admitted)
        yield* TestClock.adjust(Duration.seconds(10))
        expect(yield* admit("203.0.113.7")).toEqual(admitted)
        yield* TestClock.adjust(Duration.millis(10_500))
        // The oldest came at 0 s; it is 30.5 s now: it leaves the window in 29.5 s.
        expect(yield* admit("203.0.113.7")).toEqual(limited(30))
        // Another address is still served.
        expect(yield* admit("203.0.113.8")).toEqual(admitted)
        // A refused request is not counted: once the oldest has left, one more is admitted.
        yield* TestClock.adjust(Duration.millis(29_499))
        expect(yield* admit("203.0.113.7")).toEqual(limited(1))
        yield* TestClock.adjust(Duration.millis(1))
        expect(yield* admit("203.0.113.7")).toEqual(admitted)
        // Now the one of 10 s is the oldest: it leaves at 70 s, 10 s from now.
        expect(yield* admit("203.0.113.7")).toEqual(limited(10))
      }).pipe(Effect.provide(limiter(3)))
  )

  it.effect("two IPv6 addresses of one /64 share a count; another /64 does not", () =>
    Effect.gen(function* () {
      expect(yield* admit(normalizeAddress("2001:db8:1:2::1"))).toEqual(admitted)
      expect(yield* admit(normalizeAddress("2001:db8:1:2:ffff:ffff:ffff:ffff"))).toEqual(admitted)
      expect((yield* admit(normalizeAddress("2001:0db8:0001:0002::abcd")))._tag).toBe("Limited")
      expect(yield* admit(normalizeAddress("2001:db8:1:3::1"))).toEqual(admitted)
    }).pipe(Effect.provide(limiter(2)))
  )

  it.effect("20,000 distinct addresses: 10,000 tracked, the least recently counted dropped", () =>
    Effect.gen(function* () {
      const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
      for (let i = 0; i < 20_000; i++) expect(yield* admit(address(i))).toEqual(admitted)
      expect(yield* tracked).toBe(10_000)
      // The newest are still counted (limit 1: a second POST is limited); the oldest are not.
      expect((yield* admit(address(19_999)))._tag).toBe("Limited")
      expect(yield* admit(address(0))).toEqual(admitted)
      expect(yield* tracked).toBe(10_000)
    }).pipe(Effect.provide(limiter(1)))
  )

  it.effect("no address is kept beyond its window", () =>
    Effect.gen(function* () {
      yield* admit("203.0.113.7")
      yield* TestClock.adjust(Duration.seconds(30))
      yield* admit("203.0.113.8")
      expect(yield* tracked).toBe(2)
      yield* TestClock.adjust(Duration.seconds(30))
      expect(yield* tracked).toBe(1)
      yield* TestClock.adjust(Duration.seconds(30))
      expect(yield* tracked).toBe(0)
    }).pipe(Effect.provide(limiter(5)))
  )

  it.effect("a limited address keeps its place: refusals do not make it the most recent", () =>
    Effect.gen(function* () {
      yield* admit("203.0.113.7")
      yield* TestClock.adjust(Duration.seconds(1))
      yield* admit("203.0.113.8")
      yield* admit("203.0.113.7")
      yield* TestClock.adjust(Duration.seconds(59))
      // .7's last counted POST came at 0 s: it is forgotten now, .8's (1 s) is not.
      expect(yield* tracked).toBe(1)
    }).pipe(Effect.provide(limiter(1)))
  )
})

describe("client addresses (contract §9)", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["::FFFF:cb00:7107", "203.0.113.7"],
    ["203.0.113.7:51234", "203.0.113.7"],
    ["[2001:db8::1]:443", "2001:db8:0:0:0:0:0:1"],
    ["2001:DB8::1", "2001:db8:0:0:0:0:0:1"],
    ["fe80::1%eth0", "fe80:0:0:0:0:0:0:1"],
    ["::1", "0:0:0:0:0:0:0:1"],
    [" 198.51.100.1 ", "198.51.100.1"],
    ["unknown", "unknown"],
    ["", "unknown"],
    ["999.1.1.1", "unknown"]
  ])("%j is counted as %j", (raw, expected) => {
    expect(normalizeAddress(raw)).toBe(expected)
  })

  it("IPv6 counts by its /64, IPv4 by itself", () => {
    expect(addressBucket("2001:db8:1:2:0:0:0:1")).toBe("2001:db8:1:2::/64")
    expect(addressBucket("203.0.113.7")).toBe("203.0.113.7")
  })

  it("without TRUST_PROXY_HOPS, X-Forwarded-For changes nothing", () => {
    expect(clientAddress("198.51.100.9", "203.0.113.7", 0)).toBe("198.51.100.9")
  })

  it("with it, the entry that many places from the right end; what the client wrote is ignored", () => {
    const header = "192.0.2.66, 203.0.113.7, 10.0.0.2"
    expect(clientAddress("127.0.0.1", header, 1)).toBe("10.0.0.2")
    expect(clientAddress("127.0.0.1", header, 2)).toBe("203.0.113.7")
    expect(clientAddress("127.0.0.1", header, 3)).toBe("192.0.2.66")
    // Fewer entries than hops: the farthest one any trusted proxy appended.
    expect(clientAddress("127.0.0.1", header, 5)).toBe("192.0.2.66")
    // No header at all: the peer.
    expect(clientAddress("127.0.0.1", undefined, 1)).toBe("127.0.0.1")
    expect(clientAddress("127.0.0.1", "garbage", 1)).toBe("unknown")
  })
})
