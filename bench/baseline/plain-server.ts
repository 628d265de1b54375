// Frozen baseline: do not optimise (frozen 2026-11-27).
// The server figure's baseline: plain node:http in front of the plain flow (the same
// parsing and validation as bench/baseline/plain.ts) with in-memory services.
// Listens on HOST:PORT (default 127.0.0.1:3000); GET /healthz answers 200 "ok".
import { createServer, type IncomingMessage } from "node:http"
import { loadConfig } from "./plain.js"
import { app } from "./plain-inmemory.js"

const maxBodyBytes = loadConfig(process.env).maxBodyBytes
let requests = 0

// Reads at most one byte more than the limit, so the flow can answer 413 in its own order.
const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      if (size > maxBodyBytes) return
      chunks.push(chunk)
      size += chunk.length
    })
    req.on("end", () => resolve(Buffer.concat(chunks).subarray(0, maxBodyBytes + 1)))
    req.on("error", reject)
  })

const server = createServer(async (req, res) => {
  const path = (req.url ?? "/").split("?")[0]
  if (req.method === "GET" && path === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" })
    res.end("ok")
    return
  }
  if (path !== "/contact") {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" })
    res.end("not found")
    return
  }
  try {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value
    const body = await readBody(req)
    const answer = await app({
      method: req.method ?? "GET",
      headers,
      body,
      requestId: `plain-${++requests}`
    })
    res.writeHead(answer.statusCode, answer.headers)
    res.end(answer.body)
  } catch {
    res.writeHead(500, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" })
    res.end("internal error")
  }
})

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? "127.0.0.1"
server.listen(port, host, () =>
  console.log(JSON.stringify({ level: "info", msg: "listening", host, port }))
)
process.on("SIGTERM", () => server.close(() => process.exit(0)))
