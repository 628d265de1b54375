/**
 * The file-system calls the spool makes (contract §7), as one small interface: tests
 * slow or fail any of them (a disk that takes seconds per fsync, a full one), production
 * passes node's own functions straight through. And the two steps every change of the
 * spool ends with: a rename or a delete is followed by an fsync of each directory it
 * changed (contract §7a), or a power cut could bring a delivered item back.
 */
import * as fs from "node:fs/promises"
import { dirname } from "node:path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { writeLine } from "../logging"

export interface SpoolFile {
  readonly writeFile: (data: string) => Promise<void>
  readonly sync: () => Promise<void>
  readonly close: () => Promise<void>
}

export interface SpoolFs {
  /** `wx`: a new file (the temporary one); `r`: a directory, to fsync it. */
  readonly open: (path: string, flags: "wx" | "r", mode?: number) => Promise<SpoolFile>
  readonly readFile: (path: string, encoding: "utf8") => Promise<string>
  readonly rename: (from: string, to: string) => Promise<void>
  /** Never forced: a file that should be there and is not is an error (contract §7a). */
  readonly rm: (path: string) => Promise<void>
  readonly readdir: (path: string) => Promise<ReadonlyArray<string>>
  /** Recursive; the first directory it created, `undefined` when all existed. */
  readonly mkdir: (
    path: string,
    options: { readonly recursive: true; readonly mode: number }
  ) => Promise<string | undefined>
  readonly chmod: (path: string, mode: number) => Promise<void>
  readonly stat: (path: string) => Promise<{ readonly mtimeMs: number }>
  readonly utimes: (path: string, atime: number, mtime: number) => Promise<void>
}

/** Node's own, unwrapped: the spool pays nothing for being testable. */
export const nodeSpoolFs: SpoolFs = {
  open: fs.open,
  readFile: fs.readFile,
  rename: fs.rename,
  rm: fs.rm,
  readdir: fs.readdir,
  mkdir: fs.mkdir,
  chmod: fs.chmod,
  stat: fs.stat,
  utimes: fs.utimes
}

/** What the spool was doing when the file system failed: the log line names it. */
export type SpoolStep =
  | "prepare"
  | "write"
  | "list"
  | "claim"
  | "attempt"
  | "done"
  | "release"
  | "rewrite"
  | "bury"
  | "reclaim"
  | "sweep"
  | "prune"

/** A file-system call of the spool failed; `cause` is node's error (its `code`: ENOSPC…). */
export class SpoolUnavailable extends Data.TaggedError("SpoolUnavailable")<{
  readonly step: SpoolStep
  readonly cause: unknown
}> {}

export const io = <A>(step: SpoolStep, f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (cause) => new SpoolUnavailable({ step, cause }) })

/** Node's error code (`ENOENT`, `ENOSPC`…), if the failure has one. */
export const errorCode = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
    ? cause.code
    : undefined

export const isMissing = (e: SpoolUnavailable) => errorCode(e.cause) === "ENOENT"

/** Makes a directory's entries durable: what a rename or a delete changed in it. */
export const syncDirectory = async (files: SpoolFs, dir: string) => {
  const directory = await files.open(dir, "r")
  try {
    await directory.sync()
  } finally {
    await directory.close()
  }
}

/** A rename, then an fsync of the directory it arrived in and of the one it left. */
export const moveDurably = async (files: SpoolFs, from: string, to: string) => {
  await files.rename(from, to)
  await syncDirectory(files, dirname(to))
  if (dirname(from) !== dirname(to)) await syncDirectory(files, dirname(from))
}

/** A delete, then an fsync of its directory. */
export const removeDurably = async (files: SpoolFs, path: string) => {
  await files.rm(path)
  await syncDirectory(files, dirname(path))
}

/**
 * The spool could not do what it had to (contract §7a): an error line, counted in
 * `SpoolFailed`, the metric an owner alarms on; never a warning alone. It names the step and
 * node's code (ENOSPC, EACCES, ENOENT), never a visitor's text.
 */
export const spoolFailed = (
  e: SpoolUnavailable,
  namespace: string,
  fields: Readonly<Record<string, string>> = {}
) => {
  const code = errorCode(e.cause)
  return writeLine(
    {
      level: "Error",
      message: "spool failed",
      fields: {
        reason: "spool_io",
        step: e.step,
        ...(code === undefined ? {} : { code }),
        ...fields
      },
      metric: "SpoolFailed"
    },
    namespace
  )
}

/**
 * Spool directories something removed (a tmp cleaner, a restore), made again: the spool
 * works on, but what removed them may have removed items too, so it is an error as well.
 */
export const spoolRecreated = (made: ReadonlyArray<string>, namespace: string) =>
  Effect.forEach(
    made,
    (directory) =>
      writeLine(
        {
          level: "Error",
          message: "spool directory recreated",
          fields: { reason: "spool_dir_missing", directory },
          metric: "SpoolFailed"
        },
        namespace
      ),
    { discard: true }
  )
