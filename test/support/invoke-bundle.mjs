// Runs in a fresh Node process: imports the built Lambda bundle, then invokes `handler`
// with each event read from stdin, one JSON line each (`{"redeliver": event}` invokes
// `redeliver` instead), answering one `RESULT <json>` line per event on stdout (the
// bundle's own log lines are JSON lines there too). Exits when stdin ends. The first
// stdin line is `{"bundle": path}`.
import { createInterface } from "node:readline"
import { pathToFileURL } from "node:url"

const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })
let bundle
let index = 0
for await (const line of lines) {
  if (bundle === undefined) {
    bundle = await import(pathToFileURL(JSON.parse(line).bundle).href)
    process.stdout.write("READY\n")
    continue
  }
  const input = JSON.parse(line)
  const context = { awsRequestId: `test-${index++}` }
  // A thrown error is a result too (`{"thrown": ...}`): Lambda would count a function error.
  let result
  try {
    result =
      input !== null && typeof input === "object" && "redeliver" in input
        ? await bundle.redeliver(input.redeliver, context)
        : await bundle.handler(input, context)
  } catch (error) {
    result = { thrown: String(error) }
  }
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
}
process.exit(0)
