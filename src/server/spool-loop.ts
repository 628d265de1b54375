/**
 * The spool directory's retry loop (SPEC section 7): every SPOOL_RETRY_SECONDS, each item
 * that is due is claimed, redelivered and deleted; one that fails waits longer each time
 * (doubling, at most an hour); one older than SPOOL_MAX_AGE_HOURS goes to dead/, and dead/
 * forgets its files after SPOOL_DEAD_DAYS. Claims of a server that died are taken back.
 * Stopping waits for the item in hand, so a clean stop never sends an item twice.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { dueAt } from "../domain/item"
import { writeLine } from "../logging"
import { redeliverItem } from "../redelivery"
import {
  bury,
  claim,
  done,
  listWaiting,
  release,
  rewrite,
  type SpooledItem
} from "../services/spool-claims"
import { nodeSpoolFs, type SpoolFs } from "../services/spool-fs"
import { pruneDead, reclaimStale } from "../services/spool-sweep"

export interface SpoolSettings {
  readonly dir: string
  readonly retrySeconds: number
  readonly maxAgeHours: number
  readonly deadDays: number
  readonly metricsNamespace: string
  readonly unknownRetryMinutes: number
  /** Node's file system by default; tests slow it down or fail it. */
  readonly files?: SpoolFs
}

const hour = 3_600_000
/** Far beyond one delivery (MAIL_TIMEOUT_MS is at most a minute): its server is gone. */
const staleClaimMs = 10 * 60_000

/** One pass over the spool, with the memory the passes of one loop share. */
export const spoolPasses = (settings: SpoolSettings) =>
  Effect.sync(() => {
    const { dir, unknownRetryMinutes } = settings
    const files = settings.files ?? nodeSpoolFs
    const waiting = new Map<string, { readonly failures: number; readonly next: number }>()

    const forget = (item: SpooledItem) => Effect.sync(() => waiting.delete(item.name))
    const backoff = (failures: number) =>
      Math.min(settings.retrySeconds * 1_000 * 2 ** (failures - 1), hour)

    /**
     * One item, start to end: uninterruptible, so that a stop waits for it. Its claim and its
     * backoff take the time it starts: a pass over many items after an outage can outlast
     * the stale-claim age, and a claim stamped with the pass' start would look abandoned.
     */
    const one = (item: SpooledItem) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const claimed = yield* claim(files, dir, item, now)
        if (claimed === undefined) return yield* forget(item) // another server has it
        if (now - item.receivedAt > settings.maxAgeHours * hour) {
          yield* forget(item)
          yield* bury(files, dir, claimed, now)
          yield* writeLine(
            {
              level: "Error",
              message: "redelivery",
              fields: { outcome: "redelivery_failed", reason: "too_old", file: item.name },
              metric: "RedeliveryFailed"
            },
            settings.metricsNamespace
          )
          return
        }
        const result = yield* redeliverItem(claimed.body)
        if (result._tag === "Delivered") {
          yield* forget(item)
          return yield* done(files, claimed)
        }
        const failures = (waiting.get(item.name)?.failures ?? 0) + 1
        // An unknown outcome's copy waits UNKNOWN_RETRY_MINUTES after it (SPEC section 7a),
        // and longer each time, as a failure does: a relay that never answers in time gets
        // fewer and fewer marked copies.
        const next =
          result._tag === "NotDue"
            ? result.dueAt
            : result._tag === "Unknown"
              ? Math.max(dueAt(result.item, unknownRetryMinutes), now + backoff(failures))
              : now + backoff(failures)
        waiting.set(item.name, { failures, next })
        if (result._tag === "Unknown") yield* rewrite(files, dir, claimed, result.body)
        yield* release(files, dir, claimed)
      }).pipe(Effect.uninterruptible)

    const pass = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      yield* reclaimStale(files, dir, now, staleClaimMs)
      yield* pruneDead(files, dir, now, settings.deadDays * 24 * hour)
      for (const item of yield* listWaiting(files, dir)) {
        if ((waiting.get(item.name)?.next ?? 0) <= now) yield* one(item)
      }
    }).pipe(
      Effect.catchTag("SpoolUnavailable", () =>
        writeLine(
          { level: "Warning", message: "spool unavailable", fields: { reason: "spool_io" } },
          settings.metricsNamespace
        )
      )
    )

    return pass
  })

export const spoolLoop = (settings: SpoolSettings) =>
  Effect.flatMap(spoolPasses(settings), (pass) =>
    Effect.repeat(pass, Schedule.spaced(Duration.seconds(settings.retrySeconds)))
  )
