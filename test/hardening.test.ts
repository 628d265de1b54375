/**
 * What a black-box probe found (issue 18), proven against the built bundle with real peers
 * and against the built server artifact: every valid message fits in every encoding a
 * browser sends, a body one byte over the derived limit is a 413 that states the limit,
 * events that are not HTTP requests (or have a field of the wrong type) are a 400 and
 * never a thrown error, and an absolute-form request target is routed by its path. (Junk
 * captcha tokens: the fault matrix; connection caps: server-limits; the Host check: server.)
 */
import { readFileSync } from "node:fs"
import { connect } from "node:net"
import { simpleParser } from "mailparser"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { bodyBytesForEveryForm } from "../src/domain/limits"
import {
  nodeRuntimes,
  type RunningArtifact,
  removeArtifact,
  runtimeMissing,
  startArtifact
} from "./support/artifact"
import { type BundleProcess, startBundle, submitTo } from "./support/bundle"
import { type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import { browser, httpApiEvent, restApiEvent, urlencoded } from "./support/events"
import { inCi, secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { tempDir } from "./support/server"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"
import { worldEnv } from "./support/world"

const suite = await secretsPeerOrSkip()

type Encoding = "urlencoded" | "multipart" | "json"
const encodings: ReadonlyArray<Encoding> = ["urlencoded", "multipart", "json"]
const boundary = "----formdata-probe-7MA4YWxkTrZu0gW"

/** A body and its content type, as a browser (or a script) sends the form. */
const encode = (encoding: Encoding, fields: Readonly<Record<string, string>>) => {
  switch (encoding) {
    case "urlencoded":
      return {
        type: "application/x-www-form-urlencoded",
        body: new URLSearchParams(fields).toString()
      }
    case "json":
      return { type: "application/json", body: JSON.stringify(fields) }
    case "multipart":
      return {
        type: `multipart/form-data; boundary=${boundary}`,
        body: `${Object.entries(fields)
          .map(
            ([k, v]) =>
              `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`
          )
          .join("")}--${boundary}--\r\n`
      }
  }
}

// The longest message the field rules accept, in the scripts that cost the most bytes.
const scripts = [
  ["10,000 CJK characters", "漢".repeat(10_000)],
  ["10,000 emoji", "😀".repeat(10_000)]
] as const
const cases = scripts.flatMap(([what, message]) =>
  encodings.map((encoding) => [`${what}, ${encoding}`, encoding, message] as const)
)

/** A body of exactly `bytes` bytes that would be a valid form were it not too large. */
const oneByteOver = () => {
  const start = "email=zoe%40example.org&message="
  return `${start}${"x".repeat(bodyBytesForEveryForm + 1 - start.length)}`
}

describe.skipIf(suite.skip)("hardening, the built bundle against real peers", () => {
  let smtp: SmtpPeer
  let captcha: CaptchaPeer
  let bundle: BundleProcess
  const smtpSecret = uniqueSecretId("smtp")
  const captchaSecret = uniqueSecretId("captcha")

  beforeAll(async () => {
    smtp = await startSmtpPeer({
      tls: "starttls",
      auth: { user: "probe-user", pass: "probe-pw-1" }
    })
    captcha = await startCaptchaPeer()
    await suite
      .peer()
      .createSecret(smtpSecret, { SMTP_USERNAME: "probe-user", SMTP_PASSWORD: "probe-pw-1" })
    await suite.peer().createSecret(captchaSecret, {
      FRIENDLYCAPTCHA_SITEKEY: captcha.credentials.sitekey,
      FRIENDLYCAPTCHA_API_KEY: captcha.credentials.apiKey
    })
    bundle = await startBundle(
      worldEnv(
        suite.peer(),
        { smtp, captcha, smtpSecret, captchaSecret },
        { RATE_LIMIT_PER_MINUTE: "0" }
      )
    )
  })
  afterAll(async () => {
    await bundle?.close()
    await Promise.all([smtp?.close(), captcha?.close()])
    await suite.close()
  })

  it.each(cases)("%s: delivered whole", async (_, encoding, message) => {
    const before = smtp.mails.length
    const { type, body } = encode(encoding, {
      email: "zoe@example.org",
      message,
      "frc-captcha-response": captcha.newToken()
    })
    // API Gateway hands a form body over in base64, JSON as text.
    const answer = await submitTo(
      bundle,
      httpApiEvent({
        body,
        base64: encoding !== "json",
        headers: { "Content-Type": type, Accept: "application/json" }
      })
    )
    expect([answer.statusCode, JSON.parse(answer.body)]).toEqual([200, { ok: true }])
    expect(smtp.mails).toHaveLength(before + 1)
    const text = smtp.mails.at(-1)?.text?.replace(/\r\n/g, "\n") ?? ""
    expect(text.startsWith(`${message}\n\n--\n`)).toBe(true)
  })

  it("one byte over the derived limit → 413, its JSON and its page stating the limit", async () => {
    const body = oneByteOver()
    expect(Buffer.byteLength(body)).toBe(bodyBytesForEveryForm + 1)
    const asJson = await submitTo(
      bundle,
      httpApiEvent({ body, base64: true, headers: { ...urlencoded, Accept: "application/json" } })
    )
    expect([asJson.statusCode, JSON.parse(asJson.body)]).toEqual([
      413,
      { ok: false, error: "payload_too_large", maxMessageCharacters: 10_000 }
    ])
    const page = await submitTo(
      bundle,
      httpApiEvent({ body, base64: true, headers: { ...urlencoded, ...browser } })
    )
    expect(page.statusCode).toBe(413)
    expect(page.body).toContain("10,000 characters")
    // One byte less is a form, and it is read: too long a message, not too large a body.
    const within = await submitTo(
      bundle,
      httpApiEvent({
        body: body.slice(0, -1),
        base64: true,
        headers: { ...urlencoded, Accept: "application/json" }
      })
    )
    expect(within.statusCode).toBe(400)
  })

  it.each([
    ["null", null],
    ["{}", {}],
    [
      "an EventBridge scheduled event",
      {
        version: "0",
        id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        source: "aws.events",
        account: "123456789012",
        time: "2026-12-01T12:00:00Z",
        region: "eu-west-1",
        resources: ["arn:aws:events:eu-west-1:123456789012:rule/ping"],
        detail: {}
      }
    ],
    ["a string", "ping"],
    // API events with a field of the wrong type: they once threw (`split is not a function`).
    [
      "an HTTP API event with a header value that is a number",
      { ...httpApiEvent({ body: "x", headers: urlencoded }), headers: { "content-type": 5 } }
    ],
    [
      "a REST event whose multiValueHeaders value is a string, not a list",
      { ...restApiEvent({ body: "x", headers: urlencoded }), multiValueHeaders: { Accept: "*/*" } }
    ],
    [
      "an HTTP API event whose body is a number",
      { ...httpApiEvent({ headers: urlencoded }), body: 5 }
    ]
  ])("%s → 400 unsupported_event, a warning, never thrown", async (_, event) => {
    const answer = await submitTo(bundle, event)
    expect(answer).not.toHaveProperty("thrown")
    expect([answer.statusCode, JSON.parse(answer.body)]).toEqual([
      400,
      { ok: false, error: "unsupported_event" }
    ])
    expect(answer.headers?.["Content-Type"] ?? answer.headers?.["content-type"]).toContain(
      "application/json"
    )
    expect(answer.lines.map((line) => [line.level, line.reason])).toEqual([
      ["warn", "unsupported_event"]
    ])
  })
})

const node24 = nodeRuntimes.find((runtime) => runtime.major === 24)
const missing = node24 === undefined ? "no Node 24 runtime listed" : runtimeMissing(node24)
if (missing !== undefined && inCi()) throw new Error(`hardening: ${missing}`)

describe.skipIf(missing !== undefined)(
  "hardening, the built server artifact (embedded mode)",
  () => {
    let server: RunningArtifact
    const outbox = tempDir("outbox-")

    beforeAll(async () => {
      if (node24 === undefined) return
      server = await startArtifact(node24, { OUTBOX_DIR: outbox })
    })
    afterAll(() => (server === undefined ? undefined : removeArtifact(server)))

    const post = (body: string, type: string, accept = "application/json") =>
      fetch(`${server.url}contact`, {
        method: "POST",
        body,
        headers: { "content-type": type, accept },
        redirect: "manual"
      })

    it.each(cases)("%s: delivered whole", async (what, encoding, message) => {
      // Its own subject each: the same form twice would be one submission (contract §9).
      const fields = { email: "zoe@example.org", subject: what, message }
      const { type, body } = encode(encoding, fields)
      const mailsBefore = server.server.stderr.filter((l) => l.startsWith("Mail saved: ")).length
      const answer = await post(body, type)
      expect([answer.status, await answer.json()]).toEqual([200, { ok: true }])
      // Human lines go to stderr: this mail's is the one after those already there.
      const saved = await vi.waitFor(() => {
        const lines = server.server.stderr.filter((line) => line.startsWith("Mail saved: "))
        const line = lines[mailsBefore]
        if (line === undefined) throw new Error("no new mail saved yet")
        return line
      })
      const eml = readFileSync(saved.replace(/^Mail saved: /, ""), "utf8")
      const text = (await simpleParser(eml)).text?.replace(/\r\n/g, "\n") ?? ""
      expect(text.startsWith(`${message}\n\n--\n`)).toBe(true)
    })

    it("one byte over the derived limit → 413, its JSON and its page stating the limit", async () => {
      const body = oneByteOver()
      const asJson = await post(body, "application/x-www-form-urlencoded")
      expect([asJson.status, await asJson.json()]).toEqual([
        413,
        { ok: false, error: "payload_too_large", maxMessageCharacters: 10_000 }
      ])
      const page = await post(body, "application/x-www-form-urlencoded", browser.Accept)
      expect(page.status).toBe(413)
      expect(await page.text()).toContain("10,000 characters")
    })

    it("an absolute-form POST (POST http://host/contact) → 303, routed by its path", async () => {
      const body = "email=zoe%40example.org&message=Absolute"
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = connect(server.port, "127.0.0.1")
        let received = ""
        socket.on("data", (chunk) => {
          received += chunk.toString("latin1")
          if (received.includes("\r\n\r\n")) socket.end()
        })
        socket.on("end", () => resolve(received))
        socket.on("error", reject)
        socket.write(
          `POST http://127.0.0.1:${server.port}/contact HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
            `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n` +
            `Connection: close\r\n\r\n${body}`
        )
      })
      expect(reply).toMatch(/^HTTP\/1\.1 303 /)
      expect(reply).toMatch(/\r\nlocation: \/sent\r\n/i)
    })
  }
)
