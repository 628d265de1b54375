// Runs in a fresh Node process: imports the built Lambda bundle, then invokes `handler`
// with each event read from stdin, one JSON line each, answering one `RESULT <json>` line
// per event on stdout (the bundle's own log lines are JSON lines there too). Exits when
// stdin ends. The first stdin line is `{"bundle": path}`.
import { createInterface } from "node:readline"
import { pathToFileURL } from "node:url"

const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })
let handler
let index = 0
for await (const line of lines) {
  if (handler === undefined) {
    ;({ handler } = await import(pathToFileURL(JSON.parse(line).bundle).href))
    process.stdout.write("READY\n")
    continue
  }
  const result = await handler(JSON.parse(line), { awsRequestId: `test-${index++}` })
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
}
process.exit(0)
