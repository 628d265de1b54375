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
import { type AppConfig, AppConfigTag } from "../config/app-config"
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
import { pruneDead, spoolSweeper } from "../services/spool-sweep"

export interface SpoolSettings {
  readonly dir: string
  /** QUEUE_TIMEOUT_MS: a write's bound. */
  readonly timeoutMs: number
  readonly retrySeconds: number
  readonly maxAgeHours: number
  readonly deadDays: number
  readonly metricsNamespace: string
  readonly unknownRetryMinutes: number
  /** Node's file system by default; tests slow it down or fail it. */
  readonly files?: SpoolFs
}

const hour = 3_600_000

/**
 * How long this server sees a claim before it takes it back (SPEC section 7a). A claim
 * lasts at most one item's budget: the SMTP secret, MAIL_TIMEOUT_MS, the secret again after
 * a 535, and the spool's own writes (an enqueue's two fsyncs fit in QUEUE_TIMEOUT_MS; one
 * item makes at most eight). Four times that is generous: a claim seen for so long belongs
 * to a server that died. 112 s with the defaults, 16 minutes at the bounds' maximum.
 */
export const staleClaimMs = (config: AppConfig, queueTimeoutMs: number) =>
  4 * (2 * config.secrets.timeoutMs + config.smtp.timeoutMs + 4 * queueTimeoutMs)

/** One pass over the spool, with the memory the passes of one loop share. */
export const spoolPasses = (settings: SpoolSettings) =>
  Effect.gen(function* () {
    const { dir, unknownRetryMinutes } = settings
    const files = settings.files ?? nodeSpoolFs
    const staleMs = staleClaimMs(yield* AppConfigTag, settings.timeoutMs)
    const sweeper = spoolSweeper(files, dir)
    const waiting = new Map<string, { readonly failures: number; readonly next: number }>()

    const forget = (item: SpooledItem) => Effect.sync(() => waiting.delete(item.name))
    const backoff = (failures: number) =>
      Math.min(settings.retrySeconds * 1_000 * 2 ** (failures - 1), hour)

    /**
     * One item, start to end: uninterruptible, so that a stop waits for it. Its backoff
     * takes the time it starts, not the pass': a pass after an outage takes long.
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
      yield* sweeper.reclaim(now, staleMs)
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
