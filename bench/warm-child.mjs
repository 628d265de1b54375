// The warm figure, in a fresh process per round:
//   node bench/warm-child.mjs <bundle.mjs> <calls>
// Imports a bundle built with in-memory services, makes 1,000 calls (the memory figure
// reads the peak RSS there), then times <calls> more, one at a time, as a Lambda would.
import { pathToFileURL } from "node:url"
import { httpApiEvent, isSuccess, report } from "./fixtures.mjs"

const [bundle, callsArg = "5000"] = process.argv.slice(2)
if (!bundle) throw new Error("usage: warm-child.mjs <bundle.mjs> <calls>")
const calls = Number(callsArg)
const { handler } = await import(pathToFileURL(bundle).href)
const maxRssAfterImportKb = process.resourceUsage().maxRSS

let failures = 0
let lastStatus
for (let i = 0; i < 1000; i++) {
  const result = await handler(httpApiEvent(i))
  if (!isSuccess(result)) failures++
  lastStatus = result?.statusCode
}
const maxRssAfter1000Kb = process.resourceUsage().maxRSS

const durations = new Float64Array(calls)
const started = performance.now()
for (let i = 0; i < calls; i++) {
  // Each call its own form (its own captcha token), built outside the timed span: the
  // figure is the handler's time, not the fixture's.
  const event = httpApiEvent(1000 + i)
  const t = performance.now()
  const result = await handler(event)
  durations[i] = performance.now() - t
  if (!isSuccess(result)) failures++
}
const totalMs = performance.now() - started
durations.sort()
const at = (q) => durations[Math.min(calls - 1, Math.floor(q * calls))]
report({
  ok: failures === 0,
  status: lastStatus,
  failures,
  reqPerSec: (calls / totalMs) * 1000,
  p50Us: at(0.5) * 1000,
  p99Us: at(0.99) * 1000,
  maxRssAfterImportKb,
  maxRssAfter1000Kb
})
process.exit(0)
