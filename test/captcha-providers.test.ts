/**
 * Cloudflare Turnstile and hCaptcha (contract §4) through the BUILT bundle, against their
 * siteverify peers (test/support/siteverify-peer.ts), a STARTTLS + AUTH relay and the
 * secrets in moto: each outcome row once per provider, proven by what the relay and the
 * peer received. Then two forms of one deployment, each with its own provider and secret.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { verifyUrlVariable } from "../src/domain/captcha-providers"
import { type BundleProcess, startBundle } from "./support/bundle"
import { type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import { baseEnv } from "./support/doubles"
import { httpApiEvent } from "./support/events"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import {
  type SiteverifyKind,
  type SiteverifyPeer,
  startSiteverifyPeer
} from "./support/siteverify-peer"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"

const suite = await secretsPeerOrSkip()

const smtpUser = "ses-smtp-user"
const smtpPassword = "pw-providers"
const json = { "Content-Type": "application/json", Accept: "application/json" }
const visitor = {
  email: "ines.okafor@example.org",
  subject: "Quote for 40 chairs",
  body: "Could you send a quote for forty oak chairs?"
}

const field: Record<SiteverifyKind, string> = {
  turnstile: "cf-turnstile-response",
  hcaptcha: "h-captcha-response"
}
const secretKeys: Record<SiteverifyKind, { sitekey: string; key: string }> = {
  turnstile: { sitekey: "TURNSTILE_SITEKEY", key: "TURNSTILE_SECRET" },
  hcaptcha: { sitekey: "HCAPTCHA_SITEKEY", key: "HCAPTCHA_SECRET" }
}
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const post = (
  bundle: BundleProcess,
  fields: Record<string, string>,
  path = "/contact"
): ReturnType<BundleProcess["invoke"]> =>
  bundle.invoke(httpApiEvent({ path, body: JSON.stringify(fields), headers: json }))

const bodyOf = (result: { readonly body?: string }) => JSON.parse(result.body ?? "null")

describe.skipIf(suite.skip)("captcha providers through the built bundle", () => {
  let smtp: SmtpPeer
  let smtpSecret: string
  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls", auth: { user: smtpUser, pass: smtpPassword } })
    smtpSecret = uniqueSecretId("smtp")
    await suite
      .peer()
      .createSecret(smtpSecret, { SMTP_USERNAME: smtpUser, SMTP_PASSWORD: smtpPassword })
  })
  afterAll(async () => {
    await smtp?.close()
    await suite.close()
  })

  const relayEnv = () => ({
    ...baseEnv,
    ...suite.peer().env,
    SMTP_URL: smtp.url,
    SMTP_TLS_CA_FILE: smtp.caFile,
    SMTP_SECRET_ID: smtpSecret,
    CAPTCHA_TIMEOUT_MS: "1500",
    MAIL_TIMEOUT_MS: "8000"
  })

  describe.each(["turnstile", "hcaptcha"] as const)("%s", (kind) => {
    let peer: SiteverifyPeer
    let bundle: BundleProcess
    beforeAll(async () => {
      peer = await startSiteverifyPeer({ kind })
      const captchaSecret = uniqueSecretId(kind)
      await suite.peer().createSecret(captchaSecret, {
        [secretKeys[kind].sitekey]: peer.credentials.sitekey,
        [secretKeys[kind].key]: peer.credentials.secret
      })
      bundle = await startBundle({
        ...relayEnv(),
        CAPTCHA_PROVIDER: kind,
        CAPTCHA_SECRET_ID: captchaSecret,
        [verifyUrlVariable(kind)]: peer.verifyUrl
      })
    })
    afterAll(async () => {
      expect(await bundle?.close()).toBe(0)
      await peer?.close()
    })
    beforeEach(() => {
      peer.reset()
      smtp.reset()
    })

    it("verified: the mail goes out marked verified; the peer got our secret, the token and nothing of ours to trace", async () => {
      const token = peer.newToken()
      const result = await post(bundle, { ...visitor, [field[kind]]: token })
      expect([result.statusCode, bodyOf(result)]).toEqual([200, { ok: true }])
      const [mail] = await smtp.waitForMails(1)
      expect(mail?.text).toContain("Captcha: verified")
      expect(mail?.text).not.toContain(token)
      expect(peer.requests).toHaveLength(1)
      const [request] = peer.requests
      expect(request?.headers).not.toHaveProperty("traceparent")
      expect(request?.headers).not.toHaveProperty("b3")
      if (kind === "turnstile") {
        expect(request?.contentType).toBe("application/json")
        expect(request?.body).toEqual({
          secret: peer.credentials.secret,
          response: token,
          idempotency_key: expect.stringMatching(uuid)
        })
      } else {
        // hCaptcha's documented form encoding, with the sitekey (a token of another site is refused).
        expect(request?.contentType).toBe("application/x-www-form-urlencoded")
        expect(request?.body).toEqual({
          secret: peer.credentials.secret,
          response: token,
          sitekey: peer.credentials.sitekey
        })
      }
    })

    it("refused: a token the provider refuses is 400 captcha_failed, nothing sent", async () => {
      // Turnstile names an unknown token; hCaptcha one it cannot read (an unknown one it
      // answers as already seen, below).
      if (kind === "hcaptcha") {
        peer.queue({ kind: "codes", status: 200, codes: ["invalid-input-response"] })
      }
      const result = await post(bundle, { ...visitor, [field[kind]]: "not-a-solved-puzzle" })
      expect([result.statusCode, bodyOf(result)]).toEqual([
        400,
        { ok: false, error: "captcha_failed" }
      ])
      expect(smtp.mails).toHaveLength(0)
      expect(peer.requests).toHaveLength(1)
    })

    if (kind === "hcaptcha") {
      it("hCaptcha's one code for a used and an unknown token is already received: 409, nothing sent", async () => {
        const result = await post(bundle, { ...visitor, [field[kind]]: "never-issued" })
        expect([result.statusCode, bodyOf(result).error]).toEqual([409, "already_received"])
        expect(smtp.mails).toHaveLength(0)
      })
    }

    it("already received: a token used by another message is 409, with the fallback and nothing sent", async () => {
      const token = peer.newToken()
      expect((await post(bundle, { ...visitor, [field[kind]]: token })).statusCode).toBe(200)
      await smtp.waitForMails(1)
      const again = await post(bundle, {
        ...visitor,
        body: "A second message, with the same token.",
        [field[kind]]: token
      })
      expect(again.statusCode).toBe(409)
      expect(bodyOf(again)).toMatchObject({ ok: false, error: "already_received" })
      expect(bodyOf(again).fallback).toMatchObject({ email: "owner@example.com" })
      expect(smtp.mails).toHaveLength(1)
      expect(peer.requests).toHaveLength(2)
    })

    it("our configuration wrong: 500 delivery_failed, an error logged, nothing sent", async () => {
      const code = kind === "turnstile" ? "invalid-input-secret" : "sitekey-secret-mismatch"
      peer.queue({ kind: "codes", status: 200, codes: [code] })
      const logs = bundle.logs.length
      const result = await post(bundle, { ...visitor, [field[kind]]: peer.newToken() })
      expect(result.statusCode).toBe(500)
      expect(bodyOf(result)).toMatchObject({ ok: false, error: "delivery_failed" })
      expect(smtp.mails).toHaveLength(0)
      expect(bundle.logs.slice(logs)).toContainEqual(
        expect.objectContaining({ level: "error", reason: `captcha_config_http_200_${code}` })
      )
    })

    it.each([
      ["a 500", "serverError", "http_500"],
      ["a 429", "rateLimited", "http_429"],
      ["an answer that is not JSON", "nonJson", "invalid_response"],
      ["no answer within CAPTCHA_TIMEOUT_MS", "hang", "timeout"]
    ] as const)(
      "unavailable (%s): the mail goes out, marked NOT verified",
      async (_, behaviour, reason) => {
        peer.queue(behaviour)
        const result = await post(bundle, { ...visitor, [field[kind]]: peer.newToken() })
        expect([result.statusCode, bodyOf(result)]).toEqual([200, { ok: true }])
        const [mail] = await smtp.waitForMails(1)
        expect(mail?.text).toContain(`Captcha: NOT verified (${reason})`)
      }
    )
  })

  it("Turnstile's internal-error is an outage: sent, marked; each verification has its own idempotency key", async () => {
    const peer = await startSiteverifyPeer({ kind: "turnstile" })
    const captchaSecret = uniqueSecretId("turnstile")
    await suite.peer().createSecret(captchaSecret, {
      TURNSTILE_SITEKEY: peer.credentials.sitekey,
      TURNSTILE_SECRET: peer.credentials.secret
    })
    const bundle = await startBundle({
      ...relayEnv(),
      CAPTCHA_PROVIDER: "turnstile",
      CAPTCHA_SECRET_ID: captchaSecret,
      CAPTCHA_VERIFY_URL: peer.verifyUrl
    })
    try {
      smtp.reset()
      peer.queue({ kind: "codes", status: 200, codes: ["internal-error"] })
      const first = await post(bundle, { ...visitor, "cf-turnstile-response": peer.newToken() })
      expect(first.statusCode).toBe(200)
      const second = await post(bundle, {
        ...visitor,
        body: "Another message.",
        "cf-turnstile-response": peer.newToken()
      })
      expect(second.statusCode).toBe(200)
      const mails = await smtp.waitForMails(2)
      expect(mails.map((m) => m.text?.match(/Captcha: .*/)?.[0])).toEqual([
        "Captcha: NOT verified (provider_error)",
        "Captcha: verified"
      ])
      const keys = peer.requests.map((r) => r.body?.idempotency_key)
      expect(keys).toEqual([expect.stringMatching(uuid), expect.stringMatching(uuid)])
      expect(new Set(keys).size).toBe(2)
    } finally {
      expect(await bundle.close()).toBe(0)
      await peer.close()
    }
  })

  describe("two forms of one deployment, each with its own provider and secret", () => {
    let turnstilePeer: SiteverifyPeer
    let friendly: CaptchaPeer
    let bundle: BundleProcess
    beforeAll(async () => {
      turnstilePeer = await startSiteverifyPeer({ kind: "turnstile" })
      friendly = await startCaptchaPeer({ singleUse: true })
      const [turnstileSecret, friendlySecret] = [uniqueSecretId("ts"), uniqueSecretId("frc")]
      await suite.peer().createSecret(turnstileSecret, {
        TURNSTILE_SITEKEY: turnstilePeer.credentials.sitekey,
        TURNSTILE_SECRET: turnstilePeer.credentials.secret
      })
      await suite.peer().createSecret(friendlySecret, {
        FRIENDLYCAPTCHA_SITEKEY: friendly.credentials.sitekey,
        FRIENDLYCAPTCHA_API_KEY: friendly.credentials.apiKey
      })
      const form = (to: string) => ({
        to,
        successUrl: "https://www.example.com/thanks",
        fallbackEmail: "owner@example.com"
      })
      bundle = await startBundle({
        ...relayEnv(),
        FORMS: JSON.stringify({
          shop: {
            ...form("shop@example.com"),
            captchaProvider: "turnstile",
            captchaSecretId: turnstileSecret
          },
          blog: {
            ...form("blog@example.com"),
            captchaProvider: "friendlycaptcha-v2",
            captchaSecretId: friendlySecret
          }
        }),
        // The deployment's own provider is FriendlyCaptcha; one form names Turnstile.
        CAPTCHA_VERIFY_URL: friendly.v2Url,
        CAPTCHA_VERIFY_URL_TURNSTILE: turnstilePeer.verifyUrl
      })
    })
    afterAll(async () => {
      expect(await bundle?.close()).toBe(0)
      await Promise.all([turnstilePeer?.close(), friendly?.close()])
    })

    it("each form's token goes to its own provider with its own secret, and its mail to its own owner", async () => {
      smtp.reset()
      const shop = await post(
        bundle,
        { ...visitor, "cf-turnstile-response": turnstilePeer.newToken() },
        "/f/shop"
      )
      const blog = await post(
        bundle,
        { ...visitor, "frc-captcha-response": friendly.newToken() },
        "/f/blog"
      )
      expect([shop.statusCode, blog.statusCode]).toEqual([200, 200])
      const mails = await smtp.waitForMails(2)
      expect(mails.map((m) => m.envelope.rcptTo).sort()).toEqual([
        ["blog@example.com"],
        ["shop@example.com"]
      ])
      expect(mails.every((m) => m.text?.includes("Captcha: verified"))).toBe(true)
      expect(turnstilePeer.requests).toHaveLength(1)
      expect(friendly.requests).toHaveLength(1)
    })

    it("a form's token is only its provider's field: another provider's token there is missing (400), never mailed", async () => {
      smtp.reset()
      const result = await post(
        bundle,
        { ...visitor, "frc-captcha-response": friendly.newToken() },
        "/f/shop"
      )
      expect([result.statusCode, bodyOf(result)]).toEqual([
        400,
        { ok: false, error: "captcha_failed" }
      ])
      expect(turnstilePeer.requests).toHaveLength(1)
      expect(smtp.mails).toHaveLength(0)
    })
  })
})
