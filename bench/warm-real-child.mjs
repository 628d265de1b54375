// The warm figure of the real bundle, in a fresh process per round:
//   node bench/warm-real-child.mjs <bundle.mjs> <submissions>
// Imports the bundle with its production services (against the peers of bench/peers.ts),
// answers <submissions> valid submissions one at a time, each a fresh form with its own
// captcha token, and reports the time of each. The first is the cold process's first call;
// the harness takes the median of the ones after it. The parent checks at its relay that
// every submission was delivered.
import { pathToFileURL } from "node:url"
import { httpApiEvent, isSuccess, report } from "./fixtures.mjs"

// Real submissions come minutes apart. A short pause lets what one leaves behind (nodemailer's
// QUIT, the peers' closing of their connections) settle before the next is timed, so that a
// figure is one submission's time and not the tail of the one before it.
const PAUSE_MS = 20

const [bundle, submissionsArg = "10"] = process.argv.slice(2)
if (!bundle) throw new Error("usage: warm-real-child.mjs <bundle.mjs> <submissions>")
const submissions = Number(submissionsArg)
const { handler } = await import(pathToFileURL(bundle).href)

const statuses = []
const durationsMs = []
for (let n = 0; n < submissions; n++) {
  if (n > 0) await new Promise((resolve) => setTimeout(resolve, PAUSE_MS))
  const event = httpApiEvent(n)
  const t = performance.now()
  const result = await handler(event)
  durationsMs.push(performance.now() - t)
  statuses.push(isSuccess(result) ? "ok" : String(result?.statusCode))
}
report({
  ok: statuses.every((s) => s === "ok"),
  status: statuses.find((s) => s !== "ok"),
  durationsMs,
  maxRssKb: process.resourceUsage().maxRSS
})
process.exit(0)
