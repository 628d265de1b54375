/**
 * What one slow or greedy client can hold of the server (SPEC section 9, README "Run the
 * server in production"). Node's defaults let a request take 300 s and its headers 60 s,
 * so a few hundred idle sockets could occupy it; these bounds close them sooner. A
 * connection closed before its headers arrived never reaches the edge: it is not counted
 * by the rate limit.
 */
import { createServer, type Server } from "node:http"
import { addressBucket, normalizeAddress } from "../domain/address"

export const serverBounds = {
  /** The request line and headers, from the first byte. */
  headersTimeout: 10_000,
  /** The whole request, body included: a 640 KiB form at 25 KB/s. */
  requestTimeout: 30_000,
  /** An idle keep-alive connection between two requests. */
  keepAliveTimeout: 5_000,
  // Node checks the two timeouts above only this often (30 s by default): a bound is
  // enforced within it, so it is part of every bound.
  connectionsCheckingInterval: 1_000
} as const

/** SPEC section 9: more open connections than this from one client are closed at once. */
export const connectionsPerAddress = 16

/** Node's http server with the bounds above. */
export const boundedServer = (): Server => createServer(serverBounds)

/**
 * At most `maxConnections` open connections, and `connectionsPerAddress` per client
 * address; beyond that a new connection is closed at once, and those already open are
 * left alone. Behind a trusted proxy every connection comes from the proxy: then only the
 * total applies (the proxy limits its own clients).
 */
export const capConnections = (
  server: Server,
  options: { readonly maxConnections: number; readonly perAddress: boolean }
) => {
  server.maxConnections = options.maxConnections
  if (!options.perAddress) return
  const open = new Map<string, number>()
  server.on("connection", (socket) => {
    const bucket = addressBucket(normalizeAddress(socket.remoteAddress))
    const count = (open.get(bucket) ?? 0) + 1
    if (count > connectionsPerAddress) return void socket.destroy()
    open.set(bucket, count)
    socket.once("close", () => {
      const left = (open.get(bucket) ?? 1) - 1
      if (left === 0) open.delete(bucket)
      else open.set(bucket, left)
    })
  })
}
