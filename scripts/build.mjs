#!/usr/bin/env node
// Builds the Lambda artifact: dist/lambda/index.mjs (one ESM file) and dist/lambda.zip.
// `--if-needed` skips the build when the zip is newer than every source file, so that
// `npm run synth` and the tests can call it cheaply.
import { readdirSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import AdmZip from "adm-zip"
import { build } from "esbuild"
import { esbuildOptions } from "./esbuild-options.mjs"

const root = new URL("..", import.meta.url).pathname
const outDir = join(root, "dist/lambda")
const zipPath = join(root, "dist/lambda.zip")

const newestMtime = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name)
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs
    return Math.max(newest, mtime)
  }, 0)

const upToDate = () => {
  try {
    const built = statSync(zipPath).mtimeMs
    const sources = Math.max(
      newestMtime(join(root, "src")),
      statSync(join(root, "package-lock.json")).mtimeMs,
      statSync(new URL(import.meta.url).pathname).mtimeMs,
      statSync(new URL("./esbuild-options.mjs", import.meta.url).pathname).mtimeMs
    )
    return built > sources
  } catch {
    return false
  }
}

if (process.argv.includes("--if-needed") && upToDate()) {
  process.exit(0)
}

const result = await build({
  ...esbuildOptions,
  entryPoints: [join(root, "src/lambda.ts")],
  outfile: join(outDir, "index.mjs")
})
writeFileSync(join(outDir, "meta.json"), JSON.stringify(result.metafile))

const zip = new AdmZip()
zip.addLocalFile(join(outDir, "index.mjs"))
zip.writeZip(zipPath)

const size = statSync(join(outDir, "index.mjs")).size
console.log(
  `built dist/lambda/index.mjs (${(size / 1024).toFixed(0)} KiB) and dist/lambda.zip (${(statSync(zipPath).size / 1024).toFixed(0)} KiB)`
)
