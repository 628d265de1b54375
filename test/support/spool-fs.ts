/**
 * The spool's file system for tests (src/services/spool-fs.ts), node's own with one call
 * changed: held until the test releases it (a slow disk, on cue), or failing with an
 * error code (a full disk, a directory gone).
 */
import { nodeSpoolFs, type SpoolFile, type SpoolFs } from "../../src/services/spool-fs"
import { type Hold, makeHold } from "./hold"

/** An error as node's file system raises it: `code` set. */
export const fsError = (code: string, syscall: string) =>
  Object.assign(new Error(`${code}: ${syscall} (test)`), { code, syscall })

/** Which opened file: the temporary file of a write (`wx`), or a directory (`r`, to fsync it). */
export type Opened = "temporary" | "directory"

/**
 * The next fsync of a file `which` names is held until `release()`; `reached` resolves
 * when it starts. The calls before and after it run as usual.
 */
export const syncHeld = (which: Opened, where: (path: string) => boolean = () => true) => {
  const { held, hold } = makeHold()
  let armed = true
  const files: SpoolFs = {
    ...nodeSpoolFs,
    open: async (path, flags, mode) => {
      const file = await nodeSpoolFs.open(path, flags, mode)
      const kind: Opened = flags === "wx" ? "temporary" : "directory"
      if (!armed || kind !== which || !where(path)) return file
      armed = false
      const holding: SpoolFile = {
        writeFile: (data) => file.writeFile(data),
        sync: async () => {
          held.arrived()
          await held.released
          return file.sync()
        },
        close: () => file.close()
      }
      return holding
    }
  }
  return { files, hold: hold satisfies Hold }
}

/** Every write of a temporary file fails with `code` once the file exists, as on a full disk. */
export const writesFailing = (code = "ENOSPC"): SpoolFs => ({
  ...nodeSpoolFs,
  open: async (path, flags, mode) => {
    const file = await nodeSpoolFs.open(path, flags, mode)
    if (flags !== "wx") return file
    return {
      writeFile: () => Promise.reject(fsError(code, "write")),
      sync: () => file.sync(),
      close: () => file.close()
    }
  }
})

/** Listing a directory that `where` names fails with `code`. */
export const readdirFailing = (code: string, where: (path: string) => boolean): SpoolFs => ({
  ...nodeSpoolFs,
  readdir: (path) =>
    where(path) ? Promise.reject(fsError(code, "scandir")) : nodeSpoolFs.readdir(path)
})

/**
 * Node's own, with a journal of what changes the spool's directories: `rename <from> <to>`,
 * `rm <path>`, and `fsync <dir>` for each directory made durable, in their order.
 */
export const recordingFs = () => {
  const journal: Array<string> = []
  const files: SpoolFs = {
    ...nodeSpoolFs,
    rename: async (from, to) => {
      await nodeSpoolFs.rename(from, to)
      journal.push(`rename ${from} ${to}`)
    },
    rm: async (path) => {
      await nodeSpoolFs.rm(path)
      journal.push(`rm ${path}`)
    },
    open: async (path, flags, mode) => {
      const file = await nodeSpoolFs.open(path, flags, mode)
      if (flags !== "r") return file
      return {
        writeFile: (data) => file.writeFile(data),
        sync: async () => {
          await file.sync()
          journal.push(`fsync ${path}`)
        },
        close: () => file.close()
      }
    }
  }
  return { files, journal }
}
