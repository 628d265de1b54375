/**
 * HTTP/1.1 as raw bytes over one TCP connection, for what fetch and node:http do not do: end
 * the client's side right after the request, send bytes after it, send a body a byte at a
 * time, and connect from a chosen loopback address (Linux routes all of 127.0.0.0/8 there).
 */
import net from "node:net"

export interface RawConnection {
  readonly socket: net.Socket
  /** Everything received so far (latin1, one character per byte). */
  received(): string
  /** When the server ended its side or the connection closed (Date.now()). */
  readonly ended: Promise<number>
  /** When the connection closed, for whatever reason (Date.now()). */
  readonly closed: Promise<number>
  /** Resolves with `received()` once it matches; rejects if the connection closes first. */
  waitFor(match: RegExp): Promise<string>
}

export const rawConnect = (
  url: string | URL,
  options: {
    readonly localAddress?: string
    /** Keep sending after the server ended its side (net's default ends ours with it). */
    readonly allowHalfOpen?: boolean
  } = {}
): Promise<RawConnection> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url)
    const socket = net.connect({
      host: hostname,
      port: Number(port),
      allowHalfOpen: options.allowHalfOpen ?? false,
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress })
    })
    let text = ""
    const waiters = new Set<() => void>()
    socket.setEncoding("latin1")
    socket.on("data", (chunk: string) => {
      text += chunk
      for (const check of waiters) check()
    })
    const closed = new Promise<number>((done) => socket.once("close", () => done(Date.now())))
    const ended = new Promise<number>((done) => {
      socket.once("end", () => done(Date.now()))
      void closed.then(done)
    })
    const waitFor = (match: RegExp) =>
      new Promise<string>((found, lost) => {
        const check = () => {
          if (!match.test(text)) return
          waiters.delete(check)
          found(text)
        }
        waiters.add(check)
        check()
        void closed.then(() => {
          if (waiters.delete(check)) lost(new Error(`closed before ${match}; received ${text}`))
        })
      })
    socket.once("connect", () => {
      socket.off("error", reject)
      // A reset is an ordinary end here; `closed` reports it.
      socket.on("error", () => {})
      resolve({ socket, received: () => text, ended, closed, waitFor })
    })
    socket.once("error", reject)
  })

export interface HttpAnswer {
  readonly status: number
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** The body that starts `text` in chunked coding when all of it arrived, else undefined. */
const unchunked = (text: string): string | undefined => {
  let body = ""
  for (let at = 0; ; ) {
    const lineEnd = text.indexOf("\r\n", at)
    if (lineEnd === -1) return undefined
    const size = Number.parseInt(text.slice(at, lineEnd), 16)
    if (Number.isNaN(size)) return undefined
    if (size === 0) return text.startsWith("\r\n", lineEnd + 2) ? body : undefined
    const chunk = text.slice(lineEnd + 2, lineEnd + 2 + size)
    if (chunk.length < size) return undefined
    body += chunk
    at = lineEnd + 2 + size + 2
  }
}

/**
 * The first answer in `text` once all of it arrived (by its Content-Length, or to the last
 * chunk), else undefined.
 */
export const firstAnswer = (text: string): HttpAnswer | undefined => {
  const end = text.indexOf("\r\n\r\n")
  if (end === -1) return undefined
  const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n")
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1]
  if (status === undefined) return undefined
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(":")
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]
    })
  )
  const rest = text.slice(end + 4)
  if (headers["transfer-encoding"] === "chunked") {
    const body = unchunked(rest)
    return body === undefined ? undefined : { status: Number(status), headers, body }
  }
  const length = Number(headers["content-length"] ?? "0")
  const body = rest.slice(0, length)
  return body.length === length ? { status: Number(status), headers, body } : undefined
}

/** Whether `promise` settles within `ms`. */
export const settlesWithin = (promise: Promise<unknown>, ms: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms)
    })
  ]).finally(() => clearTimeout(timer))
}
