/**
 * What ALTCHA proof-of-work cost takes about one second on a mid-range phone?
 *
 *   npx tsx bench/altcha-cost.ts [--solves 15] [--rate 4] [--cost N]
 *
 * The figure becomes the default of `ALTCHA_COST`. Challenges are made exactly as our
 * server makes them (altcha-lib v2: PBKDF2/SHA-256, `keyPrefix` "00", so 256 attempts
 * expected, each `cost` PBKDF2 iterations) and solved by the real widget (`altcha` v3,
 * `<altcha-widget>`) in Debian's chromium, one fresh page load per solve, `minDuration` 0,
 * timed in the page from the `statechange` to "verifying" to the one to "verified". The
 * phone is stood in for by DevTools CPU throttling (`Emulation.setCPUThrottlingRate`,
 * `--rate`, 4 by default) on a CDP session of the page.
 *
 * That throttling slows the page's main thread only (a signal handler that spins on it),
 * and the widget does its work elsewhere: in Web Workers that call `crypto.subtle.deriveKey`,
 * which Chromium runs on the renderer's one "WebCrypto" thread (so more workers do not help
 * in Chromium either). The script therefore measures both rates, with the widget's default
 * workers and with 1. When the throttled proof of work is not even halfway to `rate` times
 * slower, the throttling did not reach it, and the phone is the unthrottled single-worker
 * row with every time multiplied by the rate (a core that much slower, what the throttling
 * was meant to be).
 *
 * Solve times are geometric (each attempt succeeds with p = 1/256), so a median of 15
 * solves is only good to about ±35%. Besides min/median/p90 of the measured times, each
 * row fits time = overhead + attempts × ms/attempt (the attempts are the solution's
 * counter + 1) and predicts the median from the geometric median of 178 attempts (p90: 589).
 * The phone rows of every cost measured are fitted together (ms = overhead + iterations ×
 * ms per iteration); the search measures the cost that fit puts at a 1 s median, rounded to
 * a multiple of 500, refits, and stops when the fit asks for a cost already measured.
 *
 * Each payload the widget submits (the hidden `altcha` field: base64 of the JSON
 * `{ challenge: { parameters, signature }, solution: { counter, derivedKey, time } }`) is
 * checked as our server will, with altcha-lib's `verifySolution`; the same cost is solved in
 * Node (`solveChallenge`) too, as a sanity ratio. Served on 127.0.0.1 (a secure context, which
 * the widget requires): the page, `altcha/dist/main/altcha.js` (its PBKDF2 worker is inlined
 * as a Blob URL, so no `dist/workers/*.js`) and `/challenge`, `createChallenge`'s result as is.
 */
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { readFileSync } from "node:fs"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import os from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import {
  type Challenge,
  createChallenge,
  type Solution,
  solveChallenge,
  verifySolution
} from "altcha-lib"
import { deriveKey } from "altcha-lib/algorithms/pbkdf2"
import { type Browser, chromium } from "playwright-core"

const repoRoot = join(import.meta.dirname, "..")
const TARGET_MS = 1000
/** The median number of attempts of a geometric distribution with p = 1/256. */
const MEDIAN_ATTEMPTS = Math.ceil(Math.log(0.5) / Math.log(1 - 1 / 256))
/** Its 90th percentile. */
const P90_ATTEMPTS = Math.ceil(Math.log(0.1) / Math.log(1 - 1 / 256))
const START_COST = 5000

// ---------------------------------------------------------------------------------------
// Options

const { values: flags } = parseArgs({
  options: {
    solves: { type: "string", default: "15" },
    rate: { type: "string", default: "4" },
    cost: { type: "string" }
  }
})
const positive = (name: string, text: string) => {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`)
  return value
}
const solves = positive("solves", flags.solves)
const rate = Number(flags.rate)
if (!(rate >= 1)) throw new Error("--rate must be a number of at least 1")
const fixedCost = flags.cost === undefined ? undefined : positive("cost", flags.cost)

// ---------------------------------------------------------------------------------------
// Statistics

interface Sample {
  readonly ms: number
  readonly attempts: number
  /** The widget's worker count for this solve (its `workers` configuration). */
  readonly workers?: number
}

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (sorted.length - 1) * q
  const low = sorted[Math.floor(at)] ?? Number.NaN
  const high = sorted[Math.ceil(at)] ?? Number.NaN
  return low + (high - low) * (at - Math.floor(at))
}

/**
 * Least squares of ms = overhead + slope × work: `work` is the attempts of one row, or the
 * PBKDF2 iterations (attempts × cost) of rows of several costs.
 */
const fitLine = (points: readonly { readonly work: number; readonly ms: number }[]) => {
  const n = points.length
  const mx = points.reduce((s, p) => s + p.work, 0) / n
  const my = points.reduce((s, p) => s + p.ms, 0) / n
  const sxx = points.reduce((s, p) => s + (p.work - mx) ** 2, 0)
  const sxy = points.reduce((s, p) => s + (p.work - mx) * (p.ms - my), 0)
  // Too few or too alike points to separate the two: all of the time is work.
  if (n < 3 || sxx === 0) return { overhead: 0, slope: my / mx }
  const slope = sxy / sxx
  const overhead = my - slope * mx
  return overhead >= 0 ? { overhead, slope } : { overhead: 0, slope: my / mx }
}

interface Row {
  readonly cost: number
  readonly rate: number
  readonly workers: string
  readonly samples: readonly Sample[]
  /** Printed after the row; only the derived rows have one (the phone, Node). */
  readonly note?: string
}

const summary = (row: Row) => {
  const ms = row.samples.map((s) => s.ms)
  const { overhead, slope: perAttempt } = fitLine(
    row.samples.map((s) => ({ work: s.attempts, ms: s.ms }))
  )
  return {
    min: Math.min(...ms),
    median: quantile(ms, 0.5),
    p90: quantile(ms, 0.9),
    overhead,
    perAttempt,
    predicted: overhead + MEDIAN_ATTEMPTS * perAttempt,
    predictedP90: overhead + P90_ATTEMPTS * perAttempt
  }
}

const printTable = (rows: readonly Row[]) => {
  const header = [
    "cost",
    "rate",
    "workers",
    "n",
    "min ms",
    "median ms",
    "p90 ms",
    "ms/attempt",
    "overhead ms",
    "predicted median",
    "predicted p90",
    ""
  ]
  const body = rows.map((row) => {
    const s = summary(row)
    return [
      String(row.cost),
      row.rate === 0 ? "(phone)" : `${row.rate}×`,
      row.workers,
      String(row.samples.length),
      s.min.toFixed(0),
      s.median.toFixed(0),
      s.p90.toFixed(0),
      s.perAttempt.toFixed(2),
      s.overhead.toFixed(0),
      s.predicted.toFixed(0),
      s.predictedP90.toFixed(0),
      row.note ?? ""
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)))
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padStart(widths[i] ?? 0))).join("  ")
  console.log(line(header))
  for (const r of body) console.log(line(r))
}

// ---------------------------------------------------------------------------------------
// The challenge server: the page, the widget's script and fresh challenges

const secret = randomBytes(32).toString("base64url")

const newChallenge = (cost: number) =>
  createChallenge({
    algorithm: "PBKDF2/SHA-256",
    cost,
    keyPrefix: "00",
    expiresAt: Math.floor(Date.now() / 1000) + 600,
    hmacSignatureSecret: secret,
    deriveKey
  })

// The main bundle inlines its PBKDF2 and SHA workers (Blob URLs): no dist/workers/*.js.
const widgetScript = readFileSync(join(repoRoot, "node_modules/altcha/dist/main/altcha.js"))

/**
 * The widget starts on load (`auto="onload"`); the inline script, parsed before the
 * widget's module runs, records the two state changes and the hidden field's value.
 */
const page = (cost: number, workers: number | undefined) => {
  const configuration = JSON.stringify({ minDuration: 0, ...(workers ? { workers } : {}) })
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>ALTCHA cost</title></head>
<body>
<form>
<altcha-widget challenge="/challenge?cost=${cost}" auto="onload"
  configuration='${configuration}'></altcha-widget>
</form>
<script>
window.altchaRun = new Promise((resolve) => {
  const widget = document.querySelector("altcha-widget")
  let start = 0
  widget.addEventListener("statechange", (event) => {
    const state = event.detail.state
    if (state === "verifying") start = performance.now()
    if (state === "verified") {
      const ms = performance.now() - start
      const field = document.querySelector('input[name="altcha"]')
      resolve({ ms, payload: event.detail.payload, field: field ? field.value : null,
        workers: widget.getConfiguration().workers })
    }
    if (state === "error") resolve({ error: "the widget went to its error state" })
  })
})
</script>
<script type="module" src="/altcha.js"></script>
</body>
</html>`
}

const handle = async (request: IncomingMessage, response: ServerResponse) => {
  const url = new URL(request.url ?? "/", "http://127.0.0.1")
  const cost = Number(url.searchParams.get("cost"))
  const send = (type: string, body: string | Buffer) => {
    response.writeHead(200, { "content-type": type, "cache-control": "no-store" })
    response.end(body)
  }
  if (url.pathname === "/") {
    const workers = Number(url.searchParams.get("workers")) || undefined
    send("text/html; charset=utf-8", page(cost, workers))
  } else if (url.pathname === "/altcha.js") {
    send("text/javascript; charset=utf-8", widgetScript)
  } else if (url.pathname === "/challenge") {
    // The widget takes createChallenge's result as it is: { parameters, signature }.
    send("application/json", JSON.stringify(await newChallenge(cost)))
  } else {
    response.writeHead(404).end()
  }
}

const startServer = async () => {
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error(error)
      response.writeHead(500).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

// ---------------------------------------------------------------------------------------
// One solve in chromium, and one in Node

interface PageResult {
  readonly ms?: number
  readonly payload?: string
  readonly field?: string | null
  readonly workers?: number
  readonly error?: string
}

/** What the widget submits: base64 of JSON `{ challenge: { parameters, signature }, solution }`. */
interface Submitted {
  readonly challenge: Challenge
  readonly solution: Solution
}

let verifyFailures = 0

const solveInChromium = async (
  browser: Browser,
  origin: string,
  cost: number,
  throttle: number,
  workers: number | undefined
): Promise<Sample> => {
  const context = await browser.newContext()
  try {
    const tab = await context.newPage()
    const consoleErrors: string[] = []
    tab.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text())
    })
    const cdp = await context.newCDPSession(tab)
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle })
    await tab.goto(`${origin}/?cost=${cost}&workers=${workers ?? ""}`)
    // The widget gives up by itself after its `timeout` (90 s): no timeout needed here.
    const result = await tab.evaluate<PageResult>("window.altchaRun")
    if (result.error !== undefined || result.ms === undefined || !result.payload) {
      throw new Error(`${result.error ?? "no result"}: ${consoleErrors.join("; ")}`)
    }
    if (result.field !== result.payload) throw new Error("the form field is not the payload")
    // The server's side: decode the field and verify it as our server will.
    const submitted = JSON.parse(
      Buffer.from(result.payload, "base64").toString("utf8")
    ) as Submitted
    const verdict = await verifySolution({
      challenge: submitted.challenge,
      solution: submitted.solution,
      deriveKey,
      hmacSignatureSecret: secret
    })
    if (!verdict.verified) verifyFailures += 1
    return { ms: result.ms, attempts: submitted.solution.counter + 1, workers: result.workers ?? 0 }
  } finally {
    await context.close()
  }
}

const solveInNode = async (cost: number): Promise<Sample> => {
  const challenge = await newChallenge(cost)
  const start = performance.now()
  const solution = await solveChallenge({ challenge, deriveKey })
  const ms = performance.now() - start
  if (solution === null) throw new Error("solveChallenge gave up")
  return { ms, attempts: solution.counter + 1 }
}

// ---------------------------------------------------------------------------------------
// The measurement

interface Config {
  readonly rate: number
  /** undefined: the widget's default (navigator.hardwareConcurrency here). */
  readonly workers: number | undefined
}

/** `solves` solves of each configuration, interleaved round by round to share the noise. */
const measure = async (
  browser: Browser,
  origin: string,
  cost: number,
  configs: readonly Config[]
): Promise<Row[]> => {
  const samples = configs.map((): Sample[] => [])
  for (let round = 0; round < solves; round++) {
    for (const [i, config] of configs.entries()) {
      samples[i]?.push(await solveInChromium(browser, origin, cost, config.rate, config.workers))
    }
    process.stderr.write(`\rcost ${cost}: ${round + 1}/${solves} rounds of ${configs.length}`)
  }
  process.stderr.write("\n")
  return configs.map((config, i) => {
    const own = samples[i] ?? []
    const workers =
      config.workers === undefined ? `default (${own[0]?.workers ?? "?"})` : String(config.workers)
    return { cost, rate: config.rate, workers, samples: own }
  })
}

const find = (rows: readonly Row[], r: number, workers: string) =>
  rows.find((row) => row.rate === r && row.workers === workers && row.note === undefined)

/**
 * The phone at one cost: the throttled single-worker row when throttling reaches the proof
 * of work; otherwise the unthrottled single-worker row with every time, its overhead
 * (challenge fetch, worker start) included, multiplied by the rate.
 */
const phoneRow = (rows: readonly Row[], throttled: boolean): Row => {
  const measured = find(rows, throttled ? rate : 1, "1")
  if (measured === undefined) throw new Error("no single-worker row")
  if (throttled) return measured
  return {
    ...measured,
    rate: 0,
    samples: measured.samples.map((s) => ({ ...s, ms: s.ms * rate })),
    note: `← the phone: ${rate} × the rate-1, 1-worker row`
  }
}

/** A round cost: a multiple of 500 from 1,000 on, else two significant digits. */
const roundCost = (value: number) => {
  const unit = value >= 1000 ? 500 : 10 ** Math.max(0, Math.floor(Math.log10(value)) - 1)
  return Math.max(1, Math.round(value / unit) * unit)
}

/**
 * All the phone rows together: ms = overhead + iterations × ms per iteration, and the cost
 * whose predicted median (178 attempts) is the target. Pooling the rows of every cost
 * measured steadies the overhead, which a single row of 15 solves leaves rough.
 */
const phoneModel = (phones: readonly Row[]) => {
  const { overhead, slope: perIteration } = fitLine(
    phones.flatMap((row) => row.samples.map((s) => ({ work: s.attempts * row.cost, ms: s.ms })))
  )
  const median = (cost: number) => overhead + MEDIAN_ATTEMPTS * cost * perIteration
  const p90 = (cost: number) => overhead + P90_ATTEMPTS * cost * perIteration
  const mean = (cost: number) => overhead + 256 * cost * perIteration
  const cost = roundCost(Math.max(TARGET_MS - overhead, 1) / (MEDIAN_ATTEMPTS * perIteration))
  return { overhead, perIteration, median, p90, mean, cost }
}

const main = async () => {
  const executablePath = execFileSync("sh", ["-c", "command -v chromium"], {
    encoding: "utf8"
  }).trim()
  const { server, origin } = await startServer()
  const browser = await chromium.launch({
    executablePath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
  })
  const rows: Row[] = []
  try {
    // 1. One cost, every configuration: does the throttling reach the proof of work, and
    //    do the widget's workers (2 here by default) help?
    let cost = fixedCost ?? START_COST
    const rates = rate === 1 ? [1] : [1, rate]
    const first = await measure(
      browser,
      origin,
      cost,
      rates.flatMap((r) => [
        { rate: r, workers: undefined },
        { rate: r, workers: 1 }
      ])
    )
    rows.push(...first)
    const perAttempt = (r: number) => summary(find(first, r, "1") as Row).perAttempt
    const slowdown = perAttempt(rate) / perAttempt(1)
    // Reaching it means at least halfway to the rate: 2.5× for rate 4.
    const throttled = rate === 1 || slowdown >= 1 + (rate - 1) / 2
    const phones = [phoneRow(first, throttled)]
    if (!throttled) rows.push(...phones)

    // 2. Measure the cost the phone model asks for, refit, until it asks for a cost measured.
    //    Both rates stay in the table: the throttled row shows what rate 4 alone would say.
    if (fixedCost === undefined) {
      for (let step = 0; step < 3; step++) {
        const next = phoneModel(phones).cost
        if (phones.some((row) => row.cost === next)) break
        cost = next
        const measured = await measure(
          browser,
          origin,
          cost,
          rates.map((r) => ({ rate: r, workers: 1 }))
        )
        rows.push(...measured)
        phones.push(phoneRow(measured, throttled))
        if (!throttled) rows.push(phones.at(-1) as Row)
      }
    }

    // 3. The same cost in Node, as a sanity ratio.
    const nodeSamples: Sample[] = []
    for (let i = 0; i < solves; i++) nodeSamples.push(await solveInNode(cost))
    const node: Row = {
      cost,
      rate: 1,
      workers: "-",
      samples: nodeSamples,
      note: "← Node 24, altcha-lib solveChallenge"
    }
    rows.push(node)

    console.log(
      `\n${browser.version()} on ${os.cpus().length} cores, ${solves} solves a row;` +
        ` ms = in the page, "verifying" → "verified" (Node: solveChallenge);` +
        ` predicted = overhead + ${MEDIAN_ATTEMPTS} (median) / ${P90_ATTEMPTS} (p90) attempts\n`
    )
    printTable(rows)
    const chromiumRow = find(
      rows.filter((row) => row.cost === cost),
      1,
      "1"
    )
    if (chromiumRow) {
      const ratio = summary(chromiumRow).perAttempt / summary(node).perAttempt
      console.log(
        `\nper attempt at cost ${cost}: chromium (rate 1, 1 worker) = ${ratio.toFixed(2)} × Node`
      )
    }
    if (rate !== 1) {
      console.log(
        `at rate ${rate} the single-worker proof of work took ${slowdown.toFixed(2)}× its rate-1 time: ` +
          (throttled
            ? "the throttling reaches it, the phone is the throttled row"
            : "the throttling does not reach it (it slows the page's main thread only)," +
              ` the phone is ${rate} × the rate-1 row`)
      )
    }
    console.log(`payloads rejected by verifySolution: ${verifyFailures}`)
    const model = phoneModel(phones)
    console.log(
      `\nthe phone, fitted over ${phones.length} cost(s): ${model.overhead.toFixed(0)} ms +` +
        ` ${(model.perIteration * 1000).toFixed(3)} µs per PBKDF2-SHA-256 iteration`
    )
    const at = (time: (cost: number) => number) => `${time(model.cost).toFixed(0)} ms`
    console.log(
      `recommended ALTCHA_COST: ${model.cost} (the phone: median ${at(model.median)},` +
        ` p90 ${at(model.p90)}, mean ${at(model.mean)})`
    )
  } finally {
    await browser.close()
    server.close()
  }
}

await main()
