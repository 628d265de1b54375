/**
 * The channels' protocols against node:http receivers on 127.0.0.1 (contract §11): the
 * webhook's signature checked by the specification's own library, each answer classified,
 * no redirect followed, a lost answer unknown where the receiver cannot deduplicate, retry
 * hints waited on the test clock, and the parts sent counted when a later part fails.
 */
import http from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { Webhook } from "standardwebhooks"
import type { ProtocolKind } from "../src/services/channels/protocols"
import {
  answer,
  attempts,
  hang,
  lose,
  otherSecret,
  receiver,
  secret,
  short
} from "./support/channel-receiver"

const { seen, replies, url, arrived } = receiver()
const { attemptOf, sendAttempt, send, failure } = attempts(url)
const kinds: ReadonlyArray<ProtocolKind> = ["webhook", "slack", "discord"]

describe("the signed webhook", () => {
  it.effect(
    "verifies with the specification's library; one id on every attempt, each its own time",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        expect(yield* send("webhook")).toEqual({ parts: 1 })
        yield* TestClock.adjust(Duration.seconds(7))
        yield* send("webhook")
        const [first, second] = seen.map((s) => ({
          ...s,
          headers: s.headers as Record<string, string>
        }))
        for (const s of [first, second]) {
          const payload = new Webhook(secret).verify(s?.body ?? "", s?.headers ?? {})
          expect(payload).toMatchObject({
            type: "contact.submission.v1",
            data: { id: short.id, message: "Hello @everyone" }
          })
          expect(s?.headers["user-agent"]).toBe("contact-form-backend")
          expect(() => new Webhook(otherSecret).verify(s?.body ?? "", s?.headers ?? {})).toThrow()
        }
        expect(second?.headers["webhook-id"]).toBe(`${short.id}:webhook`)
        expect(first?.headers["webhook-id"]).toBe(second?.headers["webhook-id"])
        expect(
          Number(second?.headers["webhook-timestamp"]) - Number(first?.headers["webhook-timestamp"])
        ).toBe(7)
      })
  )

  it.effect("a secret that is not whsec_ and base64 is permanent, and nothing is sent", () =>
    Effect.gen(function* () {
      const { signingSecret: _, ...unsigned } = attemptOf()
      const attempts = ["not-whsec", "whsec_", "whsec_!!!!", `${secret}*`]
        .map((bad) => attemptOf({ signingSecret: Redacted.make(bad) }))
        .concat([unsigned])
      for (const attempt of attempts) {
        expect(yield* Effect.flip(sendAttempt("webhook", attempt))).toMatchObject({
          _tag: "ChannelPermanent",
          reason: "webhook_secret_invalid",
          partsSent: 0
        })
      }
      expect(seen).toEqual([])
    })
  )
})

describe.each(kinds)("%s answers", (kind) => {
  it.effect(
    "2xx delivered; 3xx (not followed) and 4xx permanent; 408, 429 and 5xx transient after one quick retry",
    () =>
      Effect.gen(function* () {
        expect(yield* send(kind)).toEqual({ parts: 1 })
        for (const status of [301, 302, 307, 308, 400, 401, 403, 404, 410, 413]) {
          seen.length = 0
          replies.push(answer(status, { location: `${url("/elsewhere")}` }))
          expect(yield* failure(kind)).toMatchObject({
            _tag: "ChannelPermanent",
            reason: `http_${status}`,
            partsSent: 0
          })
          expect(seen.map((s) => s.url)).toEqual([kind === "discord" ? "/hook?wait=true" : "/hook"])
        }
        for (const status of [408, 429, 500, 502, 503]) {
          seen.length = 0
          replies.push(answer(status), answer(status))
          expect(yield* failure(kind)).toMatchObject({
            _tag: "ChannelTransient",
            reason: `http_${status}`,
            partsSent: 0
          })
          expect(seen.length).toBe(2)
          replies.push(answer(status))
          expect(yield* send(kind)).toEqual({ parts: 1 })
        }
      })
  )

  it.effect(
    "a plain http URL without CHANNEL_ALLOW_INSECURE is permanent, and nothing is sent",
    () =>
      Effect.gen(function* () {
        expect(yield* failure(kind, { allowInsecure: false })).toMatchObject({
          _tag: "ChannelPermanent",
          reason: "url_invalid"
        })
        expect(seen).toEqual([])
      })
  )

  it.effect(
    "an answer lost after the request was written: unknown for Slack and Discord, never sent again; transient for the webhook",
    () =>
      Effect.gen(function* () {
        replies.push(lose, lose)
        const error = yield* failure(kind)
        if (kind === "webhook") {
          expect(error).toMatchObject({
            _tag: "ChannelTransient",
            reason: "no_answer",
            partsSent: 0
          })
          expect(seen.map((s) => s.headers["webhook-id"])).toEqual([
            `${short.id}:webhook`,
            `${short.id}:webhook`
          ])
        } else {
          expect(error).toMatchObject({
            _tag: "ChannelUnknown",
            reason: "no_answer",
            partsSent: 0,
            at: 0
          })
          expect(seen.length).toBe(1)
        }
      })
  )

  it.effect(
    "no answer within CHANNEL_TIMEOUT_MS after the write: unknown for Slack and Discord, transient for the webhook",
    () =>
      Effect.gen(function* () {
        replies.push(hang)
        const fiber = yield* Effect.forkChild(failure(kind, { timeoutMs: 2_000 }))
        yield* arrived(1)
        yield* TestClock.adjust(Duration.millis(2_000))
        const error = yield* Fiber.join(fiber)
        expect(error).toMatchObject(
          kind === "webhook"
            ? { _tag: "ChannelTransient", reason: "timeout", partsSent: 0 }
            : { _tag: "ChannelUnknown", reason: "timeout_after_send", partsSent: 0 }
        )
        expect(seen.length).toBe(1)
      })
  )

  it.effect("nobody listening: transient, nothing could have been delivered", () =>
    Effect.gen(function* () {
      const closed = http.createServer()
      yield* Effect.promise(
        () => new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
      )
      const port = (closed.address() as AddressInfo).port
      yield* Effect.promise(() => new Promise<void>((resolve) => closed.close(() => resolve())))
      expect(yield* failure(kind, { url: `http://127.0.0.1:${port}/hook` })).toMatchObject({
        _tag: "ChannelTransient",
        reason: "unreachable",
        partsSent: 0
      })
    })
  )
})
