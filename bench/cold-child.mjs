// One cold start, run by bench/run.ts in a fresh `node` process per round:
//   node bench/cold-child.mjs <bundle.mjs>
// Imports the bundle, answers one valid submission, reports on fd 3 and exits at once
// (the parent times spawn -> exit; keep-alive sockets must not stretch it).
import { pathToFileURL } from "node:url"
import { httpApiEvent, isSuccess, report } from "./fixtures.mjs"

const bootMs = performance.now()
const bundle = process.argv[2]
if (!bundle) throw new Error("usage: cold-child.mjs <bundle.mjs>")
const { handler } = await import(pathToFileURL(bundle).href)
const importedAt = performance.now()
const maxRssAfterImportKb = process.resourceUsage().maxRSS
const result = await handler(httpApiEvent(0))
const answeredAt = performance.now()
report({
  ok: isSuccess(result),
  status: result?.statusCode,
  bootMs,
  importMs: importedAt - bootMs,
  firstCallMs: answeredAt - importedAt,
  maxRssAfterImportKb,
  maxRssAfterFirstCallKb: process.resourceUsage().maxRSS
})
process.exit(0)
