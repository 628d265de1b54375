/**
 * The retry loop's side of the spool (src/server/spool-loop.ts): the waiting items, and
 * one item's way through claimed/ to done, back to waiting, or to dead/. Every rename and
 * delete is followed by an fsync of the directories it changed (contract §7a): without
 * it, after a power cut, a delivered item could come back and be sent again.
 */
import { basename, join } from "node:path"
import * as Effect from "effect/Effect"
import { channelKinds } from "../domain/channels"
import { writeDurably } from "./spool"
import { io, isMissing, moveDurably, removeDurably, type SpoolFs, syncDirectory } from "./spool-fs"

/** `-<channel>` in an item's name when it is owed to a channel other than mail (contract §11). */
const channelSuffix = `(?:-(?:${channelKinds.filter((k) => k !== "mail").join("|")}))?`
const waiting = new RegExp(`^(\\d+)-[0-9a-f-]{36}${channelSuffix}\\.json$`)
/** A claimed item's name: the waiting name and the claim's time. */
export const claimedName = new RegExp(`^(\\d+-[0-9a-f-]{36}${channelSuffix}\\.json)\\.\\d+\\.json$`)

export interface SpooledItem {
  /** The waiting file's name. */
  readonly name: string
  /** From the name: when the visitor sent it (epoch ms). */
  readonly receivedAt: number
}

/** The waiting items, oldest first. */
export const listWaiting = (files: SpoolFs, dir: string) =>
  io("list", () => files.readdir(dir)).pipe(
    Effect.map((names) =>
      names
        .flatMap((name): ReadonlyArray<SpooledItem> => {
          const match = waiting.exec(name)
          return match === null ? [] : [{ name, receivedAt: Number(match[1]) }]
        })
        .sort((a, b) => a.receivedAt - b.receivedAt)
    )
  )

export interface Claim {
  readonly item: SpooledItem
  readonly path: string
  readonly body: string
}

/**
 * Takes an item by renaming it into claimed/: rename is atomic, so of two servers one wins
 * and the other finds it gone (`undefined`). The claim's time in its name is for people
 * reading the directory: no server compares it with its own clock (spool-sweep.ts).
 * claimed/ itself missing is a failure, never taken for an item gone: the next pass makes
 * it again.
 */
export const claim = (files: SpoolFs, dir: string, item: SpooledItem, now: number) => {
  const claimed = join(dir, "claimed")
  const path = join(claimed, `${item.name}.${now}.json`)
  return io("claim", () => moveDurably(files, join(dir, item.name), path)).pipe(
    Effect.andThen(io("claim", () => files.readFile(path, "utf8"))),
    Effect.map((body): Claim | undefined => ({ item, path, body })),
    Effect.catchIf(isMissing, (gone) =>
      io("claim", () => files.stat(claimed)).pipe(
        Effect.as(undefined),
        Effect.mapError(() => gone)
      )
    )
  )
}

/**
 * Delivered: the file goes. It must be there: gone, another server took the claim back and
 * may send the item too, which is an error to report, never silence (contract §7a).
 */
export const done = (files: SpoolFs, claimed: Claim) =>
  io("done", () => removeDurably(files, claimed.path))

/**
 * The claimed item replaced by `body`, atomically: the time of the attempt beginning
 * (`attempt`), or what the attempt left (`rewrite`: an unknown outcome's mark, or the
 * attempt's time removed after a definite failure).
 */
export const rewrite = (
  files: SpoolFs,
  dir: string,
  claimed: Claim,
  body: string,
  step: "attempt" | "rewrite" = "rewrite"
) => writeDurably(files, join(dir, "claimed"), basename(claimed.path), body, step)

/** Not delivered: back to waiting, for the next attempt. */
export const release = (files: SpoolFs, dir: string, claimed: Claim) =>
  io("release", () => moveDurably(files, claimed.path, join(dir, claimed.item.name)))

/**
 * Too old, and its attempt failed: kept in dead/ (its time there starts now) for the owner
 * to look at, or to redrive.
 */
export const bury = (files: SpoolFs, dir: string, claimed: Claim, now: number) => {
  const path = join(dir, "dead", claimed.item.name)
  return io("bury", async () => {
    await files.rename(claimed.path, path)
    await files.utimes(path, now / 1_000, now / 1_000)
    await syncDirectory(files, join(dir, "dead"))
    await syncDirectory(files, join(dir, "claimed"))
  })
}
