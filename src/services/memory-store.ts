/**
 * The shared store (contract §9) in this process' memory: what a lone server or each Lambda
 * environment on its own has when STORE_TABLE names no table. At most `capacity` records,
 * the least recently used dropped first, so a flood of keys cannot grow the heap without
 * bound. "Now" is Effect's Clock, the same epoch seconds DynamoDB's TTL compares, so a
 * record ends at the same moment in both implementations (and tests move it with TestClock).
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { LruMap } from "./lru"
import { type ClaimResult, type StoreApi, type StoreRecord, StoreService } from "./store"

/** Epoch seconds, as `expiresAt` counts them. */
const nowSeconds: Effect.Effect<number> = Effect.map(Clock.currentTimeMillis, (ms) =>
  Math.floor(ms / 1_000)
)

const isLive = (record: StoreRecord | undefined, now: number): record is StoreRecord =>
  record !== undefined && record.expiresAt > now

const matches = (record: StoreRecord, expected: Readonly<Record<string, string>>): boolean =>
  Object.entries(expected).every(
    ([name, value]) => Object.hasOwn(record.attributes, name) && record.attributes[name] === value
  )

// A copy: a caller that mutates its object afterwards must not change what is stored, as it
// could not change what DynamoDB holds.
const copyOf = (record: StoreRecord): StoreRecord => ({
  pk: record.pk,
  expiresAt: record.expiresAt,
  attributes: { ...record.attributes }
})

/** The store's operations over one LRU map; each looks up and writes with no yield between. */
export const memoryStore = (capacity = 100_000): Effect.Effect<StoreApi> =>
  Effect.sync(() => {
    const records = new LruMap<string, StoreRecord>(capacity)
    const live = (pk: string, now: number): StoreRecord | undefined => {
      const record = records.get(pk)
      if (isLive(record, now)) return record
      // Past its expiry it is nothing but a slot another key could use.
      records.delete(pk)
      return undefined
    }
    return {
      kind: "memory",
      putIfAbsent: (record) =>
        Effect.map(nowSeconds, (now) => {
          if (live(record.pk, now) !== undefined) return false
          records.set(record.pk, copyOf(record))
          return true
        }),
      claim: (record) =>
        Effect.map(nowSeconds, (now): ClaimResult => {
          const before = records.peek(record.pk)
          if (live(record.pk, now) !== undefined) return { written: false }
          records.set(record.pk, copyOf(record))
          return { written: true, expired: before === undefined ? undefined : copyOf(before) }
        }),
      replaceIf: (record, expected) =>
        Effect.map(nowSeconds, (now) => {
          const current = live(record.pk, now)
          if (current === undefined || !matches(current, expected)) return false
          records.set(record.pk, copyOf(record))
          return true
        }),
      get: (pk) =>
        Effect.map(nowSeconds, (now) => {
          const record = live(pk, now)
          return record === undefined ? undefined : copyOf(record)
        })
    }
  })

/** StoreService in this process' memory, at most `capacity` records. */
export const MemoryStore = (capacity = 100_000): Layer.Layer<StoreService> =>
  Layer.effect(StoreService, memoryStore(capacity))
