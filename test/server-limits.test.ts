/**
 * The Node server's rate limit over real sockets (SPEC section 9): by the socket's peer, or
 * by TRUST_PROXY_HOPS entries of X-Forwarded-For; off in embedded mode unless set.
 * Loopback has a whole /8: each "client" is its own 127.x.y.z.
 */
import http from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startServer, type TestServer, tempDir } from "./support/server"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"

const production = (smtp: SmtpPeer) => ({
  MAIL_FROM: "Web contact form <noreply@example.com>",
  MAIL_TO: "Site Owner <owner@example.com>",
  SUCCESS_URL: "https://www.example.com/thanks",
  FALLBACK_EMAIL: "owner@example.com",
  CAPTCHA_PROVIDER: "none",
  SMTP_URL: smtp.url,
  SMTP_TLS_CA_FILE: smtp.caFile,
  SMTP_SECRET_ID: ""
})

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
