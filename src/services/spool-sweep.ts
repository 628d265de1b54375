/**
 * What a server that stopped mid-way left in the spool (contract §7a): claims it never
 * finished go back to waiting, temporary files it never renamed are removed, and dead/
 * forgets its files after SPOOL_DEAD_DAYS. A claim or a temporary file is old only by this
 * server's own observation: how long it has itself seen that name, on its own clock. The
 * time another server wrote in the name is never compared with ours: with one clock 11
 * minutes ahead, a claim made a second before looked abandoned, and its item went out twice.
 */
import { join } from "node:path"
import * as Effect from "effect/Effect"
import { claimedName } from "./spool-claims"
import { io, isMissing, moveDurably, removeDurably, type SpoolFs } from "./spool-fs"

const temporaryName = /^\..+\.tmp$/

/**
 * When this process first saw each name (its clock): `seenFor` of the names listed now.
 * Names no longer listed are forgotten; a name does not come back (a claim's carries the
 * time of its claim, a temporary file's random bytes).
 */
export const sightings = () => {
  const first = new Map<string, number>()
  return (names: ReadonlyArray<string>, now: number) => {
    const present = new Set(names)
    for (const name of first.keys()) if (!present.has(name)) first.delete(name)
    return names.map((name) => {
      const seen = first.get(name) ?? now
      first.set(name, seen)
      return { name, seenFor: now - seen }
    })
  }
}

/** The loop's memory of claimed/ and of temporary files: one per loop, its passes share it. */
export const spoolSweeper = (files: SpoolFs, dir: string) => {
  const claims = sightings()
  const temporary = sightings()
  const claimedDir = join(dir, "claimed")

  /**
   * Claims this server has seen for longer than `staleMs` go back to waiting: their server
   * died mid-delivery (killed, crashed). One that another server finishes meanwhile is gone.
   */
  const reclaim = (now: number, staleMs: number) =>
    io("reclaim", () => files.readdir(claimedDir)).pipe(
      Effect.flatMap((names) =>
        Effect.forEach(claims(names, now), ({ name, seenFor }) => {
          const original = claimedName.exec(name)?.[1]
          if (original === undefined || seenFor <= staleMs) return Effect.void
          return io("reclaim", () =>
            moveDurably(files, join(claimedDir, name), join(dir, original))
          ).pipe(Effect.catchIf(isMissing, () => Effect.void))
        })
      ),
      Effect.asVoid
    )

  /**
   * Temporary files seen for longer than `staleMs`, in the spool and in claimed/, are
   * removed: a write that could not remove its own (a process killed mid-write, a disk
   * that failed the removal too). None is ever renamed into an item.
   */
  const sweep = (now: number, staleMs: number) =>
    Effect.forEach([dir, claimedDir], (where) =>
      io("sweep", () => files.readdir(where)).pipe(
        Effect.map((names) =>
          names.filter((name) => temporaryName.test(name)).map((name) => join(where, name))
        )
      )
    ).pipe(
      Effect.map((paths) => temporary(paths.flat(), now)),
      Effect.flatMap((seen) =>
        Effect.forEach(
          seen,
          ({ name, seenFor }) =>
            seenFor <= staleMs
              ? Effect.void
              : io("sweep", () => removeDurably(files, name)).pipe(
                  Effect.catchIf(isMissing, () => Effect.void)
                ),
          { discard: true }
        )
      )
    )

  return { reclaim, sweep }
}

/**
 * dead/ files older than SPOOL_DEAD_DAYS are deleted: they hold personal data. By their
 * mtime, which the burial set, perhaps on another server's clock: minutes off in 14 days.
 */
export const pruneDead = (files: SpoolFs, dir: string, now: number, maxAgeMs: number) =>
  io("prune", () => files.readdir(join(dir, "dead"))).pipe(
    Effect.flatMap((names) =>
      Effect.forEach(names, (name) => {
        const path = join(dir, "dead", name)
        return io("prune", () => files.stat(path)).pipe(
          Effect.flatMap((info) =>
            now - info.mtimeMs > maxAgeMs
              ? io("prune", () => removeDurably(files, path))
              : Effect.void
          ),
          Effect.catchIf(isMissing, () => Effect.void)
        )
      })
    ),
    Effect.asVoid
  )
