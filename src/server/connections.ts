/**
 * What one slow or greedy client can hold of the server (contract §9, README "Run the
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
 * reset can overtake the answer (./exchanges.ts). Effect's HTTP server does the same for
 * the answers it writes, 500 ms after the end; answers written before it (413 at the door)
 * linger as long, so every early answer closes alike.
 */
export const answerLinger = 500

/** contract §9: more open connections than this from one client are closed at once. */
export const connectionsPerAddress = 16

/**
 * At most `maxConnections` open connections, and `connectionsPerAddress` per client
 * address; beyond that a new connection is closed at once. At the total cap, a connection
 * the server owes no answer makes room for the new one, the oldest first: idle, still
 * sending its headers or its body (one byte a second is enough to hold a socket until the
 * request bound), or sending the rest of a body already answered. Only a connection waiting
 * for the answer to a request it sent whole is left alone. So neither a flood of idle
 * sockets nor one of slow bodies can lock out a real visitor. Behind a trusted proxy every
 * connection comes from the proxy: then only the total applies (the proxy limits its own
 * clients).
 */
export const capConnections = (
  server: Server,
  options: {
    readonly maxConnections: number
    readonly perAddress: boolean
    readonly owesAnswer: (socket: Socket) => boolean
  }
) => {
  const perAddress = new Map<string, number>()
  /** Open connections in the order they came. */
  const open = new Set<Socket>()
  /** The oldest connection owed nothing; `open` is walked, not copied (floods). */
  const oldestOwedNothing = (): Socket | undefined => {
    for (const socket of open) if (!options.owesAnswer(socket)) return socket
    return undefined
  }
  server.on("connection", (socket: Socket) => {
    const bucket = addressBucket(normalizeAddress(socket.remoteAddress))
    const count = (perAddress.get(bucket) ?? 0) + 1
    if (options.perAddress && count > connectionsPerAddress) return void socket.destroy()
    if (open.size >= options.maxConnections) {
      const owedNothing = oldestOwedNothing()
      if (owedNothing === undefined) return void socket.destroy()
      owedNothing.destroy()
      open.delete(owedNothing)
    }
    open.add(socket)
    perAddress.set(bucket, count)
    socket.once("close", () => {
      open.delete(socket)
      const left = (perAddress.get(bucket) ?? 1) - 1
      if (left === 0) perAddress.delete(bucket)
      else perAddress.set(bucket, left)
    })
  })
}
