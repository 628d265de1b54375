// The secrets figure: the real bundle with its production services against the instant
// peers, <count> submissions in batches of <concurrency> (the first batch arrives before
// any secret is cached, so in-flight sharing counts too):
//   node bench/secrets-child.mjs <bundle.mjs> <count> <concurrency>
// The parent counts GetSecretValue calls at its Secrets Manager peer.
import { pathToFileURL } from "node:url"
import { httpApiEvent, isSuccess, report } from "./fixtures.mjs"

const [bundle, countArg = "1000", concurrencyArg = "10"] = process.argv.slice(2)
if (!bundle) throw new Error("usage: secrets-child.mjs <bundle.mjs> <count> <concurrency>")
const count = Number(countArg)
const concurrency = Number(concurrencyArg)
const { handler } = await import(pathToFileURL(bundle).href)

const statuses = {}
const started = performance.now()
for (let sent = 0; sent < count; sent += concurrency) {
  const batch = Array.from({ length: Math.min(concurrency, count - sent) }, (_, i) =>
    handler(httpApiEvent(sent + i))
  )
  for (const result of await Promise.all(batch)) {
    const key = isSuccess(result) ? "ok" : String(result?.statusCode)
    statuses[key] = (statuses[key] ?? 0) + 1
  }
}
report({
  ok: statuses.ok === count,
  statuses,
  totalMs: performance.now() - started,
  maxRssKb: process.resourceUsage().maxRSS
})
process.exit(0)
