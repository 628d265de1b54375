/**
 * The spool directory's retry loop (contract §7, §7a): every SPOOL_RETRY_SECONDS, each
 * item that is due is claimed, redelivered and deleted (src/server/spool-item.ts); one that
 * fails waits longer each time (doubling, at most an hour); dead/ forgets its files after
 * SPOOL_DEAD_DAYS; claims of a server that died are taken back, temporary files nobody
 * renamed removed, subdirectories something removed made again. A step the file system
 * refuses is an error counted in SpoolFailed, never a warning alone, and the other steps
 * go on. Stopping waits for the item in hand, so a clean stop never sends an item twice.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { type AppConfig, AppConfigTag } from "../config/app-config"
import { healSpool } from "../services/spool"
import { listWaiting, type SpooledItem } from "../services/spool-claims"
import {
  nodeSpoolFs,
  type SpoolFs,
  type SpoolUnavailable,
  spoolFailed,
  spoolRecreated
} from "../services/spool-fs"
import { pruneDead, spoolSweeper } from "../services/spool-sweep"
import { type ItemOutcome, spoolItem } from "./spool-item"

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
 * How long this server sees a claim before it takes it back (contract §7a). A claim
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
    const { dir, metricsNamespace } = settings
    const files = settings.files ?? nodeSpoolFs
    const staleMs = staleClaimMs(yield* AppConfigTag, settings.timeoutMs)
    const sweeper = spoolSweeper(files, dir)
    const handle = spoolItem({
      files,
      dir,
      maxAgeMs: settings.maxAgeHours * hour,
      unknownRetryMinutes: settings.unknownRetryMinutes,
      metricsNamespace
    })
    const waiting = new Map<string, { readonly failures: number; readonly next: number }>()
    const backoff = (failures: number) =>
      Math.min(settings.retrySeconds * 1_000 * 2 ** (failures - 1), hour)
    const failed =
      (fields: Readonly<Record<string, string>> = {}) =>
      (e: SpoolUnavailable) =>
        spoolFailed(e, metricsNamespace, fields)

    // An unknown outcome's copy waits UNKNOWN_RETRY_MINUTES after it (contract §7a), and
    // longer each time, as a failure does: a relay that never answers in time gets fewer
    // and fewer marked copies. A step the file system refused is retried the same way.
    const schedule = (item: SpooledItem, now: number, outcome: ItemOutcome | undefined) => {
      if (outcome?._tag === "Finished") return void waiting.delete(item.name)
      const failures = (waiting.get(item.name)?.failures ?? 0) + 1
      const next =
        outcome?._tag === "Waiting"
          ? outcome.dueAt
          : Math.max(outcome?.dueAt ?? 0, now + backoff(failures))
      waiting.set(item.name, { failures, next })
    }

    /**
     * One item, start to end: uninterruptible, so that a stop waits for it. Its backoff
     * takes the time it starts, not the pass': a pass after an outage takes long.
     */
    const one = (item: SpooledItem) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const outcome = yield* handle(item, now).pipe(
          Effect.tapError(failed({ file: item.name })),
          Effect.option
        )
        schedule(item, now, outcome._tag === "Some" ? outcome.value : undefined)
      }).pipe(Effect.uninterruptible)

    return Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      // A subdirectory something removed is made again here, or every pass would fail on
      // it while visitors are still told queued (contract §7a).
      yield* spoolRecreated(yield* healSpool(dir, files), metricsNamespace)
      yield* sweeper.reclaim(now, staleMs).pipe(Effect.catchTag("SpoolUnavailable", failed()))
      yield* sweeper.sweep(now, staleMs).pipe(Effect.catchTag("SpoolUnavailable", failed()))
      yield* pruneDead(files, dir, now, settings.deadDays * 24 * hour).pipe(
        Effect.catchTag("SpoolUnavailable", failed())
      )
      const items = yield* listWaiting(files, dir)
      // Gone meanwhile (sent by another server, removed by hand): nothing to wait for.
      const listed = new Set(items.map((item) => item.name))
      for (const name of waiting.keys()) if (!listed.has(name)) waiting.delete(name)
      for (const item of items) {
        if ((waiting.get(item.name)?.next ?? 0) <= now) yield* one(item)
      }
    }).pipe(Effect.catchTag("SpoolUnavailable", failed()))
  })

export const spoolLoop = (settings: SpoolSettings) =>
  Effect.flatMap(spoolPasses(settings), (pass) =>
    Effect.repeat(pass, Schedule.spaced(Duration.seconds(settings.retrySeconds)))
  )
