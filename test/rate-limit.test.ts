/**
 * The rate limit (contract §9) through the real Lambda adapter: RATE_LIMIT_PER_MINUTE
 * POSTs per client address, then 429 with Retry-After and the fallback contact in both
 * modes, before the body is read; the address is API Gateway's sourceIp (HTTP API 2.0,
 * Function URL, REST 1.0), and X-Forwarded-For counts only for TRUST_PROXY_HOPS hops.
 * The sliding window itself is timed with TestClock in test/services/limits.test.ts.
 */
import { describe, expect, it, vi } from "vitest"
import { makeTestHandler } from "./support/doubles"
import {
  browser,
  type EventInput,
  formBody,
  functionUrlEvent,
  type HttpApiEventV2,
  httpApiEvent,
  json,
  type RestApiEventV1,
  restApiEvent,
  urlencoded,
  visitorIp
} from "./support/events"

let tokens = 0
/** A valid submission, each with its own token: none is a repeat of another. */
const fields = () => ({
  email: "anna@example.org",
  body: "Hello",
  "frc-captcha-response": `frc-token-${++tokens}`
})

type MakeEvent = (input?: EventInput) => HttpApiEventV2 | RestApiEventV1

const post = (input: EventInput = {}, make: MakeEvent = httpApiEvent) =>
  make({
    body: formBody(fields()),
    ...input,
    headers: { ...urlencoded, ...browser, ...input.headers }
  })

const limit3 = { RATE_LIMIT_PER_MINUTE: "3" }

describe("over RATE_LIMIT_PER_MINUTE from one address", () => {
  it("the fourth POST → 429 page with Retry-After, the fallback contact, no visitor text", async () => {
    const t = await makeTestHandler({ env: { ...limit3, FALLBACK_PHONE: "+49 30 1234567" } })
    for (let i = 0; i < 3; i++) expect((await t.handler(post())).statusCode).toBe(303)
    const result = await t.handler(post())
    expect(result.statusCode).toBe(429)
    expect(result.headers["content-type"]).toBe("text/html; charset=utf-8")
    const seconds = Number(result.headers["retry-after"])
    expect(seconds).toBeGreaterThanOrEqual(59)
    expect(seconds).toBeLessThanOrEqual(60)
    expect(result.body).toContain("Too many messages at once")
    expect(result.body).toContain(`Please try again in ${seconds} seconds.`)
    expect(result.body).toContain('href="mailto:owner@example.com"')
    expect(result.body).toContain('href="tel:+49301234567"')
    expect(result.body).not.toContain("What you wrote")
    expect(result.headers["cache-control"]).toBe("no-store")
    expect(t.mail.sent).toHaveLength(3)
    await t.dispose()
  })

  it("JSON mode: 429 {ok:false, error:rate_limited, fallback}, Retry-After in whole seconds; in German by Accept-Language", async () => {
    // The clock the limiter reads (Effect's, which reads Date.now) stands still unless moved,
    // so Retry-After has one right value: the whole seconds until the oldest POST leaves
    // the 60-second window.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.parse("2026-12-06T12:00:00.000Z") })
    try {
      const t = await makeTestHandler({ env: limit3 })
      const headers = { ...json, "Accept-Language": "de" }
      const send = () => t.handler(httpApiEvent({ body: JSON.stringify(fields()), headers }))
      for (let i = 0; i < 3; i++) expect((await send()).statusCode).toBe(200)
      const result = await send()
      expect(result.statusCode).toBe(429)
      expect(result.headers["retry-after"]).toBe("60")
      expect(JSON.parse(result.body)).toEqual({
        ok: false,
        error: "rate_limited",
        fallback: { email: "owner@example.com", mailto: "mailto:owner@example.com" }
      })
      // 12.3 s later the oldest leaves in 47.7 s: rounded up, never down to an early retry.
      vi.advanceTimersByTime(12_300)
      expect((await send()).headers["retry-after"]).toBe("48")
      const page = await t.handler(post({ headers: { "Accept-Language": "de" } }))
      expect(page.statusCode).toBe(429)
      expect(page.body).toContain('<html lang="de">')
      await t.dispose()
    } finally {
      vi.useRealTimers()
    }
  })

  it("is answered before the body is read: not 415, 413 or 400, even for a body that is none of them", async () => {
    const t = await makeTestHandler({ env: { ...limit3, MAX_BODY_BYTES: "1000" } })
    for (let i = 0; i < 3; i++) await t.handler(post())
    for (const event of [
      httpApiEvent({ body: "x", headers: { "Content-Type": "text/plain" } }),
      httpApiEvent({ body: "x".repeat(5_000), headers: urlencoded }),
      httpApiEvent({ rawBase64: "not base64!!", headers: urlencoded })
    ]) {
      expect((await t.handler(event)).statusCode).toBe(429)
    }
    await t.dispose()
  })

  it("another address is still served; OPTIONS and GET never count", async () => {
    const t = await makeTestHandler({ env: limit3 })
    for (let i = 0; i < 10; i++) {
      const preflight = await t.handler(
        httpApiEvent({ method: "OPTIONS", headers: { Origin: "https://www.example.com" } })
      )
      expect(preflight.statusCode).toBe(204)
      expect((await t.handler(httpApiEvent({ method: "GET", headers: browser }))).statusCode).toBe(
        405
      )
    }
    for (let i = 0; i < 3; i++) expect((await t.handler(post())).statusCode).toBe(303)
    expect((await t.handler(post())).statusCode).toBe(429)
    expect((await t.handler(post({ sourceIp: "198.51.100.20" }))).statusCode).toBe(303)
    await t.dispose()
  })

  it("logs outcome rate_limited at info, and no address in any line", async () => {
    const t = await makeTestHandler({ env: { RATE_LIMIT_PER_MINUTE: "1" } })
    await t.handler(post())
    await t.handler(post())
    expect(t.logs.at(-1)).toMatchObject({
      level: "info",
      msg: "submission",
      outcome: "rate_limited",
      reason: "rate_limit",
      status: 429
    })
    expect(JSON.stringify(t.logs)).not.toContain(visitorIp)
    await t.dispose()
  })

  it("two IPv6 addresses of one /64 share a count", async () => {
    const t = await makeTestHandler({ env: { RATE_LIMIT_PER_MINUTE: "1" } })
    expect((await t.handler(post({ sourceIp: "2001:db8:aa:bb::1" }))).statusCode).toBe(303)
    expect((await t.handler(post({ sourceIp: "2001:db8:aa:bb:cafe::2" }))).statusCode).toBe(429)
    expect((await t.handler(post({ sourceIp: "2001:db8:aa:bc::1" }))).statusCode).toBe(303)
    await t.dispose()
  })
})

describe("the client address on Lambda", () => {
  it.each([
    ["HTTP API 2.0 (requestContext.http.sourceIp)", httpApiEvent],
    ["Function URL (requestContext.http.sourceIp)", functionUrlEvent],
    ["REST API 1.0 (requestContext.identity.sourceIp)", restApiEvent]
  ])("%s: X-Forwarded-For changes nothing without TRUST_PROXY_HOPS", async (_, make) => {
    const t = await makeTestHandler({ env: { RATE_LIMIT_PER_MINUTE: "2" } })
    const from = (forwarded: string) => post({ headers: { "X-Forwarded-For": forwarded } }, make)
    expect((await t.handler(from("192.0.2.1"))).statusCode).toBe(303)
    expect((await t.handler(from("192.0.2.2"))).statusCode).toBe(303)
    expect((await t.handler(from("192.0.2.3"))).statusCode).toBe(429)
    expect((await t.handler(post({ sourceIp: "198.51.100.20" }, make))).statusCode).toBe(303)
    await t.dispose()
  })

  it.each([
    ["HTTP API 2.0", httpApiEvent],
    ["REST API 1.0", restApiEvent]
  ])("%s: TRUST_PROXY_HOPS=1 takes the last entry, and only it", async (_, make) => {
    const t = await makeTestHandler({ env: { RATE_LIMIT_PER_MINUTE: "1", TRUST_PROXY_HOPS: "1" } })
    const from = (forwarded: string) => post({ headers: { "X-Forwarded-For": forwarded } }, make)
    // One proxy (CloudFront) in front, so sourceIp is the proxy's: each viewer has its count.
    expect((await t.handler(from("192.0.2.1"))).statusCode).toBe(303)
    expect((await t.handler(from("192.0.2.2"))).statusCode).toBe(303)
    // What the client writes left of the proxy's entry is not believed.
    expect((await t.handler(from("10.9.9.9, 192.0.2.1"))).statusCode).toBe(429)
    expect((await t.handler(from("10.9.9.8, 192.0.2.2"))).statusCode).toBe(429)
    await t.dispose()
  })

  it("TRUST_PROXY_HOPS=2 takes the second entry from the right, not the first nor the third", async () => {
    const t = await makeTestHandler({ env: { RATE_LIMIT_PER_MINUTE: "1", TRUST_PROXY_HOPS: "2" } })
    const from = (forwarded: string) => post({ headers: { "X-Forwarded-For": forwarded } })
    expect((await t.handler(from("10.0.0.1, 192.0.2.1, 198.51.100.1"))).statusCode).toBe(303)
    // Same second entry, other first and third: the same client.
    expect((await t.handler(from("10.0.0.2, 192.0.2.1, 198.51.100.2"))).statusCode).toBe(429)
    expect((await t.handler(from("10.0.0.1, 192.0.2.3, 198.51.100.1"))).statusCode).toBe(303)
    await t.dispose()
  })
})
