// The load generator of the server figure, in its own process:
//   node bench/load-child.mjs <url> <seconds> <connections>
// autocannon drives the load (POST of the fixture form, keep-alive connections); its own
// latency histogram has 1 ms resolution, too coarse for loopback, so the latencies come
// from its per-response event (fractional ms from process.hrtime) and are sorted here. Each
// request is a fresh form with its own captcha token (setupRequest), so the server never
// answers a repeat as a duplicate (contract §9).
import autocannon from "autocannon"
import { formBody, formHeaders, report } from "./fixtures.mjs"

const [url, secondsArg = "2", connectionsArg = "10"] = process.argv.slice(2)
if (!url) throw new Error("usage: load-child.mjs <url> <seconds> <connections>")
const latencies = []
let sent = 0
const instance = autocannon({
  url,
  method: "POST",
  headers: formHeaders,
  requests: [{ setupRequest: (request) => ({ ...request, body: formBody(sent++) }) }],
  connections: Number(connectionsArg),
  duration: Number(secondsArg)
})
instance.on("response", (_client, _status, _bytes, responseTimeMs) => {
  latencies.push(responseTimeMs)
})
const result = await instance
latencies.sort((a, b) => a - b)
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
report({
  reqPerSec: result.requests.total / result.duration,
  p50Ms: at(0.5),
  p99Ms: at(0.99),
  answered: result.requests.total,
  statuses: Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count])
  ),
  errors: result.errors + result.timeouts
})
process.exit(0)
