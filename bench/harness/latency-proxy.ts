// A protocol-blind TCP proxy that puts a wire of a given round trip between an app and a
// peer on loopback (the realistic profile, bench/harness/profiles.ts). A new connection is
// held for one round trip (TCP's handshake) before anything reaches the peer; after that
// every chunk, and the end of each direction, arrives half a round trip after it was sent,
// in order. Blind to the protocol, so a TLS handshake and each SMTP command pay their round
// trips as they would on a wire, whatever the client and peer say to each other.
//
// Not modelled: bandwidth, loss, TCP slow start, back-pressure (the bench's payloads are a
// few KiB). Timers have millisecond granularity: each hop is late by up to ~1 ms, the same
// for every variant.
import { createConnection, createServer, type Socket } from "node:net"

export interface LatencyProxy {
  /** The port on 127.0.0.1 that reaches the peer through the wire. */
  readonly port: number
  close(): Promise<void>
}

/**
 * One direction of the wire: actions run half a round trip after they were queued, and not
 * before `notBefore` plus that half (what the client sent during the handshake waits for it).
 * The due times never decrease, so one timer at the head keeps the order.
 */
const direction = (halfMs: number, notBefore: number) => {
  const queue: { readonly due: number; readonly run: () => void }[] = []
  let timer: NodeJS.Timeout | undefined
  const pump = () => {
    timer = undefined
    for (let head = queue[0]; head !== undefined; head = queue[0]) {
      const wait = head.due - performance.now()
      if (wait > 0) {
        timer = setTimeout(pump, wait)
        return
      }
      queue.shift()
      head.run()
    }
  }
  return (run: () => void) => {
    queue.push({ due: Math.max(performance.now(), notBefore) + halfMs, run })
    // Never negative (Node warns, then waits 1 ms, as it does for 0): a pause of the harness'
    // own (GC) between the two clocks can put the head's due time in the past.
    if (timer === undefined)
      timer = setTimeout(pump, Math.max(0, (queue[0]?.due ?? 0) - performance.now()))
  }
}

const usable = (socket: Socket | undefined): socket is Socket =>
  socket !== undefined && !socket.destroyed

export const startLatencyProxy = (
  target: { readonly host: string; readonly port: number },
  rttMs: number
): Promise<LatencyProxy> => {
  const sockets = new Set<Socket>()
  let closed = false
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    // Nagle's algorithm with the peer's delayed ACKs stalls small writes by up to 40 ms, a
    // cost of loopback stacks and not of the wire being modelled.
    socket.setNoDelay(true)
    // A reset on one side reaches the other through "close" below.
    socket.on("error", () => {})
  }
  const server = createServer((client) => {
    track(client)
    const connectedAt = performance.now() + rttMs
    const up = direction(rttMs / 2, connectedAt)
    const down = direction(rttMs / 2, connectedAt)
    let peer: Socket | undefined
    // The handshake: the peer sees the connection one round trip after the client opened it.
    setTimeout(() => {
      if (closed) return client.destroy()
      peer = createConnection(target)
      track(peer)
      peer.on("data", (chunk: Buffer) => down(() => usable(client) && client.write(chunk)))
      peer.on("close", (hadError) =>
        down(() => {
          if (hadError) client.destroy()
          else if (usable(client)) client.end()
        })
      )
    }, rttMs)
    // Whatever the client does arrives after the handshake (up's notBefore), so `peer` exists.
    client.on("data", (chunk: Buffer) => up(() => usable(peer) && peer.write(chunk)))
    client.on("close", (hadError) =>
      up(() => {
        if (hadError) peer?.destroy()
        else if (usable(peer)) peer.end()
      })
    )
  })
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      if (address === null || typeof address === "string") return reject(new Error("no port"))
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            closed = true
            for (const s of sockets) s.destroy()
            server.close(() => done())
          })
      })
    })
  })
}
