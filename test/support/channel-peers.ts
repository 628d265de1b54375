/**
 * What the channel peers (contract §11: the signed webhook receiver, Slack, Discord) share: a
 * node:http server on 127.0.0.1, port 0, whose answers a test scripts at run time.
 *
 * Each request is counted (`requests`) and logged (`log`), then answered as the behaviour of
 * that moment says: `behave(b)` for every following request, `behaveOnce(b)` queued for the
 * next ones, one each, in order.
 * - `ok`: the peer reads the request as the real service would, acts on it (records what it
 *   accepted) and answers.
 * - `status(n, {headers, body})`: the body is read, nothing is acted on, `n` is answered (with
 *   the peer's own body for `n` unless one is given: Slack `no_service` for 404, Discord
 *   `Unknown Webhook` 10015…).
 * - `redirect`: the body is read, nothing acted on, 302 (or the status given) with a `Location`
 *   on this peer. A client that follows it is counted in `redirectsFollowed` and answered as
 *   `ok` (a 307/308 keeps the POST, so following one delivers; a 302 becomes a GET).
 * - `hang`: the body is read and acted on as `ok`, but no answer ever comes; `close()` destroys
 *   the connection. The message was received: a retry would be a second copy.
 * - `drop`: the body is read and acted on as `ok`, then the connection is destroyed: the
 *   request was received and may have been acted on, only its answer is lost.
 * - `refuse`: the connection is destroyed before the body is read; nothing is recorded.
 *
 * `holdNext()` holds the next request (not one at a redirect's target) once it was read and
 * acted on, before its answer, until `release()`; `arrived` resolves at that moment. The
 * answer is the one decided at arrival.
 */
import http from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { type Held, makeHold } from "./hold"

export type RedirectStatus = 301 | 302 | 303 | 307 | 308

export interface StatusBehaviour {
  readonly kind: "status"
  readonly status: number
  /** Replaces the peer's own headers for this status. */
  readonly headers?: Readonly<Record<string, string>>
  /** A string as is (text/plain unless `headers` says otherwise), anything else as JSON. */
  readonly body?: unknown
}

export interface RedirectBehaviour {
  readonly kind: "redirect"
  readonly status: RedirectStatus
}

export type PeerBehaviour =
  | "ok"
  | "hang"
  | "drop"
  | "refuse"
  /** 302. */
  | "redirect"
  | StatusBehaviour
  | RedirectBehaviour

export const Behave = {
  ok: "ok",
  hang: "hang",
  drop: "drop",
  refuse: "refuse",
  redirect: (status: RedirectStatus = 302): RedirectBehaviour => ({ kind: "redirect", status }),
  status: (
    status: number,
    options: { readonly headers?: Readonly<Record<string, string>>; readonly body?: unknown } = {}
  ): StatusBehaviour => ({ kind: "status", status, ...options })
} as const

/** A request as the peer read it. */
export interface PeerRequest {
  readonly method: string
  /** Without the redirect target's prefix. */
  readonly pathname: string
  readonly query: URLSearchParams
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>
  readonly raw: string
  /** It came to a redirect's target. */
  readonly redirected: boolean
}

export interface PeerAnswer {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
}

export type PeerOutcome = "pending" | "answered" | "hung" | "dropped" | "refused" | "aborted"

/** Every request that arrived, whatever became of it. */
export interface PeerArrival {
  readonly method: string
  /** As sent: path and query. */
  readonly target: string
  readonly headers: Readonly<Record<string, string>>
  /** "" when the body was never read (`refuse`, or the client went away). */
  readonly raw: string
  /** `ok`, `hang`, `drop`, `refuse`, `redirect` or `status`; `ok` at a redirect's target. */
  readonly behaviour: PeerBehaviour
  readonly outcome: PeerOutcome
  /** The status answered, when one was. */
  readonly status: number | undefined
}

export interface HeldAnswer {
  readonly arrived: Promise<void>
  release(): void
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

type Scripted =
  | { readonly kind: "ok" | "hang" | "drop" | "refuse" }
  | StatusBehaviour
  | RedirectBehaviour

const normal = (behaviour: PeerBehaviour): Scripted =>
  behaviour === "redirect"
    ? { kind: "redirect", status: 302 }
    : typeof behaviour === "string"
      ? { kind: behaviour }
      : behaviour

/** A redirect's target: the same path under this prefix. */
const REDIRECTED = "/__redirected"

const headersOf = (request: http.IncomingMessage): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value
  }
  return headers
}

/** The whole body, or undefined when the client went away before its end. */
const readBody = (request: http.IncomingMessage): Promise<Buffer | undefined> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks)))
    request.on("error", () => resolve(undefined))
    request.on("close", () => {
      if (!request.complete) resolve(undefined)
    })
  })

/** An answer's body and content type from a `status` behaviour's body. */
export const bodyAnswer = (
  status: number,
  body: unknown,
  headers?: Readonly<Record<string, string>>
): PeerAnswer => {
  if (body === undefined || body === "") return { status, headers: { ...headers } }
  const text = typeof body === "string" ? body : JSON.stringify(body)
  const type = typeof body === "string" ? "text/plain; charset=utf-8" : "application/json"
  return { status, headers: { "content-type": type, ...headers }, body: text }
}

export abstract class ChannelPeerBase {
  readonly #server = http.createServer((request, response) => {
    // A peer's own defect is answered 500 (the request never waits on it) and still thrown,
    // so that vitest reports it.
    this.#onRequest(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(`peer defect: ${String(error)}`)
      throw error
    })
  })
  readonly #sockets = new Set<Socket>()
  readonly #log: Array<Mutable<PeerArrival>> = []
  readonly #once: PeerBehaviour[] = []
  readonly #holds: Held[] = []
  /** Every hold handed out, released by `close()` so that no handler waits forever. */
  readonly #releases: Array<() => void> = []
  #standing: PeerBehaviour = "ok"
  #origin = ""
  #requests = 0
  #redirectsFollowed = 0
  #closed = false

  /** `http://127.0.0.1:PORT`. */
  get origin(): string {
    return this.#origin
  }

  /** The URL a client is given (the secret's value for Slack and Discord). */
  abstract get url(): string

  /** Every request that arrived, refused ones and redirects' targets included. */
  get requests(): number {
    return this.#requests
  }

  /** Requests that came to a redirect's target. */
  get redirectsFollowed(): number {
    return this.#redirectsFollowed
  }

  get log(): ReadonlyArray<PeerArrival> {
    return this.#log
  }

  /** The behaviour of every following request that no `behaveOnce` answers. */
  behave(behaviour: PeerBehaviour): void {
    this.#standing = behaviour
  }

  /** The behaviour of the next request without one; several calls queue, in order. */
  behaveOnce(behaviour: PeerBehaviour): void {
    this.#once.push(behaviour)
  }

  /** Holds the next request's answer (or drop) until `release()`. Several calls queue. */
  holdNext(): HeldAnswer {
    const { held, hold } = makeHold()
    this.#holds.push(held)
    this.#releases.push(hold.release)
    return { arrived: hold.reached, release: hold.release }
  }

  /** Destroys every connection (hung and held ones too) and stops listening. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const release of this.#releases) release()
    for (const socket of this.#sockets) socket.destroy()
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  /** Reads the request as the real service does, records what it accepts, says the answer. */
  protected abstract act(request: PeerRequest): PeerAnswer

  /** The answer of a `status` behaviour without a body: the service's own for that status. */
  protected abstract statusAnswer(
    status: number,
    headers: Readonly<Record<string, string>>
  ): PeerAnswer

  /** A request read but not acted on (`status`, `redirect`); the webhook receiver records it. */
  protected observe(_request: PeerRequest): void {}

  protected async listen(): Promise<void> {
    this.#server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket)
      socket.on("close", () => this.#sockets.delete(socket))
    })
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve))
    const { port } = this.#server.address() as AddressInfo
    this.#origin = `http://127.0.0.1:${port}`
  }

  async #onRequest(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    this.#requests++
    const target = request.url ?? "/"
    const url = new URL(target, this.#origin)
    const redirected = url.pathname.startsWith(`${REDIRECTED}/`)
    if (redirected) this.#redirectsFollowed++
    const behaviour: PeerBehaviour = redirected ? "ok" : (this.#once.shift() ?? this.#standing)
    const scripted = normal(behaviour)
    const held = redirected ? undefined : this.#holds.shift()
    const headers = headersOf(request)
    const entry: Mutable<PeerArrival> = {
      method: request.method ?? "",
      target,
      headers,
      raw: "",
      behaviour,
      outcome: "pending",
      status: undefined
    }
    this.#log.push(entry)
    const hold = async () => {
      held?.arrived()
      await held?.released
    }
    if (scripted.kind === "refuse") {
      await hold()
      entry.outcome = "refused"
      request.socket.destroy()
      return
    }
    const body = await readBody(request)
    if (body === undefined) {
      entry.outcome = "aborted"
      return
    }
    entry.raw = body.toString("utf8")
    const read: PeerRequest = {
      method: entry.method,
      pathname: redirected ? url.pathname.slice(REDIRECTED.length) : url.pathname,
      query: url.searchParams,
      headers,
      raw: entry.raw,
      redirected
    }
    let answer: PeerAnswer | undefined
    switch (scripted.kind) {
      case "ok":
      case "hang":
      case "drop":
        answer = this.act(read)
        break
      case "redirect":
        this.observe(read)
        answer = {
          status: scripted.status,
          headers: { location: `${this.#origin}${REDIRECTED}${target}` }
        }
        break
      case "status":
        this.observe(read)
        answer =
          scripted.body === undefined
            ? this.statusAnswer(scripted.status, scripted.headers ?? {})
            : bodyAnswer(scripted.status, scripted.body, scripted.headers)
        break
    }
    await hold()
    if (this.#closed) {
      entry.outcome = "aborted"
      return
    }
    if (scripted.kind === "hang") {
      entry.outcome = "hung" // the socket is destroyed by close()
      return
    }
    if (scripted.kind === "drop") {
      entry.outcome = "dropped"
      request.socket.destroy()
      return
    }
    entry.outcome = "answered"
    entry.status = answer.status
    response.writeHead(answer.status, { ...answer.headers })
    response.end(answer.body)
  }
}
