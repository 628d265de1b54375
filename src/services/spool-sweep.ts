/**
 * What a server that stopped mid-way left in the spool: claims it never finished go back
 * to waiting, and dead/ forgets its files after SPOOL_DEAD_DAYS.
 */
import { join } from "node:path"
import * as Effect from "effect/Effect"
import { io, isMissing, type SpoolFs } from "./spool-fs"

const claimedName = /^(\d+-[0-9a-f-]{36}\.json)\.(\d+)\.json$/

/**
 * Claims of a server that stopped before it finished (killed, crashed): back to waiting
 * once older than `staleMs`, far longer than one delivery may take.
 */
export const reclaimStale = (files: SpoolFs, dir: string, now: number, staleMs: number) =>
  io("reclaim", () => files.readdir(join(dir, "claimed"))).pipe(
    Effect.flatMap((names) =>
      Effect.forEach(names, (name) => {
        const match = claimedName.exec(name)
        if (match === null || now - Number(match[2]) < staleMs) return Effect.void
        return io("reclaim", () =>
          files.rename(join(dir, "claimed", name), join(dir, match[1] ?? name))
        ).pipe(Effect.catchIf(isMissing, () => Effect.void))
      })
    ),
    Effect.asVoid
  )

/** dead/ files older than SPOOL_DEAD_DAYS are deleted: they hold personal data. */
export const pruneDead = (files: SpoolFs, dir: string, now: number, maxAgeMs: number) =>
  io("prune", () => files.readdir(join(dir, "dead"))).pipe(
    Effect.flatMap((names) =>
      Effect.forEach(names, (name) => {
        const path = join(dir, "dead", name)
        return io("prune", () => files.stat(path)).pipe(
          Effect.flatMap((info) =>
            now - info.mtimeMs > maxAgeMs ? io("prune", () => files.rm(path)) : Effect.void
          ),
          Effect.catchIf(isMissing, () => Effect.void)
        )
      })
    ),
    Effect.asVoid
  )
