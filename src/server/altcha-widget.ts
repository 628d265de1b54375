/**
 * GET /altcha.js: ALTCHA's widget (npm `altcha`), served by the server itself so that the
 * demo form loads nothing from a third party (contract §4: ALTCHA is self-hosted). The
 * build copies the file beside the server's bundle (dist/server/altcha.min.js); `npm start`
 * reads it from node_modules. Read once, on the first request for it.
 */
import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import * as Effect from "effect/Effect"

export const widgetFileName = "altcha.min.js"

/** Where the file may be: beside the running bundle, or in the package (development). */
const candidates = (): ReadonlyArray<string> => {
  const beside = join(dirname(process.argv[1] ?? "."), widgetFileName)
  try {
    // The package's `require` entry sits in dist/main/, beside the minified module.
    const entry = createRequire(import.meta.url).resolve("altcha")
    return [beside, join(dirname(entry), widgetFileName)]
  } catch {
    return [beside]
  }
}

const readFirst = async (paths: ReadonlyArray<string>): Promise<string | undefined> => {
  for (const path of paths) {
    try {
      return await readFile(path, "utf8")
    } catch {
      // Not there: the next one.
    }
  }
  return undefined
}

let loading: Promise<string | undefined> | undefined

/** The widget's code, or `undefined` when neither place has it (answered 404). */
export const altchaWidget: Effect.Effect<string | undefined> = Effect.promise(() => {
  loading ??= readFirst(candidates())
  return loading
})
