/**
 * Akismet's `comment-check` (src/spam/akismet.ts) against a real HTTP peer on loopback
 * (test/support/akismet-peer.ts), through Effect's node:http client as in production: what
 * Akismet receives, its `true` and `false`, and each way it fails open (an error header, an
 * account alert, a status, a body it never sends, no answer within the timeout, nobody there).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Redacted, Result } from "effect"
import { TestClock } from "effect/testing"
import {
  AKISMET_DEFAULT_URL,
  type AkismetComment,
  type AkismetSettings,
  AkismetUnavailable,
  commentCheck,
  commentOf,
  readAkismetAnswer
} from "../src/spam/akismet"
import {
  type AkismetPeer,
  ALERT,
  GUARANTEED_SPAM_AUTHOR,
  startAkismetPeer
} from "./support/akismet-peer"

const TIMEOUT_MS = 1_500

const visitor = {
  name: "Inès Okafor",
  email: "ines.okafor@example.org",
  subject: "Quote for 40 chairs",
  body: "Could you send a quote for forty oak chairs?"
}
const site = {
  blog: "https://shop.example.com/",
  userIp: "203.0.113.7",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
}

let peer: AkismetPeer
beforeAll(async () => {
  peer = await startAkismetPeer()
})
afterAll(() => peer?.close())
beforeEach(() => peer.reset())

const settings = (overrides: Partial<AkismetSettings> = {}): AkismetSettings => ({
  url: peer.url,
  key: Redacted.make(peer.key),
  timeoutMs: TIMEOUT_MS,
  ...overrides
})

const check = (comment: AkismetComment, overrides: Partial<AkismetSettings> = {}) =>
  commentCheck(settings(overrides), comment).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))

const failureOf = (comment: AkismetComment, overrides: Partial<AkismetSettings> = {}) =>
  Effect.flip(check(comment, overrides))

describe("Akismet comment-check against its peer", () => {
  it.effect("sends the documented fields form-encoded, once; `false` is ham", () =>
    Effect.gen(function* () {
      const answer = yield* check(commentOf(visitor, site, "fr"))
      expect(answer).toEqual({ spam: false, discard: false })
      expect(peer.requests).toHaveLength(1)
      const [request] = peer.requests
      expect(request?.method).toBe("POST")
      expect(request?.path).toBe("/1.1/comment-check")
      expect(request?.contentType).toBe("application/x-www-form-urlencoded")
      expect(request?.fields).toEqual({
        api_key: peer.key,
        blog: "https://shop.example.com/",
        user_ip: "203.0.113.7",
        user_agent: site.userAgent,
        comment_type: "contact-form",
        comment_author: "Inès Okafor",
        comment_author_email: "ines.okafor@example.org",
        comment_content: "Quote for 40 chairs\n\nCould you send a quote for forty oak chairs?",
        blog_lang: "fr",
        blog_charset: "UTF-8"
      })
      // Our own agent, and no trace context for a third party.
      expect(request?.headers["user-agent"]).toMatch(/^contact-form-backend/)
      expect(Object.keys(request?.headers ?? {})).not.toContain("traceparent")
      expect(Object.keys(request?.headers ?? {})).not.toContain("b3")
    })
  )

  it.effect("fields the visitor left out are not sent; a trailing slash in the URL is fine", () =>
    Effect.gen(function* () {
      const { blog, userIp } = site
      yield* check(commentOf({ email: visitor.email, body: "Hi" }, { blog, userIp }), {
        url: `${peer.url}/`
      })
      expect(peer.requests[0]?.path).toBe("/1.1/comment-check")
      expect(Object.keys(peer.requests[0]?.fields ?? {}).sort()).toEqual([
        "api_key",
        "blog",
        "blog_charset",
        "comment_author_email",
        "comment_content",
        "comment_type",
        "user_ip"
      ])
      expect(peer.requests[0]?.fields.comment_content).toBe("Hi")
    })
  )

  it.effect("`true` is spam; `X-akismet-pro-tip: discard` says it is blatant", () =>
    Effect.gen(function* () {
      const spam = commentOf({ ...visitor, name: GUARANTEED_SPAM_AUTHOR }, site)
      expect(yield* check(spam)).toEqual({ spam: true, discard: false })
      peer.setBehaviour("discard")
      expect(yield* check(spam)).toEqual({ spam: true, discard: true })
      expect(yield* check(commentOf(visitor, site))).toEqual({ spam: false, discard: false })
    })
  )

  it.effect("a wrong key: `invalid` with its debug help → unavailable, Akismet's words kept", () =>
    Effect.gen(function* () {
      const error = yield* failureOf(commentOf(visitor, site), { key: Redacted.make("wrong") })
      expect(error).toBeInstanceOf(AkismetUnavailable)
      expect(error.reason).toBe("invalid")
      expect(error.detail).toMatch(/Invalid API key/)
      expect(peer.requests).toHaveLength(1)
    })
  )

  it.effect("a missing required field: `invalid` → unavailable", () =>
    Effect.gen(function* () {
      const error = yield* failureOf(commentOf(visitor, { ...site, userIp: "" }))
      expect({ reason: error.reason, detail: error.detail }).toEqual({
        reason: "invalid",
        detail: 'Empty "user_ip" value'
      })
    })
  )

  it.effect.each([
    ["invalid", { reason: "invalid", status: 200, detail: "Missing required field: user_ip." }],
    ["alert", { reason: "alert", status: 200, detail: `${ALERT.code}: ${ALERT.message}` }],
    ["serverError", { reason: "http_status", status: 500 }],
    ["nonsense", { reason: "unexpected", status: 200 }]
  ] as const)("peer behaviour %s → unavailable %o", ([behaviour, expected]) =>
    Effect.gen(function* () {
      peer.setBehaviour(behaviour)
      const error = yield* failureOf(commentOf(visitor, site))
      expect({ reason: error.reason, status: error.status, detail: error.detail }).toEqual({
        detail: undefined,
        ...expected
      })
    })
  )

  it.effect("no answer: unavailable (timeout) exactly at the timeout, the request held", () =>
    Effect.gen(function* () {
      peer.setBehaviour("hang")
      const fiber = yield* Effect.forkChild(failureOf(commentOf(visitor, site)))
      yield* Effect.promise(() => peer.received(1))
      yield* TestClock.adjust(Duration.millis(TIMEOUT_MS - 1))
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust(Duration.millis(1))
      const error = yield* Fiber.join(fiber)
      expect(error.reason).toBe("timeout")
      expect(peer.requests).toHaveLength(1)
    })
  )

  it.effect(
    "nobody listening: unavailable (unreachable), and the error holds no visitor data",
    () =>
      Effect.gen(function* () {
        const gone = yield* Effect.promise(() => startAkismetPeer())
        yield* Effect.promise(() => gone.close())
        const error = yield* failureOf(commentOf(visitor, site), { url: gone.url })
        expect(error.reason).toBe("unreachable")
        const shown = `${String(error)} ${JSON.stringify(error)} ${String(error.cause)}`
        for (const secret of [peer.key, visitor.email, visitor.body, site.userIp])
          expect(shown).not.toContain(secret)
      })
  )
})

describe("reading an answer", () => {
  const read = (status: number, body: string, headers: Record<string, string> = {}) =>
    Result.match(readAkismetAnswer(status, headers, body), {
      onSuccess: (answer) => answer,
      onFailure: (error) => ({ reason: error.reason, detail: error.detail })
    })

  it("true, false, with or without the pro-tip; surrounding whitespace allowed", () => {
    expect(read(200, "true")).toEqual({ spam: true, discard: false })
    expect(read(200, "true\n", { "x-akismet-pro-tip": "discard" })).toEqual({
      spam: true,
      discard: true
    })
    expect(read(200, " false ")).toEqual({ spam: false, discard: false })
    expect(read(200, "false", { "x-akismet-pro-tip": "discard" })).toEqual({
      spam: false,
      discard: false
    })
  })

  it("a debug-help header, even beside true, is a refused request", () => {
    expect(read(200, "true", { "x-akismet-debug-help": 'Empty "blog" value' })).toEqual({
      reason: "invalid",
      detail: 'Empty "blog" value'
    })
    expect(read(200, "invalid")).toEqual({ reason: "invalid", detail: undefined })
  })

  it("anything else is unexpected; a non-200 is its status", () => {
    expect(read(200, "")).toEqual({ reason: "unexpected", detail: undefined })
    expect(read(200, "TRUE")).toEqual({ reason: "unexpected", detail: undefined })
    expect(read(503, "true")).toEqual({ reason: "http_status", detail: undefined })
  })

  it("Akismet's public endpoint is the default", () => {
    expect(AKISMET_DEFAULT_URL).toBe("https://rest.akismet.com")
  })
})
