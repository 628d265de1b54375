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
import { join } from "node:path"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { QueueUnavailable } from "../domain/errors"
import { encodeWithinLimit, QueueService } from "./queue"
import { io, nodeSpoolFs, type SpoolFs, type SpoolStep, syncDirectory } from "./spool-fs"

/** The directories, readable by this user alone: the items hold visitors' messages. */
export const prepareSpool = (dir: string, files: SpoolFs = nodeSpoolFs) =>
  io("prepare", async () => {
    for (const path of [dir, join(dir, "claimed"), join(dir, "dead")]) {
      await files.mkdir(path, { recursive: true, mode: 0o700 })
      await files.chmod(path, 0o700)
    }
  })

/** Write to a temporary file, fsync it, rename it into place, fsync the directory. */
export const writeDurably = (
  files: SpoolFs,
  dir: string,
  name: string,
  body: string,
  step: SpoolStep
) =>
  io(step, async () => {
    const temporary = join(dir, `.${name}.${randomBytes(6).toString("hex")}.tmp`)
    const file = await files.open(temporary, "wx", 0o600)
    try {
      await file.writeFile(body)
      await file.sync()
    } finally {
      await file.close()
    }
    await files.rename(temporary, join(dir, name))
    await syncDirectory(files, dir)
  })

export interface SpoolQueueSettings {
  readonly dir: string
  readonly timeoutMs: number
  /** Node's file system by default; tests slow it down or fail it. */
  readonly files?: SpoolFs
}

export const SpoolQueue = (settings: SpoolQueueSettings) => {
  const files = settings.files ?? nodeSpoolFs
  return Layer.succeed(
    QueueService,
    QueueService.of({
      enabled: true,
      enqueue: Effect.fn("QueueService.enqueue")(
        function* (item) {
          const body = yield* encodeWithinLimit(item)
          const name = `${Date.parse(item.receivedAt)}-${item.id}.json`
          yield* writeDurably(files, settings.dir, name, body, "write").pipe(
            Effect.mapError((cause) => new QueueUnavailable({ problem: "unavailable", cause }))
          )
        },
        Effect.timeoutFail({
          duration: Duration.millis(settings.timeoutMs),
          onTimeout: () => new QueueUnavailable({ problem: "timeout" })
        })
      )
    })
  )
}
