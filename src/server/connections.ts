/**
 * What one slow or greedy client can hold of the server (SPEC section 9, README "Run the
 * server in production"). Node's defaults let a request take 300 s and its headers 60 s,
 * so a few hundred idle sockets could occupy it; these bounds close them sooner. A
 * connection closed before its headers arrived never reaches the edge: it is not counted
 * by the rate limit.
 */
import type { Server } from "node:http"
import type { Socket } from "node:net"
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

/**
 * After an answer written before its request's body arrived (413, 429), the connection is
 * ended and, this much later, destroyed: time for the answer to reach a client that is
 * still sending, since destroying a socket while data comes in resets the connection, and a
 * reset can overtake the answer (./exchanges.ts).
 */
export const answerLinger = 2_000

/** SPEC section 9: more open connections than this from one client are closed at once. */
export const connectionsPerAddress = 16

/**
 * At most `maxConnections` open connections, and `connectionsPerAddress` per client
 * address; beyond that a new connection is closed at once, and those already served are
 * left alone. At the total cap, a connection that has not yet sent a request (the idle ones
 * a starving client opens) makes room for the new one, the oldest first: so a flood of idle
 * sockets cannot lock out a real visitor. Behind a trusted proxy every connection comes from
 * the proxy: then only the total applies (the proxy limits its own clients).
 */
export const capConnections = (
  server: Server,
  options: { readonly maxConnections: number; readonly perAddress: boolean }
) => {
  const perAddress = new Map<string, number>()
  /** Open connections in the order they came; the value: whether one request arrived. */
  const open = new Map<Socket, boolean>()
  /** The oldest connection without a request yet; `open` is walked, not copied (floods). */
  const oldestIdle = (): Socket | undefined => {
    for (const [socket, served] of open) if (!served) return socket
    return undefined
  }
  server.on("request", (request) => {
    if (open.has(request.socket)) open.set(request.socket, true)
  })
  server.on("connection", (socket: Socket) => {
    const bucket = addressBucket(normalizeAddress(socket.remoteAddress))
    const count = (perAddress.get(bucket) ?? 0) + 1
    if (options.perAddress && count > connectionsPerAddress) return void socket.destroy()
    if (open.size >= options.maxConnections) {
      const idle = oldestIdle()
      if (idle === undefined) return void socket.destroy()
      idle.destroy()
      open.delete(idle)
    }
    open.set(socket, false)
    perAddress.set(bucket, count)
    socket.once("close", () => {
      open.delete(socket)
      const left = (perAddress.get(bucket) ?? 1) - 1
      if (left === 0) perAddress.delete(bucket)
      else perAddress.set(bucket, left)
    })
  })
}
