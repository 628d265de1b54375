/**
 * The shared store (contract §9): one contract suite run against both implementations, the
 * memory one and DynamoDB (moto through the real SDK, behind the counting and faulting proxy
 * of test/support/secrets-peer.ts), with "now" on TestClock for both, so expiry is moved,
 * not waited for. Then what only one of them has: DynamoDB's failures mapped to
 * StoreUnavailable, StoreLive's bound held against a peer that never answers, and the
 * memory store's capacity.
 */
import { randomUUID } from "node:crypto"
import { createServer } from "node:net"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { AppConfigTag } from "../src/config/app-config"
import { makeDynamoStore } from "../src/services/dynamodb-store"
import { MemoryStore } from "../src/services/memory-store"
import {
  type StoreApi,
  type StoreRecord,
  StoreService,
  StoreUnavailable
} from "../src/services/store"
import { bounded, StoreLive } from "../src/services/store-live"
import { testConfig } from "./support/doubles"
import { secretsPeerOrSkip } from "./support/secrets-peer"

const suite = await secretsPeerOrSkip()

/** 2026-12-06T00:00:00Z, in epoch seconds: the contract suite's "now". */
const now = 1_796_515_200

/** `self` with these variables in process.env, restored afterwards (the SDK reads them). */
const withEnv =
  (env: Readonly<Record<string, string>>) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.acquireUseRelease(
      Effect.sync(() => {
        const saved = Object.keys(env).map((name) => [name, process.env[name]] as const)
        Object.assign(process.env, env)
        return saved
      }),
      () => self,
      (saved) =>
        Effect.sync(() => {
          for (const [name, value] of saved) {
            if (value === undefined) Reflect.deleteProperty(process.env, name)
            else process.env[name] = value
          }
        })
    )

interface Subject {
  readonly kind: "memory" | "dynamodb"
  readonly skip: boolean
  /** `test` against a fresh store (memory) or the suite's table (DynamoDB). */
  readonly run: <A, E>(test: Effect.Effect<A, E, StoreService>) => Effect.Effect<A, E>
}

const uniqueTable = () => `store-${randomUUID().slice(0, 8)}`
const tables = new Map<string, Promise<void>>()
/** A table in moto, made on first use: the memory cases and a skipped suite never reach moto. */
const tableNamed = (name: string) =>
  Effect.promise(() => {
    const made = tables.get(name) ?? suite.peer().createTable(name)
    tables.set(name, made)
    return made
  })

const dynamoTable = uniqueTable()
const inDynamo = (table: string) => Layer.effect(StoreService, makeDynamoStore(table, "us-east-1"))

const subjects: ReadonlyArray<Subject> = [
  { kind: "memory", skip: false, run: (test) => Effect.provide(test, MemoryStore()) },
  {
    kind: "dynamodb",
    skip: suite.skip,
    run: (test) =>
      Effect.andThen(tableNamed(dynamoTable), Effect.provide(test, inDynamo(dynamoTable))).pipe(
        withEnv(suite.skip ? {} : suite.peer().env)
      )
  }
]

const record = (
  pk: string,
  expiresAt: number,
  attributes: Readonly<Record<string, string>> = {}
): StoreRecord => ({ pk, expiresAt, attributes })

const key = () => `pk-${randomUUID()}`

describe.each(subjects)("the $kind store", ({ kind, skip, run }) => {
  const test = (name: string, body: () => Effect.Effect<void, unknown, StoreService>) =>
    it.effect.skipIf(skip)(name, () => run(Effect.andThen(TestClock.setTime(now * 1_000), body())))

  test("putIfAbsent writes once: true, then false, and the first record stays", () =>
    Effect.gen(function* () {
      const store = yield* StoreService
      expect(store.kind).toBe(kind)
      const pk = key()
      expect(yield* store.putIfAbsent(record(pk, now + 60, { by: "first" }))).toBe(true)
      expect(yield* store.putIfAbsent(record(pk, now + 90, { by: "second" }))).toBe(false)
      expect(yield* store.get(pk)).toEqual(record(pk, now + 60, { by: "first" }))
      expect(yield* store.get(key())).toBeUndefined()
    }))

  test("a record whose expiresAt is now or past is absent to all three calls", () =>
    Effect.gen(function* () {
      const store = yield* StoreService
      for (const expiresAt of [now, now - 3_600]) {
        const pk = key()
        expect(yield* store.putIfAbsent(record(pk, expiresAt, { state: "old" }))).toBe(true)
        expect(yield* store.get(pk)).toBeUndefined()
        expect(yield* store.replaceIf(record(pk, now + 60, { state: "new" }), {})).toBe(false)
        expect(yield* store.replaceIf(record(pk, now + 60), { state: "old" })).toBe(false)
        expect(yield* store.putIfAbsent(record(pk, now + 60, { state: "fresh" }))).toBe(true)
        expect(yield* store.get(pk)).toEqual(record(pk, now + 60, { state: "fresh" }))
      }
    }))

  test("claim: written over nothing, refused over a live record, and names the expired one it wrote over", () =>
    Effect.gen(function* () {
      const store = yield* StoreService
      const pk = key()
      const first = record(pk, now + 60, { state: "claimed", claimedAt: "t0" })
      expect(yield* store.claim(first)).toEqual({ written: true, expired: undefined })
      expect(yield* store.claim(record(pk, now + 90, { state: "other" }))).toEqual({
        written: false
      })
      expect(yield* store.get(pk)).toEqual(first)
      // The claim's process is gone: its record expires, and the next claim says so.
      yield* TestClock.adjust(Duration.seconds(60))
      const next = record(pk, now + 120, { state: "claimed", claimedAt: "t1" })
      expect(yield* store.claim(next)).toEqual({ written: true, expired: first })
      expect(yield* store.get(pk)).toEqual(next)
    }))

  test("expiry follows the clock: live up to its second, absent from it", () =>
    Effect.gen(function* () {
      const store = yield* StoreService
      const pk = key()
      yield* store.putIfAbsent(record(pk, now + 60, { state: "claimed" }))
      yield* TestClock.adjust(Duration.seconds(59))
      expect(yield* store.get(pk)).toEqual(record(pk, now + 60, { state: "claimed" }))
      expect(yield* store.putIfAbsent(record(pk, now + 600))).toBe(false)
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* store.get(pk)).toBeUndefined()
      expect(yield* store.replaceIf(record(pk, now + 600), { state: "claimed" })).toBe(false)
      expect(yield* store.putIfAbsent(record(pk, now + 600, { state: "again" }))).toBe(true)
    }))

  test("replaceIf replaces only when every expected attribute matches a live record", () =>
    Effect.gen(function* () {
      const store = yield* StoreService
      const pk = key()
      const claimed = record(pk, now + 60, { state: "claimed", owner: "a", note: "n" })
      const done = record(pk, now + 600, { state: "done", outcome: "sent" })
      expect(yield* store.replaceIf(done, {})).toBe(false)
      expect(yield* store.get(pk)).toBeUndefined()
      yield* store.putIfAbsent(claimed)
      expect(yield* store.replaceIf(done, { state: "claimed", owner: "b" })).toBe(false)
      expect(yield* store.replaceIf(done, { state: "claimed", missing: "x" })).toBe(false)
      expect(yield* store.replaceIf(done, { state: "CLAIMED" })).toBe(false)
      expect(yield* store.get(pk)).toEqual(claimed)
      expect(yield* store.replaceIf(done, { state: "claimed", owner: "a" })).toBe(true)
      // The whole record is the new one: its expiry, and `owner` and `note` gone.
      expect(yield* store.get(pk)).toEqual(done)
      expect(yield* store.replaceIf(claimed, { state: "claimed" })).toBe(false)
      expect(yield* store.replaceIf(claimed, {})).toBe(true)
      expect(yield* store.get(pk)).toEqual(claimed)
    }))

  test("attributes round-trip exactly, whatever their names and values", () =>
    Effect.gen(function* () {
      const store = yield* StoreService
      // Names DynamoDB reserves or would parse as a path or a placeholder.
      const attributes = {
        status: "Zoë ✓ 東京",
        "a.b": "dotted",
        "#name": ":value",
        "with space": "line\nbreak",
        size: "0",
        empty: ""
      }
      const pk = key()
      yield* store.putIfAbsent(record(pk, now + 60, attributes))
      expect(yield* store.get(pk)).toEqual(record(pk, now + 60, attributes))
      const next = record(pk, now + 61, { ...attributes, status: "next" })
      expect(yield* store.replaceIf(next, attributes)).toBe(true)
      expect(yield* store.get(pk)).toEqual(next)
      // What is stored is a copy: the caller's object changed afterwards changes nothing.
      const mine: Record<string, string> = { state: "as written" }
      const copied = key()
      yield* store.putIfAbsent(record(copied, now + 60, mine))
      mine.state = "changed"
      expect(yield* store.get(copied)).toEqual(record(copied, now + 60, { state: "as written" }))
      const bare = key()
      yield* store.putIfAbsent(record(bare, now + 60))
      expect(yield* store.get(bare)).toEqual(record(bare, now + 60))
    }))
})

describe("the memory store alone", () => {
  it.effect("holds at most its capacity, dropping the least recently used", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now * 1_000)
      const store = yield* StoreService
      yield* store.putIfAbsent(record("a", now + 60))
      yield* store.putIfAbsent(record("b", now + 60))
      yield* store.get("a")
      yield* store.putIfAbsent(record("c", now + 60))
      expect(yield* store.get("b")).toBeUndefined()
      expect(yield* store.get("a")).toEqual(record("a", now + 60))
      expect(yield* store.get("c")).toEqual(record("c", now + 60))
    }).pipe(Effect.provide(MemoryStore(2)))
  )

  it.effect("StoreLive without STORE_TABLE is the memory store", () =>
    Effect.gen(function* () {
      const store = yield* StoreService
      expect(store.kind).toBe("memory")
      yield* store.putIfAbsent(record("k", 4_000_000_000, { x: "1" }))
      expect(yield* store.get("k")).toEqual(record("k", 4_000_000_000, { x: "1" }))
    }).pipe(
      Effect.provide(StoreLive.pipe(Layer.provide(Layer.succeed(AppConfigTag, testConfig()))))
    )
  )
})

describe("StoreLive's bound on each call", () => {
  /** A store whose calls answer with the name of the span they run in, or never. */
  const spanName = Effect.map(Effect.currentSpan, (span) => span.name).pipe(Effect.orDie)
  const spanNamed: StoreApi = {
    kind: "memory",
    putIfAbsent: () => Effect.map(spanName, (name) => name === "StoreService.putIfAbsent"),
    claim: () =>
      Effect.map(spanName, (name) =>
        name === "StoreService.claim" ? { written: false } : { written: true, expired: undefined }
      ),
    replaceIf: () => Effect.map(spanName, (name) => name === "StoreService.replaceIf"),
    get: () => Effect.map(spanName, (name) => record(name, 0))
  }
  const hanging: StoreApi = {
    kind: "dynamodb",
    putIfAbsent: () => Effect.never,
    claim: () => Effect.never,
    replaceIf: () => Effect.never,
    get: () => Effect.never
  }

  it.effect("each call runs in its span, StoreService.<call>", () =>
    Effect.gen(function* () {
      const store = bounded(spanNamed, 100)
      expect(yield* store.putIfAbsent(record("k", 0))).toBe(true)
      expect(yield* store.claim(record("k", 0))).toEqual({ written: false })
      expect(yield* store.replaceIf(record("k", 0), {})).toBe(true)
      expect((yield* store.get("k"))?.pk).toBe("StoreService.get")
    })
  )

  it.effect("a call unanswered for STORE_TIMEOUT_MS is a timeout, not a moment before", () =>
    Effect.gen(function* () {
      const store = bounded(hanging, 500)
      const calls: ReadonlyArray<Effect.Effect<unknown, StoreUnavailable>> = [
        store.get("k"),
        store.putIfAbsent(record("k", 0)),
        store.claim(record("k", 0)),
        store.replaceIf(record("k", 0), {})
      ]
      for (const call of calls) {
        const fiber = yield* Effect.forkChild(Effect.flip(call))
        yield* TestClock.adjust(Duration.millis(499))
        expect(fiber.pollUnsafe()).toBeUndefined()
        yield* TestClock.adjust(Duration.millis(1))
        expect(yield* Fiber.join(fiber)).toEqual(new StoreUnavailable({ problem: "timeout" }))
      }
    })
  )
})

/** A port nothing listens on: bound, then closed again. */
const closedPort = () =>
  Effect.promise(
    () =>
      new Promise<number>((resolve) => {
        const server = createServer().listen(0, "127.0.0.1", () => {
          const address = server.address()
          const port = typeof address === "object" && address !== null ? address.port : 0
          server.close(() => resolve(port))
        })
      })
  )

describe.skipIf(suite.skip)("the DynamoDB store alone", () => {
  afterAll(() => suite.close())
  const peer = () => suite.peer()
  /** `test` through the proxy (no fault, counts from zero) with `store` over the suite's table. */
  const live =
    (store: Layer.Layer<StoreService> = inDynamo(dynamoTable)) =>
    <A, E>(test: Effect.Effect<A, E, StoreService>) =>
      Effect.sync(() => {
        peer().setFault(undefined)
        peer().resetCounts()
      }).pipe(
        Effect.andThen(tableNamed(dynamoTable)),
        Effect.andThen(Effect.provide(test, store)),
        withEnv(peer().env)
      )
  const failure = <A>(call: (store: StoreApi) => Effect.Effect<A, StoreUnavailable>) =>
    Effect.flip(Effect.flatMap(StoreService, call))

  it.live("a missing table is missing_table, for each call, the SDK's error kept", () =>
    Effect.gen(function* () {
      const calls: ReadonlyArray<(s: StoreApi) => Effect.Effect<unknown, StoreUnavailable>> = [
        (s) => s.get("k"),
        (s) => s.putIfAbsent(record("k", 4_000_000_000)),
        (s) => s.replaceIf(record("k", 4_000_000_000), {})
      ]
      for (const call of calls) {
        const error = yield* failure(call)
        expect(error.problem).toBe("missing_table")
        expect(error.cause).toMatchObject({ name: "ResourceNotFoundException" })
      }
    }).pipe(live(inDynamo("store-never-made")))
  )

  it.live("each refusal DynamoDB answers is mapped to its problem, the SDK's error kept", () =>
    Effect.gen(function* () {
      // The last column: attempts. The SDK tries a throttle or a 5xx again, once (maxAttempts 2).
      const answers = [
        [400, "ThrottlingException", "throttled", 2],
        [400, "ProvisionedThroughputExceededException", "throttled", 2],
        [400, "RequestLimitExceeded", "throttled", 2],
        [400, "AccessDeniedException", "denied", 1],
        [400, "UnrecognizedClientException", "denied", 1],
        [500, "InternalServerError", "unavailable", 2]
      ] as const
      for (const [status, type, problem, attempts] of answers) {
        peer().resetCounts()
        peer().setFault({ kind: "error", status, type, operation: "GetItem" })
        const error = yield* failure((s) => s.get("k"))
        expect([type, error.problem, peer().calls("GetItem")]).toEqual([type, problem, attempts])
        expect(error.cause).toMatchObject({ name: type })
      }
    }).pipe(live())
  )

  it.live("nothing listening is unavailable", () =>
    Effect.gen(function* () {
      const port = yield* closedPort()
      const error = yield* failure((s) => s.get("k")).pipe(
        Effect.provide(inDynamo(dynamoTable)),
        withEnv({ ...peer().env, AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}` })
      )
      expect(error.problem).toBe("unavailable")
      expect(error.cause).toMatchObject({ code: "ECONNREFUSED" })
    })
  )

  it.live("an attribute named as the item's own column is a defect, never written", () =>
    Effect.gen(function* () {
      for (const attributes of [{ pk: "other" }, { expiresAt: "1" }]) {
        const put = Effect.flatMap(StoreService, (s) => s.putIfAbsent(record(key(), 9, attributes)))
        expect(Exit.hasDies(yield* Effect.exit(put))).toBe(true)
        const replace = Effect.flatMap(StoreService, (s) =>
          s.replaceIf(record(key(), 9), attributes)
        )
        expect(Exit.hasDies(yield* Effect.exit(replace))).toBe(true)
      }
      expect(peer().calls("PutItem")).toBe(0)
    }).pipe(live())
  )

  describe("StoreLive with STORE_TABLE", () => {
    const storeLive = (env: Record<string, string> = {}) =>
      StoreLive.pipe(
        Layer.provide(
          Layer.succeed(
            AppConfigTag,
            testConfig({ STORE_TABLE: dynamoTable, AWS_REGION: peer().region, ...env })
          )
        )
      )

    it.live("is the DynamoDB store over that table", () =>
      Effect.gen(function* () {
        const store = yield* StoreService
        expect(store.kind).toBe("dynamodb")
        const pk = key()
        expect(yield* store.putIfAbsent(record(pk, 4_000_000_000, { x: "1" }))).toBe(true)
        expect(yield* store.get(pk)).toEqual(record(pk, 4_000_000_000, { x: "1" }))
        expect([peer().calls("PutItem"), peer().calls("GetItem")]).toEqual([1, 1])
      }).pipe(live(storeLive()))
    )

    it.live("a call the table holds past STORE_TIMEOUT_MS is a timeout; the store recovers", () =>
      Effect.gen(function* () {
        const store = yield* StoreService
        // The proxy never answers a held GetItem: only the bound can end the call.
        peer().setFault({ kind: "hang", operation: "GetItem" })
        const started = Date.now()
        const error = yield* Effect.flip(store.get("k"))
        expect(error).toEqual(new StoreUnavailable({ problem: "timeout" }))
        expect(Date.now() - started).toBeGreaterThanOrEqual(290)
        expect(peer().calls("GetItem")).toBe(1)
        peer().setFault(undefined)
        expect(yield* store.get("k")).toBeUndefined()
        expect(peer().calls("GetItem")).toBe(2)
      }).pipe(live(storeLive({ STORE_TIMEOUT_MS: "300" })))
    )
  })
})
