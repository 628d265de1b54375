/**
 * The Node server's limits over real sockets (contract §9, README "Run the server in
 * production"): the rate limit by the socket's peer or by TRUST_PROXY_HOPS entries of
 * X-Forwarded-For, off in embedded mode; the connection caps (MAX_CONNECTIONS, 16 per
 * address, the oldest connection owed no answer making room); and slow clients: 300
 * connections sending one header byte a second are all closed within the header bound plus
 * Node's checking interval, while a normal submission is answered at once, and slow bodies
 * filling MAX_CONNECTIONS leave room for a visitor within 2 s. Loopback has a whole /8: each
 * "client" is its own 127.x.y.z.
 */
import { readFileSync } from "node:fs"
import http from "node:http"
import net from "node:net"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { serverBounds } from "../src/server/connections"
import { type RawConnection, rawConnect } from "./support/raw-http"
import { startServer, type TestServer, tempDir } from "./support/server"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"
import { relayOnlyEnv } from "./support/world"

const production = relayOnlyEnv

interface Answer {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

let posts = 0
/** A JSON-mode POST of a new valid form from `localAddress`, with `headers` added. */
const submit = (
  server: TestServer,
  options: { readonly from?: string; readonly headers?: Record<string, string> } = {}
) =>
  new Promise<Answer>((resolve, reject) => {
    const url = new URL("contact", server.url)
    const body = new URLSearchParams({
      email: "anna@example.org",
      message: `Hello, number ${++posts}`
    }).toString()
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress: options.from ?? "127.0.0.1",
        agent: false,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          ...options.headers
        }
      },
      (response) => {
        let text = ""
        response.setEncoding("utf8")
        response.on("data", (chunk: string) => {
          text += chunk
        })
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text })
        )
      }
    )
    request.on("error", reject)
    request.end(body)
  })

const statuses = async (server: TestServer, n: number, from?: string) => {
  const answers: Array<number> = []
  for (let i = 0; i < n; i++)
    answers.push((await submit(server, { ...(from ? { from } : {}) })).status)
  return answers
}

describe("the rate limit on the server", () => {
  let smtp: SmtpPeer
  let plain: TestServer
  let proxied: TestServer
  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls" })
    ;[plain, proxied] = await Promise.all([
      startServer({ ...production(smtp), RATE_LIMIT_PER_MINUTE: "3" }),
      startServer({ ...production(smtp), RATE_LIMIT_PER_MINUTE: "1", TRUST_PROXY_HOPS: "1" })
    ])
  })
  afterAll(async () => {
    await Promise.all([plain?.close(), proxied?.close()])
    await smtp?.close()
  })

  it("counts by the socket's peer: the fourth POST → 429 JSON with Retry-After; another address is served", async () => {
    expect(await statuses(plain, 3, "127.0.1.1")).toEqual([200, 200, 200])
    const limited = await submit(plain, {
      from: "127.0.1.1",
      headers: { "x-forwarded-for": "192.0.2.99" }
    })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(59)
    expect(JSON.parse(limited.body)).toEqual({
      ok: false,
      error: "rate_limited",
      fallback: { email: "owner@example.com", mailto: "mailto:owner@example.com" }
    })
    expect((await submit(plain, { from: "127.0.1.2" })).status).toBe(200)
    expect(plain.logs.some((l) => l.includes('"outcome":"rate_limited"'))).toBe(true)
    expect(plain.logs.join("\n")).not.toContain("127.0.1.1")
  })

  it("X-Forwarded-For changes nothing without TRUST_PROXY_HOPS", async () => {
    const from = "127.0.1.3"
    const answers: Array<number> = []
    for (const forwarded of ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]) {
      answers.push(
        (await submit(plain, { from, headers: { "x-forwarded-for": forwarded } })).status
      )
    }
    expect(answers).toEqual([200, 200, 200, 429])
  })

  it("with TRUST_PROXY_HOPS=1, the proxy's entry names the client, exactly one hop deep", async () => {
    // Every request comes from one peer, the proxy (nginx on 127.0.0.1).
    const via = (forwarded: string) =>
      submit(proxied, { headers: { "x-forwarded-for": forwarded } }).then((a) => a.status)
    expect(await via("192.0.2.10")).toBe(200)
    expect(await via("192.0.2.11")).toBe(200)
    expect(await via("10.6.6.6, 192.0.2.10")).toBe(429)
    // The entry two hops deep is the client's own writing: never believed.
    expect(await via("192.0.2.10, 192.0.2.12")).toBe(200)
    // No header at all: the peer itself is the client.
    expect((await submit(proxied)).status).toBe(200)
    expect((await submit(proxied)).status).toBe(429)
  })
})

describe("the rate limit in embedded mode", () => {
  it("is off unless RATE_LIMIT_PER_MINUTE is set", async () => {
    const [off, on] = await Promise.all([
      startServer({ OUTBOX_DIR: tempDir("outbox-") }),
      startServer({ OUTBOX_DIR: tempDir("outbox-"), RATE_LIMIT_PER_MINUTE: "2" })
    ])
    try {
      expect(new Set(await statuses(off, 15))).toEqual(new Set([200]))
      expect(await statuses(on, 3)).toEqual([200, 200, 429])
    } finally {
      await Promise.all([off.close(), on.close()])
    }
  })
})

/** The soft limit on open files (Linux's /proc), or 0 where it cannot be read. */
const openFilesLimit = (): number => {
  try {
    const limits = readFileSync("/proc/self/limits", "utf8")
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1]
    return soft === "unlimited" ? Number.POSITIVE_INFINITY : Number(soft ?? "0")
  } catch {
    return 0
  }
}

/** A socket from `localAddress`; resolves once connected, `closed` once the server closed it. */
const connectFrom = (server: TestServer, localAddress: string) =>
  new Promise<{ socket: net.Socket; closed: Promise<number>; received: () => string }>(
    (resolve, reject) => {
      const url = new URL(server.url)
      let received = ""
      const socket = net.connect({ host: url.hostname, port: Number(url.port), localAddress })
      socket.setEncoding("utf8")
      socket.on("data", (chunk: string) => {
        received += chunk
      })
      socket.on("error", () => {})
      const closed = new Promise<number>((done) => socket.once("close", () => done(Date.now())))
      socket.once("connect", () => resolve({ socket, closed, received: () => received }))
      socket.once("error", reject)
    }
  )

/** Whether `closed` settles within `ms`. */
const closedWithin = (closed: Promise<number>, ms: number) =>
  Promise.race([
    closed.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), ms))
  ])

describe("slow clients and connection caps", () => {
  let smtp: SmtpPeer
  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls" })
  })
  afterAll(() => smtp?.close())

  it("300 connections sending a header byte a second are all closed within the bound; a submission meanwhile is answered at once", async () => {
    const server = await startServer({ ...production(smtp), RATE_LIMIT_PER_MINUTE: "1" })
    const timers: Array<NodeJS.Timeout> = []
    try {
      const request =
        "POST /contact HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n\r\n"
      const started = Date.now()
      // 20 addresses with 15 connections each: under the per-address cap of 16.
      const slow = await Promise.all(
        Array.from({ length: 300 }, (_, i) => connectFrom(server, `127.0.2.${1 + (i % 20)}`))
      )
      for (const client of slow) {
        let sent = 0
        const timer = setInterval(() => {
          if (!client.socket.destroyed) client.socket.write(request[sent++ % request.length] ?? "")
        }, 1_000)
        timers.push(timer)
        client.socket.write(request[sent++] ?? "")
      }
      await new Promise((r) => setTimeout(r, 3_000))
      const before = Date.now()
      const normal = await submit(server, { from: "127.0.2.1" })
      const answeredMs = Date.now() - before
      expect(normal.status).toBe(200)
      const closedAt = await Promise.all(slow.map((c) => c.closed))
      const latest = Math.max(...closedAt) - started
      const earliest = Math.min(...closedAt) - started
      console.info(
        `slow clients: a submission answered in ${answeredMs} ms; 300 slow connections closed after ${earliest}–${latest} ms`
      )
      expect(answeredMs).toBeLessThan(1_000)
      // Closed by the header bound (408), not before it, and within it plus one check.
      expect(earliest).toBeGreaterThanOrEqual(serverBounds.headersTimeout - 500)
      expect(latest).toBeLessThan(
        serverBounds.headersTimeout + serverBounds.connectionsCheckingInterval + 2_000
      )
      expect(slow.every((c) => c.received().startsWith("HTTP/1.1 408"))).toBe(true)
      // None of them counted: their headers never arrived. The normal one did.
      expect((await submit(server, { from: "127.0.2.2" })).status).toBe(200)
      expect((await submit(server, { from: "127.0.2.1" })).status).toBe(429)
    } finally {
      for (const timer of timers) clearInterval(timer)
      await server.close()
    }
  }, 30_000)

  it("a POST whose headers arrived counts, even if its body never does", async () => {
    const server = await startServer({ ...production(smtp), RATE_LIMIT_PER_MINUTE: "1" })
    try {
      const client = await connectFrom(server, "127.0.3.1")
      client.socket.write(
        "POST /contact HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail="
      )
      await new Promise((r) => setTimeout(r, 300))
      expect((await submit(server, { from: "127.0.3.1" })).status).toBe(429)
      client.socket.destroy()
    } finally {
      await server.close()
    }
  })

  /** Connections of `clients` still open after a moment (the cap closes at once). */
  const stillOpen = async (clients: ReadonlyArray<{ closed: Promise<number> }>) => {
    const settled = await Promise.all(clients.map((c) => closedWithin(c.closed, 300)))
    return settled.filter((closed) => !closed).length
  }

  it("MAX_CONNECTIONS=50: 60 idle from one address leave 16 open; a POST from another is answered at once", async () => {
    // 16 is the contract's number (contract §9, the README), not the source's constant:
    // with 60 connections under a total of 50, any per-address cap from 17 up leaves more.
    const server = await startServer({ ...production(smtp), MAX_CONNECTIONS: "50" })
    const clients = await Promise.all(
      Array.from({ length: 60 }, () => connectFrom(server, "127.0.4.1"))
    )
    try {
      expect(await stillOpen(clients)).toBe(16)
      const started = Date.now()
      expect((await submit(server, { from: "127.0.4.200" })).status).toBe(200)
      expect(Date.now() - started).toBeLessThan(1_000)
    } finally {
      for (const client of clients) client.socket.destroy()
      await server.close()
    }
  })

  it("MAX_CONNECTIONS=50: 60 idle from distinct addresses leave 50 open, the one waiting for its answer untouched, an idle served one gone first; a POST from another is answered at once", async () => {
    const server = await startServer({ ...production(smtp), MAX_CONNECTIONS: "50" })
    // A visitor served first, its keep-alive connection idle since: it is owed nothing.
    const served = await connectFrom(server, "127.0.6.250")
    served.socket.write(
      `GET /healthz HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\nConnection: keep-alive\r\n\r\n`
    )
    await vi.waitFor(() => expect(served.received()).toMatch(/^HTTP\/1\.1 200[\s\S]*\r\n\r\nok$/))
    // A visitor whose submission is in flight (the relay holds its reply to DATA): owed an
    // answer, so never closed to make room.
    const hold = smtp.holdNextData()
    const waiting = submit(server, { from: "127.0.6.251" })
    await hold.reached
    const clients = await Promise.all(
      Array.from({ length: 60 }, (_, i) => connectFrom(server, `127.0.6.${1 + i}`))
    )
    try {
      // The ones owed nothing make room for the newest, the oldest first: 50 in all, the
      // waiting one and the 49 newest of the flood; the idle served one went first.
      expect((await stillOpen(clients)) + 1).toBe(50)
      expect(await closedWithin(served.closed, 1_000)).toBe(true)
      hold.release()
      expect((await waiting).status).toBe(200)
      const started = Date.now()
      expect((await submit(server, { from: "127.0.6.200" })).status).toBe(200)
      expect(Date.now() - started).toBeLessThan(1_000)
    } finally {
      hold.release()
      served.socket.destroy()
      for (const client of clients) client.socket.destroy()
      await server.close()
    }
  })

  /**
   * A slow-body flood: `addresses` loopback addresses (127.0.7.1…) with 16 connections each,
   * each sending `POST /contact` with a 100,000-byte body at one byte a second. Each asks
   * `Expect: 100-continue`, so that the server's `100 Continue` says its headers arrived
   * (Node's old rule counted it as served from then on). Then a visitor from another
   * address posts a form: how long until its answer?
   */
  const slowBodyFlood = async (options: {
    readonly addresses: number
    readonly maxConnections: number
  }) => {
    const server = await startServer({
      ...production(smtp),
      MAX_CONNECTIONS: String(options.maxConnections),
      RATE_LIMIT_PER_MINUTE: "0"
    })
    const host = new URL(server.url).host
    const timers: Array<NodeJS.Timeout> = []
    const flood: Array<RawConnection> = []
    try {
      const head =
        `POST /contact HTTP/1.1\r\nHost: ${host}\r\nExpect: 100-continue\r\n` +
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
      await Promise.all(
        Array.from({ length: options.addresses * 16 }, async (_, i) => {
          const client = await rawConnect(server.url, {
            localAddress: `127.0.7.${1 + (i % options.addresses)}`
          })
          flood.push(client)
          client.socket.write(head)
          // Continued, or closed to make room for a newer one.
          await client.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n/).catch(() => undefined)
          client.socket.write("e")
          timers.push(
            setInterval(() => {
              if (client.socket.writable) client.socket.write("x")
            }, 1_000)
          )
        })
      )
      const started = Date.now()
      const answer = await submit(server, { from: "127.0.0.99" })
      const answeredMs = Date.now() - started
      // Each closed to make room is seen closed once its close event arrives.
      const open = () => flood.filter((client) => !client.socket.destroyed).length
      await vi.waitFor(() => expect(open()).toBe(options.maxConnections - 1)).catch(() => undefined)
      return { status: answer.status, answeredMs, open: open() }
    } finally {
      for (const timer of timers) clearInterval(timer)
      for (const client of flood) client.socket.destroy()
      await server.close()
    }
  }

  it("MAX_CONNECTIONS=200 filled by slow bodies (13 addresses × 16): a POST from another address is answered within 2 s", async () => {
    const flood = await slowBodyFlood({ addresses: 13, maxConnections: 200 })
    console.info(
      `slow-body flood, 208 connections at MAX_CONNECTIONS=200: a submission answered in ${flood.answeredMs} ms`
    )
    expect(flood.status).toBe(200)
    // The contract's own bound (contract §9's guard, issue 23); it takes far less here.
    expect(flood.answeredMs).toBeLessThanOrEqual(2_000)
    // The oldest slow bodies made room: 8 for the flood's own surplus, 1 for the visitor.
    expect(flood.open).toBe(199)
  })

  // Issue 23's own figure: 63 addresses × 16 against the default MAX_CONNECTIONS. Client
  // and server sockets both live in this process: over 2,000 descriptors.
  const descriptors = openFilesLimit()
  if (descriptors < 2_100) {
    console.warn(
      `[skip] the full-size slow-body flood needs 2,100 open files; the limit here is ${descriptors}`
    )
  }
  it.skipIf(descriptors < 2_100)(
    "the default MAX_CONNECTIONS=1000 filled by slow bodies (63 addresses × 16): a POST from another address is answered within 2 s",
    async () => {
      const flood = await slowBodyFlood({ addresses: 63, maxConnections: 1_000 })
      console.info(
        `slow-body flood, 1,008 connections at MAX_CONNECTIONS=1000: a submission answered in ${flood.answeredMs} ms`
      )
      expect(flood.status).toBe(200)
      expect(flood.answeredMs).toBeLessThanOrEqual(2_000)
      expect(flood.open).toBe(999)
    }
  )

  it("behind a trusted proxy, one address may hold more than 16: only MAX_CONNECTIONS applies", async () => {
    const server = await startServer({ ...production(smtp), TRUST_PROXY_HOPS: "1" })
    const clients = await Promise.all(
      Array.from({ length: 16 + 4 }, () => connectFrom(server, "127.0.5.1"))
    )
    try {
      expect(await closedWithin(Promise.race(clients.map((c) => c.closed)), 500)).toBe(false)
    } finally {
      for (const client of clients) client.socket.destroy()
      await server.close()
    }
  })
})
