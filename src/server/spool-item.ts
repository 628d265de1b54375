/**
 * One spooled item, start to end (contract §7, §7a): claimed; the attempt's time written
 * into it before the delivery starts; then deleted once sent, or back to waiting, or (older
 * than SPOOL_MAX_AGE_HOURS and its attempt failed) moved to dead/.
 */
import * as Effect from "effect/Effect"
import { copyOf, decodeItem, dueAt, encodeItem, type QueueItem } from "../domain/item"
import { writeLine } from "../logging"
import { redeliverItem } from "../redelivery"
import {
  bury,
  type Claim,
  claim,
  done,
  release,
  rewrite,
  type SpooledItem
} from "../services/spool-claims"
import type { SpoolFs } from "../services/spool-fs"

export interface ItemSettings {
  readonly files: SpoolFs
  readonly dir: string
  readonly maxAgeMs: number
  readonly unknownRetryMinutes: number
  readonly metricsNamespace: string
}

/**
 * What the loop makes of it: finished (sent, buried, or another server has it), waiting
 * (not due before `dueAt`), or to retry (it failed, or its outcome is unknown: with
 * backoff, and not before `dueAt`).
 */
export type ItemOutcome =
  | { readonly _tag: "Finished" }
  | { readonly _tag: "Waiting"; readonly dueAt: number }
  | { readonly _tag: "Retry"; readonly dueAt: number }

const finished: ItemOutcome = { _tag: "Finished" }

/**
 * An attempt that began and never ended (its server was killed mid-delivery, perhaps after
 * the relay had the mail) may have reached the owner: an unknown outcome from its start,
 * so its next copy waits UNKNOWN_RETRY_MINUTES and goes out marked (contract §7a).
 */
export const unfinished = (item: QueueItem): QueueItem => {
  if (item.attemptAt === undefined) return item
  const { attemptAt, ...rest } = item
  return { ...rest, unknownAt: attemptAt, copy: copyOf(item) + 1 }
}

export const spoolItem = (settings: ItemSettings) => {
  const { files, dir } = settings

  /** Not sent: back to waiting as `body`, or, too old (its attempt made), to dead/. */
  const giveBack = (claimed: Claim, body: string | undefined, now: number, attempted: boolean) =>
    Effect.gen(function* () {
      if (body !== undefined) yield* rewrite(files, dir, claimed, body)
      // Never before its attempt (contract §7a): a relay down over a long weekend, or an
      // item moved back from dead/ by hand (its name still says when it was received).
      if (!attempted || now - claimed.item.receivedAt <= settings.maxAgeMs) {
        yield* release(files, dir, claimed)
        return false
      }
      yield* bury(files, dir, claimed, now)
      yield* writeLine(
        {
          level: "Error",
          message: "spool item buried",
          fields: { reason: "too_old", file: claimed.item.name }
        },
        settings.metricsNamespace
      )
      return true
    })

  return (item: SpooledItem, now: number) =>
    Effect.gen(function* () {
      const claimed = yield* claim(files, dir, item, now)
      if (claimed === undefined) return finished // another server has it
      const stored = decodeItem(claimed.body)
      if (stored === undefined) {
        // Not an item: redelivery says so in an error line, and it is kept as a failure is.
        yield* redeliverItem(claimed.body)
        const buried = yield* giveBack(claimed, undefined, now, true)
        return buried ? finished : ({ _tag: "Retry", dueAt: 0 } satisfies ItemOutcome)
      }
      const current = unfinished(stored)
      const due = dueAt(current, settings.unknownRetryMinutes)
      if (now < due) {
        yield* giveBack(claimed, current === stored ? undefined : encodeItem(current), now, false)
        return { _tag: "Waiting", dueAt: due } satisfies ItemOutcome
      }
      // Before the delivery starts (so before DATA), its time in the claimed file, fsynced:
      // after kill -9, the server that takes the claim back sends it marked (contract §7a).
      const attempt = encodeItem({ ...current, attemptAt: new Date(now).toISOString() })
      yield* rewrite(files, dir, claimed, attempt, "attempt")
      const result = yield* redeliverItem(attempt)
      if (result._tag === "Delivered") {
        yield* done(files, claimed)
        return finished
      }
      if (result._tag === "NotDue") {
        yield* giveBack(claimed, encodeItem(current), now, false)
        return { _tag: "Waiting", dueAt: result.dueAt } satisfies ItemOutcome
      }
      // Kept without the attempt's time: failed for sure, or marked anew as unknown (its
      // copy waits UNKNOWN_RETRY_MINUTES after this attempt).
      const replaced = result._tag === "Unknown" || result._tag === "Progress"
      const buried = yield* giveBack(
        claimed,
        replaced ? result.body : encodeItem(current),
        now,
        true
      )
      if (buried) return finished
      return {
        _tag: "Retry",
        dueAt: replaced ? dueAt(result.item, settings.unknownRetryMinutes) : 0
      } satisfies ItemOutcome
    })
}
