/**
 * The Node server for the load test, in a process of its own so that its heap is its
 * own: `serve` (src/server/app.ts, what `npm start` runs) with this process's environment.
 * Run with `node --expose-gc --import tsx`. On stdout: `URL <url>` once listening; on each
 * `heap` line from stdin, a forced full collection, then `HEAP <bytes> SENT <n>` (heap used,
 * and how many submissions were logged as sent). Ends when stdin ends.
 */
import { createInterface } from "node:readline"
import { Effect, Exit, Scope } from "effect"
import { serve } from "../../src/server/app"

const collect = globalThis.gc
if (collect === undefined) throw new Error("run with node --expose-gc")

// Only counted, never kept: the log lines themselves would grow the heap being measured.
let sent = 0
const scope = Effect.runSync(Scope.make())
const serving = await Effect.runPromise(
  serve({
    env: process.env,
    cwd: process.cwd(),
    log: (line) => {
      if (line.includes('"outcome":"sent"')) sent += 1
    }
  }).pipe(Scope.provide(scope))
)
process.stdout.write(`URL ${serving.url}\n`)

for await (const line of createInterface({ input: process.stdin })) {
  if (line !== "heap") continue
  // Several passes: weak references and finalizers free more on the next one.
  for (let i = 0; i < 4; i++) collect()
  process.stdout.write(`HEAP ${process.memoryUsage().heapUsed} SENT ${sent}\n`)
}
await Effect.runPromise(Scope.close(scope, Exit.void))
process.exit(0)
