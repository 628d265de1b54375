/**
 * A spool directory as the queue (the server's, SPEC section 7): one file per item,
 * written atomically, claimed by renaming it, so that servers sharing the directory never
 * send one item twice.
 *
 *   SPOOL_DIR/<receivedAt ms>-<id>.json                  waiting
 *   SPOOL_DIR/claimed/<name>.<claimed at ms>.json         being delivered by one server
 *   SPOOL_DIR/dead/<name>                                 older than SPOOL_MAX_AGE_HOURS
 */
import { randomBytes } from "node:crypto"
import { chmod, mkdir, open, readdir, readFile, rename, rm, stat, utimes } from "node:fs/promises"
import { basename, join } from "node:path"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { QueueUnavailable } from "../domain/errors"
import { encodeWithinLimit, QueueService } from "./queue"

export class SpoolUnavailable extends Data.TaggedError("SpoolUnavailable")<{
  readonly cause: unknown
}> {}

const io = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (cause) => new SpoolUnavailable({ cause }) })

const waiting = /^(\d+)-[0-9a-f-]{36}\.json$/
const claimedName = /^(\d+-[0-9a-f-]{36}\.json)\.(\d+)\.json$/

/** The directories, readable by this user alone: the items hold visitors' messages. */
export const prepareSpool = (dir: string) =>
  io(async () => {
    for (const path of [dir, join(dir, "claimed"), join(dir, "dead")]) {
      await mkdir(path, { recursive: true, mode: 0o700 })
      await chmod(path, 0o700)
    }
  })

/** Write to a temporary file, fsync it, rename it into place, fsync the directory. */
const writeAtomically = (dir: string, name: string, body: string) =>
  io(async () => {
    const temporary = join(dir, `.${name}.${randomBytes(6).toString("hex")}.tmp`)
    const file = await open(temporary, "wx", 0o600)
    try {
      await file.writeFile(body, "utf8")
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(temporary, join(dir, name))
    const directory = await open(dir, "r")
    try {
      await directory.sync()
    } finally {
      await directory.close()
    }
  })

export const SpoolQueue = (settings: { readonly dir: string; readonly timeoutMs: number }) =>
  Layer.succeed(
    QueueService,
    QueueService.of({
      enabled: true,
      enqueue: Effect.fn("QueueService.enqueue")(
        function* (item) {
          const body = yield* encodeWithinLimit(item)
          const name = `${Date.parse(item.receivedAt)}-${item.id}.json`
          yield* writeAtomically(settings.dir, name, body).pipe(
            Effect.mapError(() => new QueueUnavailable({ problem: "unavailable" }))
          )
        },
        Effect.timeoutFail({
          duration: Duration.millis(settings.timeoutMs),
          onTimeout: () => new QueueUnavailable({ problem: "timeout" })
        })
      )
    })
  )

// ---------------------------------------------------------------------------------------
// The retry loop's side (src/server/spool-loop.ts)

export interface SpooledItem {
  /** The waiting file's name. */
  readonly name: string
  readonly receivedAt: number
}

/** The waiting items, oldest first. */
export const listWaiting = (dir: string) =>
  io(() => readdir(dir)).pipe(
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

const errorCode = (cause: unknown): unknown =>
  typeof cause === "object" && cause !== null && "code" in cause ? cause.code : undefined

/**
 * Takes an item by renaming it into claimed/: rename is atomic, so of two servers one wins
 * and the other finds it gone (`undefined`).
 */
export const claim = (dir: string, item: SpooledItem, now: number) => {
  const path = join(dir, "claimed", `${item.name}.${now}.json`)
  return io(() => rename(join(dir, item.name), path)).pipe(
    Effect.flatMap(() => io(() => readFile(path, "utf8"))),
    Effect.map((body): Claim | undefined => ({ item, path, body })),
    Effect.catchIf(
      (e) => errorCode(e.cause) === "ENOENT",
      () => Effect.succeed(undefined)
    )
  )
}

/** Delivered: the file goes. */
export const done = (claimed: Claim) => io(() => rm(claimed.path, { force: true }))

/** The claimed item replaced by `body` (an unknown outcome's mark), atomically. */
export const rewrite = (dir: string, claimed: Claim, body: string) =>
  writeAtomically(join(dir, "claimed"), basename(claimed.path), body)

/** Not delivered: back to waiting, for the next attempt. */
export const release = (dir: string, claimed: Claim) =>
  io(() => rename(claimed.path, join(dir, claimed.item.name)))

/** Too old to retry: kept in dead/ (its time there starts now) for the owner to look at. */
export const bury = (dir: string, claimed: Claim, now: number) => {
  const path = join(dir, "dead", claimed.item.name)
  return io(async () => {
    await rename(claimed.path, path)
    await utimes(path, now / 1_000, now / 1_000)
  })
}

/**
 * Claims of a server that stopped before it finished (killed, crashed): back to waiting
 * once older than `staleMs`, far longer than one delivery may take.
 */
export const reclaimStale = (dir: string, now: number, staleMs: number) =>
  io(() => readdir(join(dir, "claimed"))).pipe(
    Effect.flatMap((names) =>
      Effect.forEach(names, (name) => {
        const match = claimedName.exec(name)
        if (match === null || now - Number(match[2]) < staleMs) return Effect.void
        return io(() => rename(join(dir, "claimed", name), join(dir, match[1] ?? name))).pipe(
          Effect.catchIf(
            (e) => errorCode(e.cause) === "ENOENT",
            () => Effect.void
          )
        )
      })
    ),
    Effect.asVoid
  )

/** dead/ files older than SPOOL_DEAD_DAYS are deleted: they hold personal data. */
export const pruneDead = (dir: string, now: number, maxAgeMs: number) =>
  io(() => readdir(join(dir, "dead"))).pipe(
    Effect.flatMap((names) =>
      Effect.forEach(names, (name) => {
        const path = join(dir, "dead", name)
        return io(() => stat(path)).pipe(
          Effect.flatMap((info) =>
            now - info.mtimeMs > maxAgeMs ? io(() => rm(path, { force: true })) : Effect.void
          ),
          Effect.catchIf(
            (e) => errorCode(e.cause) === "ENOENT",
            () => Effect.void
          )
        )
      })
    ),
    Effect.asVoid
  )
