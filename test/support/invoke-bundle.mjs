// Runs in a fresh Node process: imports the built Lambda bundle and invokes `handler` with
// each event read from stdin (JSON `{ events: [...] }`), printing one JSON result line
// per event on stdout, prefixed so that the bundle's own log lines can be told apart.
import { pathToFileURL } from "node:url"

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const { bundle, events } = JSON.parse(Buffer.concat(chunks).toString("utf8"))

const { handler } = await import(pathToFileURL(bundle).href)
for (const [index, event] of events.entries()) {
  const result = await handler(event, { awsRequestId: `test-${index}` })
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
}
process.exit(0)
