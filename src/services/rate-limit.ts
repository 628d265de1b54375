/**
 * RateLimiter: at most RATE_LIMIT_PER_MINUTE POSTs per client address in any 60 seconds
 * (contract §9), in this process. A sliding log of timestamps per address, so that
 * `Retry-After` is exact: the seconds until the oldest one leaves the window. At most 10,000
 * addresses are tracked, the least recently counted dropped first, and none is kept once its
 * last POST has left the window. IPv6 counts by its /64. Time is Effect's Clock.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { addressBucket } from "../domain/address"
import { LruMap } from "./lru"

export type Admission =
  | { readonly _tag: "Admitted" }
  | { readonly _tag: "Limited"; readonly retryAfterSeconds: number }

export interface RateLimiterApi {
  /** Counts one POST from `address` (normalized), or says how long it must wait. */
  readonly admit: (address: string) => Effect.Effect<Admission>
  /** How many addresses are tracked now: those counted in the last 60 seconds. */
  readonly tracked: Effect.Effect<number>
}

export class RateLimiter extends Context.Service<RateLimiter, RateLimiterApi>()(
  "contact-form/RateLimiter"
) {}

const windowMs = 60_000
const admitted: Admission = { _tag: "Admitted" }

/** RATE_LIMIT_PER_MINUTE=0 (and embedded mode): every request is admitted. */
export const RateLimitOff = Layer.succeed(
  RateLimiter,
  RateLimiter.of({ admit: () => Effect.succeed(admitted), tracked: Effect.succeed(0) })
)

export const SlidingWindowLimit = (options: {
  readonly perMinute: number
  readonly capacity?: number
}) =>
  Layer.sync(RateLimiter, () => {
    // Each log is oldest first; the map is ordered by each address's latest timestamp.
    const logs = new LruMap<string, Array<number>>(options.capacity ?? 10_000)

    /** Drops every address whose latest POST has left the window (they are the oldest). */
    const sweep = (now: number) => {
      for (let oldest = logs.oldest(); oldest !== undefined; oldest = logs.oldest()) {
        const [bucket, log] = oldest
        if (now - (log.at(-1) ?? 0) < windowMs) return
        logs.delete(bucket)
      }
    }

    const admit = (address: string) =>
      Effect.map(Clock.currentTimeMillis, (now): Admission => {
        sweep(now)
        const bucket = addressBucket(address)
        const log = logs.peek(bucket) ?? []
        const inWindow = log.findIndex((t) => now - t < windowMs)
        log.splice(0, inWindow === -1 ? log.length : inWindow)
        const [oldest] = log
        if (oldest !== undefined && log.length >= options.perMinute) {
          // Not counted, and the address keeps its place: after Retry-After, it is admitted.
          const seconds = Math.ceil((oldest + windowMs - now) / 1000)
          return { _tag: "Limited", retryAfterSeconds: Math.max(1, seconds) }
        }
        log.push(now)
        logs.set(bucket, log)
        return admitted
      })

    return RateLimiter.of({
      admit,
      tracked: Effect.map(Clock.currentTimeMillis, (now) => {
        sweep(now)
        return logs.size
      })
    })
  })
