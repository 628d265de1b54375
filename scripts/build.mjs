#!/usr/bin/env node
// Builds the Lambda artifact: dist/lambda/index.mjs, the chunks it loads lazily (code only
// a failure or one configuration needs: `import()` in src/), and dist/lambda.zip with them.
// `--if-needed` skips the build when the zip is newer than every source file, so that
// `npm run synth` and the tests can call it cheaply.
import { readdirSync, rmSync, statSync, writeFileSync } from "node:fs"
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

rmSync(outDir, { recursive: true, force: true })
const result = await build({
  ...esbuildOptions,
  entryPoints: { index: join(root, "src/lambda.ts") },
  // Code splitting needs outdir; Lambda loads the .mjs chunks from beside index.mjs.
  outdir: outDir,
  splitting: true,
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]"
})
writeFileSync(join(outDir, "meta.json"), JSON.stringify(result.metafile))

// Every output except the metafile: a chunk missing from the zip fails at run time only.
const outputs = Object.keys(result.metafile.outputs).map((path) => join(root, path))
const zip = new AdmZip()
for (const path of outputs) {
  const inZip = path.slice(outDir.length + 1)
  zip.addLocalFile(path, inZip.includes("/") ? inZip.slice(0, inZip.lastIndexOf("/")) : "")
}
zip.writeZip(zipPath)

const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`
const chunks = outputs.length - 1
console.log(
  `built dist/lambda/index.mjs (${kib(statSync(join(outDir, "index.mjs")).size)}, ${chunks} lazy chunk${chunks === 1 ? "" : "s"}) and dist/lambda.zip (${kib(statSync(zipPath).size)})`
)
