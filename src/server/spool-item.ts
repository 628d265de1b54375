/**
 * One spooled item, start to end (SPEC sections 7, 7a): claimed, redelivered, then deleted
 * once sent, or back to waiting, or (older than SPOOL_MAX_AGE_HOURS and its attempt failed)
 * moved to dead/.
 */
import * as Effect from "effect/Effect"
import { dueAt } from "../domain/item"
import { writeLine } from "../logging"
import { redeliverItem } from "../redelivery"
import { bury, claim, done, release, rewrite, type SpooledItem } from "../services/spool-claims"
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

export const spoolItem = (settings: ItemSettings) => (item: SpooledItem, now: number) =>
  Effect.gen(function* () {
    const { files, dir } = settings
    const claimed = yield* claim(files, dir, item, now)
    if (claimed === undefined) return finished // another server has it
    const result = yield* redeliverItem(claimed.body)
    switch (result._tag) {
      case "Delivered":
        yield* done(files, claimed)
        return finished
      case "NotDue":
        yield* release(files, dir, claimed)
        return { _tag: "Waiting", dueAt: result.dueAt } satisfies ItemOutcome
      case "Unknown":
      case "Failed": {
        // Kept marked; its copy waits UNKNOWN_RETRY_MINUTES after it (SPEC section 7a).
        if (result._tag === "Unknown") yield* rewrite(files, dir, claimed, result.body)
        // Older than SPOOL_MAX_AGE_HOURS, and this attempt did not deliver it: buried. Never
        // before its attempt (SPEC section 7a): a relay down over a long weekend, or an item
        // moved back from dead/ by hand (its name still says when it was received).
        if (now - item.receivedAt > settings.maxAgeMs) {
          yield* bury(files, dir, claimed, now)
          yield* writeLine(
            {
              level: "Error",
              message: "spool item buried",
              fields: { reason: "too_old", file: item.name }
            },
            settings.metricsNamespace
          )
          return finished
        }
        yield* release(files, dir, claimed)
        return {
          _tag: "Retry",
          dueAt: result._tag === "Unknown" ? dueAt(result.item, settings.unknownRetryMinutes) : 0
        } satisfies ItemOutcome
      }
    }
  })
