#!/usr/bin/env node
import { copyFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
// Builds the two artifacts, each an index.mjs plus the chunks it loads lazily (code only a
// failure or one configuration needs: `import()` in src/), with the same esbuild options:
// - dist/lambda/ and dist/lambda.zip with all of its outputs: the Lambda function;
// - dist/server/: the Node server (src/server.ts), run with `node index.mjs` from a copy of
//   that directory alone (no node_modules), as the Dockerfile and `npm run start:prod` do.
// `--if-needed` skips the build when both are newer than every source file, so that
// `npm run synth` and the tests can call it cheaply.
// `--forms <file>` ships the forms (contract §10) in the Lambda zip as forms.json beside
// index.mjs, for forms that outgrow Lambda's 4 KB environment: deploy with
// FormsFile=forms.json (FORMS_FILE=/var/task/forms.json). The server reads FORMS_FILE from
// anywhere and needs no copy.
// `--dist <dir>` builds into another directory than dist/ (the build's own test does, so
// as not to replace the dist/ that other suites are reading).
import { createRequire, isBuiltin } from "node:module"
import { dirname, join, relative, resolve } from "node:path"
import AdmZip from "adm-zip"
import { build } from "esbuild"
import { builtinsThroughGetBuiltinModule } from "./builtins-plugin.mjs"
import { esbuildOptions } from "./esbuild-options.mjs"

/** A wrong command line or input: one line, no stack trace. */
const fail = (message) => {
  console.error(message)
  process.exit(1)
}

/** The value after `--name`, or `--name=value`; undefined without the option. */
const option = (name) => {
  const args = process.argv.slice(2)
  const inline = args.find((arg) => arg.startsWith(`${name}=`))
  if (inline !== undefined) return inline.slice(name.length + 1)
  const at = args.indexOf(name)
  if (at === -1) return undefined
  const value = args[at + 1]
  if (value === undefined || value.startsWith("--")) fail(`${name} needs a value`)
  return value
}

const root = new URL("..", import.meta.url).pathname
const dist = resolve(option("--dist") ?? join(root, "dist"))
const lambdaDir = join(dist, "lambda")
const zipPath = join(dist, "lambda.zip")
const serverDir = join(dist, "server")
// Beside dist/server/, not in it: that directory is deployed whole, the metafile is not.
const serverMeta = join(dist, "server.meta.json")

// The name FormsFile takes. The stack offers FormsFile only the JSON files at the zip's
// root, so a zip built without --forms cannot be deployed with FormsFile set.
const FORMS_IN_ZIP = "forms.json"
const formsPath = option("--forms")

/**
 * The forms file, checked to be a JSON object (of form id: settings) so that a wrong file
 * fails the build rather than every cold start; the application checks each form there
 * (contract §10), as it checks FORMS.
 */
const readForms = (path) => {
  let text
  try {
    text = readFileSync(path, "utf8")
  } catch {
    fail(`--forms ${path}: cannot read this file`)
  }
  let value
  try {
    value = JSON.parse(text)
  } catch {
    fail(`--forms ${path}: not JSON`)
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(`--forms ${path}: not a JSON object of form id: settings`)
  }
  return Buffer.from(text, "utf8")
}
const forms = formsPath === undefined ? undefined : readForms(formsPath)

const newestMtime = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name)
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs
    return Math.max(newest, mtime)
  }, 0)

const upToDate = () => {
  try {
    const built = Math.min(
      statSync(zipPath).mtimeMs,
      statSync(join(serverDir, "index.mjs")).mtimeMs
    )
    const sources = Math.max(
      newestMtime(join(root, "src")),
      statSync(join(root, "package-lock.json")).mtimeMs,
      statSync(new URL(import.meta.url).pathname).mtimeMs,
      statSync(new URL("./esbuild-options.mjs", import.meta.url).pathname).mtimeMs,
      statSync(new URL("./builtins-plugin.mjs", import.meta.url).pathname).mtimeMs
    )
    return built > sources
  } catch {
    return false
  }
}

// A forms file is not a source upToDate() knows: with one, always build.
if (process.argv.includes("--if-needed") && forms === undefined && upToDate()) {
  process.exit(0)
}

// Code splitting needs outdir; Lambda and Node load the .mjs chunks from beside index.mjs.
const splitInto = (outdir) => ({
  outdir,
  splitting: true,
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]"
})

// The server bundles CommonJS packages that the Lambda function does not: mailparser's
// @zone-eu/mailsplit and iconv-lite, libmime's CommonJS build, ws (under
// @effect/platform-node's HTTP server). They `require` Node's built-in modules, which an ESM
// bundle leaves to esbuild's helper, and that helper throws ("Dynamic require of "events" is
// not supported") unless a `require` is in scope. This one loads built-in modules only: the
// optional add-ons that ws tries (bufferutil, utf-8-validate) and the SDK's optional CRT
// signer are refused as not found, inside the try/catch that expects it, so the bundle never
// reads a node_modules directory, wherever it is copied.
const builtinRequire = [
  'import { createRequire as __createRequire, isBuiltin as __isBuiltin } from "node:module";',
  "const require = (id) => {",
  "  if (__isBuiltin(id)) return __createRequire(import.meta.url)(id);",
  '  throw Object.assign(new Error("Cannot find module \'" + id + "\' (not bundled)"), { code: "MODULE_NOT_FOUND" });',
  "};"
].join("\n")

/** Fails the build on an import that esbuild left outside the bundle and Node does not have. */
const assertSelfContained = (name, metafile) => {
  const foreign = Object.values(metafile.outputs).flatMap((output) =>
    output.imports.filter((i) => i.external && i.kind !== "require-call" && !isBuiltin(i.path))
  )
  if (foreign.length > 0) {
    throw new Error(`${name}: not bundled: ${[...new Set(foreign.map((i) => i.path))].join(", ")}`)
  }
}

// The disposable domains (src/spam/disposable.ts, contract §12) are a data file the code
// reads from beside its own output (`import.meta.url`), not a string parsed at every start:
// copied next to whichever output holds that module.
const disposableList = join(root, "src/spam/disposable-domains.txt")
const besideDisposable = (metafile) => {
  const holder = Object.entries(metafile.outputs).find(([, output]) =>
    Object.keys(output.inputs).some((input) => input.endsWith("src/spam/disposable.ts"))
  )
  if (holder === undefined) throw new Error("no output holds src/spam/disposable.ts")
  const to = join(dirname(resolve(holder[0])), "disposable-domains.txt")
  copyFileSync(disposableList, to)
  return to
}

const buildLambda = async () => {
  rmSync(lambdaDir, { recursive: true, force: true })
  const result = await build({
    ...esbuildOptions,
    entryPoints: { index: join(root, "src/lambda.ts") },
    ...splitInto(lambdaDir),
    // Ours only, not in the shared options: the baselines stay as plain code is built.
    plugins: [...esbuildOptions.plugins, builtinsThroughGetBuiltinModule]
  })
  assertSelfContained("dist/lambda", result.metafile)
  writeFileSync(join(lambdaDir, "meta.json"), JSON.stringify(result.metafile))

  // Every output except the metafile: a chunk missing from the zip fails at run time only.
  const outputs = Object.keys(result.metafile.outputs).map((path) => resolve(path))
  const zip = new AdmZip()
  for (const path of outputs) {
    const inZip = path.slice(lambdaDir.length + 1)
    zip.addLocalFile(path, inZip.includes("/") ? inZip.slice(0, inZip.lastIndexOf("/")) : "")
  }
  const list = besideDisposable(result.metafile)
  const listInZip = list.slice(lambdaDir.length + 1)
  zip.addLocalFile(
    list,
    listInZip.includes("/") ? listInZip.slice(0, listInZip.lastIndexOf("/")) : ""
  )
  if (forms !== undefined) {
    writeFileSync(join(lambdaDir, FORMS_IN_ZIP), forms)
    zip.addFile(FORMS_IN_ZIP, forms)
  }
  zip.writeZip(zipPath)
  return outputs.length - 1
}

const buildServer = async () => {
  rmSync(serverDir, { recursive: true, force: true })
  const result = await build({
    ...esbuildOptions,
    entryPoints: { index: join(root, "src/server.ts") },
    ...splitInto(serverDir),
    banner: { js: builtinRequire }
  })
  assertSelfContained("dist/server", result.metafile)
  writeFileSync(serverMeta, JSON.stringify(result.metafile))
  besideDisposable(result.metafile)
  // ALTCHA's widget, which the server serves at /altcha.js (src/server/altcha-widget.ts):
  // the package's minified module, beside index.mjs.
  const altchaEntry = createRequire(import.meta.url).resolve("altcha")
  copyFileSync(join(dirname(altchaEntry), "altcha.min.js"), join(serverDir, "altcha.min.js"))
  return Object.keys(result.metafile.outputs).length - 1
}

const [lambdaChunks, serverChunks] = await Promise.all([buildLambda(), buildServer()])

const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`
const size = (path) => kib(statSync(path).size)
const lazy = (n) => `${n} lazy chunk${n === 1 ? "" : "s"}`
const shown = (path) => relative(process.cwd(), path)
const withForms = forms === undefined ? "" : `, with ${formsPath} as ${FORMS_IN_ZIP}`
console.log(
  `built ${shown(join(lambdaDir, "index.mjs"))} (${size(join(lambdaDir, "index.mjs"))}, ${lazy(lambdaChunks)}) and ${shown(zipPath)} (${size(zipPath)}${withForms})`
)
console.log(
  `built ${shown(join(serverDir, "index.mjs"))} (${size(join(serverDir, "index.mjs"))}, ${serverChunks} chunks beside it)`
)
