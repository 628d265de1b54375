/**
 * A spool directory as the queue (the server's, contract §7): one file per item,
 * written atomically, claimed by renaming it, so that servers sharing the directory never
 * send one item twice.
 *
 *   SPOOL_DIR/<receivedAt ms>-<id>[-<channel>].json      waiting (mail's without a channel)
 *   SPOOL_DIR/claimed/<name>.<claimed at ms>.json         being delivered by one server
 *   SPOOL_DIR/dead/<name>                                 its last attempt failed, too old
 *   SPOOL_DIR/.<name>.<random>.tmp                        being written
 */
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { AppConfigTag } from "../config/app-config"
import { QueueUnavailable } from "../domain/errors"
import { channelOf } from "../domain/item"
import { encodeWithinLimit, QueueService } from "./queue"
import {
  io,
  isMissing,
  nodeSpoolFs,
  type SpoolFs,
  type SpoolStep,
  type SpoolUnavailable,
  spoolFailed,
  spoolRecreated,
  syncDirectory
} from "./spool-fs"

export const subdirectories = ["claimed", "dead"] as const

/** The directories, readable by this user alone: the items hold visitors' messages. */
export const prepareSpool = (dir: string, files: SpoolFs = nodeSpoolFs) =>
  io("prepare", async () => {
    for (const path of [dir, ...subdirectories.map((sub) => join(dir, sub))]) {
      await files.mkdir(path, { recursive: true, mode: 0o700 })
      await files.chmod(path, 0o700)
    }
  })

/**
 * The directories a pass needs, made again (0700, as at start) when something removed
 * them (a tmp cleaner, a restore, `rmdir`): the subdirectories it recreated.
 */
export const healSpool = (dir: string, files: SpoolFs) =>
  io("prepare", async () => {
    const made: Array<string> = []
    for (const sub of ["", ...subdirectories]) {
      const created = await files.mkdir(join(dir, sub), { recursive: true, mode: 0o700 })
      if (created !== undefined) made.push(sub === "" ? "." : sub)
    }
    return made
  })

/**
 * The temporary file, written and fsynced: the part of a write that may be abandoned. A
 * failed one removes its file. An abandoned one (interrupted: the enqueue's timeout) is
 * never renamed, and is removed once its calls in flight settle, in the background, so
 * that the answer does not wait for a slow disk (contract §7a).
 */
const stage = (files: SpoolFs, temporary: string, body: string, step: SpoolStep) =>
  Effect.suspend(() => {
    const removed = () => files.rm(temporary).catch(() => undefined)
    const written = (async () => {
      const file = await files.open(temporary, "wx", 0o600)
      try {
        await file.writeFile(body)
        await file.sync()
      } finally {
        await file.close()
      }
    })().catch((cause: unknown) => removed().then(() => Promise.reject(cause)))
    return io(step, () => written).pipe(
      Effect.onInterrupt(() =>
        Effect.sync(() => {
          void written.then(removed, () => undefined)
        })
      )
    )
  })

/**
 * Atomically: a temporary file, fsynced (`staged`, abandonable), then renamed into place
 * and the directory fsynced (`commit`, uninterruptible: once renamed the item is stored,
 * contract §7a). A failed rename removes the temporary file; a failed fsync after it is
 * `unsynced`, for the caller to report: the item is there all the same.
 */
export const writeAtomically = (
  files: SpoolFs,
  dir: string,
  name: string,
  body: string,
  step: SpoolStep
) => {
  const temporary = join(dir, `.${name}.${randomBytes(6).toString("hex")}.tmp`)
  const path = join(dir, name)
  return {
    staged: stage(files, temporary, body, step),
    commit: io(step, () => files.rename(temporary, path)).pipe(
      Effect.tapError(() => Effect.promise(() => files.rm(temporary).catch(() => undefined))),
      Effect.andThen(
        io(step, () => syncDirectory(files, dir)).pipe(
          Effect.as(undefined),
          Effect.catchTag("SpoolUnavailable", (unsynced) => Effect.succeed(unsynced))
        )
      ),
      Effect.uninterruptible
    )
  }
}

/** A whole atomic write, for the loop (nothing abandons its writes). */
export const writeDurably = (
  files: SpoolFs,
  dir: string,
  name: string,
  body: string,
  step: SpoolStep
) => {
  const write = writeAtomically(files, dir, name, body, step)
  return write.staged.pipe(
    Effect.andThen(write.commit),
    Effect.flatMap((unsynced) => (unsynced === undefined ? Effect.void : Effect.fail(unsynced)))
  )
}

export interface SpoolQueueSettings {
  readonly dir: string
  readonly timeoutMs: number
  /** Node's file system by default. */
  readonly files?: SpoolFs
}

export const SpoolQueue = (settings: SpoolQueueSettings) => {
  const files = settings.files ?? nodeSpoolFs
  return Layer.effect(
    QueueService,
    Effect.map(AppConfigTag, (config) =>
      QueueService.of({
        enabled: true,
        enqueue: Effect.fn("QueueService.enqueue")(function* (item) {
          const body = yield* encodeWithinLimit(item)
          const owed = channelOf(item)
          // Mail's keeps the name it always had; another channel's item is a file of its own.
          const name = `${Date.parse(item.receivedAt)}-${item.id}${owed === "mail" ? "" : `-${owed}`}.json`
          const write = writeAtomically(files, settings.dir, name, body, "write")
          // The spool directory itself removed: made again, and written once more.
          const staged = write.staged.pipe(
            Effect.catchIf(isMissing, () =>
              healSpool(settings.dir, files).pipe(
                Effect.flatMap((made) => spoolRecreated(made, config.metricsNamespace)),
                Effect.andThen(write.staged)
              )
            )
          )
          const unavailable = (cause: SpoolUnavailable) =>
            new QueueUnavailable({ problem: "unavailable", cause })
          // QUEUE_TIMEOUT_MS bounds what may be abandoned; once renamed the item is kept and
          // the answer is queued, one rename and one fsync later (contract §7a).
          yield* staged.pipe(
            Effect.mapError(unavailable),
            Effect.timeoutOrElse({
              duration: Duration.millis(settings.timeoutMs),
              orElse: () => Effect.fail(new QueueUnavailable({ problem: "timeout" }))
            })
          )
          const unsynced = yield* write.commit.pipe(Effect.mapError(unavailable))
          if (unsynced !== undefined) yield* spoolFailed(unsynced, config.metricsNamespace)
        })
      })
    )
  )
}
