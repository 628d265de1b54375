/**
 * A bare receiver for the channels' protocol tests (test/channel-post*.test.ts): node:http on
 * 127.0.0.1, port 0, answering each request with the next scripted reply (200 when none is
 * left), recording what arrived; and the attempts those tests make.
 */
import { randomBytes } from "node:crypto"
import http from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, afterEach, beforeAll } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { decodeForm } from "../../src/domain/form"
import {
  type ChannelAttempt,
  channelSend,
  type ProtocolKind
} from "../../src/services/channels/protocols"
import type { ChannelSubmission } from "../../src/services/channels/submission"
import { largestValidForm } from "./largest-form"

export interface Seen {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export type Reply = (res: http.ServerResponse) => void

export const answer =
  (status: number, headers: Record<string, string> = {}, body = ""): Reply =>
  (res) =>
    res.writeHead(status, headers).end(body)
/** The request was read in full; its connection goes without an answer. */
export const lose: Reply = (res) => res.socket?.destroy()
/** Read in full, never answered (its connection is closed when the test ends). */
export const hang: Reply = () => {}

/** A receiver for the tests of one file: started before them, emptied after each. */
export const receiver = () => {
  const seen: Array<Seen> = []
  const replies: Array<Reply> = []
  let notify = () => {}
  let base = ""
  const server = http.createServer((req, res) => {
    let body = ""
    req.setEncoding("utf8")
    req.on("data", (chunk: string) => {
      body += chunk
    })
    req.on("end", () => {
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(req.headers))
        if (typeof value === "string") headers[name] = value
      seen.push({ url: req.url ?? "", headers, body })
      ;(replies.shift() ?? answer(200))(res)
      notify()
    })
  })
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterEach(() => {
    server.closeAllConnections()
    seen.length = 0
    replies.length = 0
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return {
    seen,
    replies,
    url: (path = "/hook") => `${base}${path}`,
    /** Resolves once `n` requests arrived in all. */
    arrived: (n: number) =>
      Effect.promise(
        () =>
          new Promise<void>((resolve) => {
            notify = () => (seen.length >= n ? resolve() : undefined)
            notify()
          })
      )
  }
}

export const secret = `whsec_${randomBytes(32).toString("base64")}`
export const otherSecret = `whsec_${randomBytes(32).toString("base64")}`

export const submissionOf = (
  fields: ReadonlyArray<readonly [string, string]>
): ChannelSubmission => {
  const decoded = decodeForm(fields, { captchaField: undefined, language: "en" })
  if (decoded._tag !== "Success") throw new Error("the fixture is not a valid form")
  return {
    id: "018f3c2e-9a4b-8c1d-9e2f-0123456789ab",
    form: "default",
    receivedAt: "2026-12-06T10:00:00.000Z",
    contact: decoded.success,
    captcha: { _tag: "Verified" }
  }
}

/** One message on every channel. */
export const short = submissionOf([
  ["email", "v@example.com"],
  ["body", "Hello @everyone"]
])
/** Several messages on Slack and on Discord. */
export const long = submissionOf(largestValidForm)

/** The attempts of a file's tests, to its receiver. */
export const attempts = (url: () => string) => {
  const attemptOf = (over: Partial<ChannelAttempt> = {}): ChannelAttempt => ({
    url: url(),
    signingSecret: Redacted.make(secret),
    submission: short,
    fromPart: 0,
    timeoutMs: 3_000,
    allowInsecure: true,
    ...over
  })
  const sendAttempt = (kind: ProtocolKind, attempt: ChannelAttempt) =>
    Effect.flatMap(channelSend(kind), (sendTo) => sendTo(attempt))
  const send = (kind: ProtocolKind, over: Partial<ChannelAttempt> = {}) =>
    sendAttempt(kind, attemptOf(over))
  return {
    attemptOf,
    sendAttempt,
    send,
    failure: (kind: ProtocolKind, over: Partial<ChannelAttempt> = {}) =>
      Effect.flip(send(kind, over))
  }
}
