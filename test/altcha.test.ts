/**
 * ALTCHA (contract §4, §9) through the BUILT bundle: GET /altcha serves a challenge signed
 * with the form's secret (from moto); a payload solved as the widget solves it delivers one
 * mail at a real STARTTLS + AUTH relay; the same payload in another message is "already
 * received", the same submission again a duplicate; an expired payload, one signed with
 * another key and one not solved are refused; a short or missing secret is our
 * configuration (500, never fail open); with the store configured and down, ALTCHA is
 * refused with the fallback while duplicates still fail open.
 */
import type { Challenge } from "altcha-lib/types"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { altchaKey, challengeSignedWith, solvedPayload, tamperedPayload } from "./support/altcha"
import { type BundleProcess, startBundle } from "./support/bundle"
import { type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import { baseEnv } from "./support/doubles"
import { httpApiEvent } from "./support/events"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { closedPort } from "./support/server"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"

const suite = await secretsPeerOrSkip()

const smtpUser = "ses-smtp-user"
const smtpPassword = "pw-altcha"
const json = { "Content-Type": "application/json", Accept: "application/json" }
const visitor = {
  email: "nadia.fernsby@example.org",
  subject: "Opening hours",
  body: "Are you open on the second Sunday of December?"
}
const form = (extra: Record<string, string>) => ({
  to: "owner@example.com",
  successUrl: "https://www.example.com/thanks",
  fallbackEmail: "owner@example.com",
  ...extra
})
const bodyOf = (result: { readonly body?: string }) => JSON.parse(result.body ?? "null")
const nowSeconds = () => Math.floor(Date.now() / 1_000)

describe.skipIf(suite.skip)("ALTCHA through the built bundle", () => {
  let smtp: SmtpPeer
  let friendly: CaptchaPeer
  let bundle: BundleProcess
  const key = altchaKey()
  let env: Record<string, string>

  const post = (fields: Record<string, string>, path = "/contact") =>
    bundle.invoke(httpApiEvent({ path, body: JSON.stringify(fields), headers: json }))
  const challenge = async (path = "/altcha"): Promise<Challenge> => {
    const answer = await bundle.invoke(httpApiEvent({ method: "GET", path }))
    expect(answer.statusCode).toBe(200)
    return bodyOf(answer)
  }

  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls", auth: { user: smtpUser, pass: smtpPassword } })
    friendly = await startCaptchaPeer({ singleUse: true })
    const peer = suite.peer()
    const [smtpSecret, altchaSecret, shortSecret, friendlySecret] = [
      uniqueSecretId("smtp"),
      uniqueSecretId("altcha"),
      uniqueSecretId("altcha-short"),
      uniqueSecretId("frc")
    ]
    await peer.createSecret(smtpSecret, { SMTP_USERNAME: smtpUser, SMTP_PASSWORD: smtpPassword })
    await peer.createSecret(altchaSecret, { ALTCHA_HMAC_SECRET: key })
    await peer.createSecret(shortSecret, { ALTCHA_HMAC_SECRET: "only-twenty-bytes..." })
    await peer.createSecret(friendlySecret, {
      FRIENDLYCAPTCHA_SITEKEY: friendly.credentials.sitekey,
      FRIENDLYCAPTCHA_API_KEY: friendly.credentials.apiKey
    })
    env = {
      ...baseEnv,
      ...peer.env,
      SMTP_URL: smtp.url,
      SMTP_TLS_CA_FILE: smtp.caFile,
      SMTP_SECRET_ID: smtpSecret,
      MAIL_TIMEOUT_MS: "8000",
      CAPTCHA_PROVIDER: "altcha",
      CAPTCHA_SECRET_ID: altchaSecret,
      ALTCHA_COST: "50",
      CAPTCHA_VERIFY_URL_FRIENDLYCAPTCHA_V2: friendly.v2Url,
      FORMS: JSON.stringify({
        short: form({ captchaSecretId: shortSecret }),
        lost: form({ captchaSecretId: uniqueSecretId("never-created") }),
        frc: form({ captchaProvider: "friendlycaptcha-v2", captchaSecretId: friendlySecret })
      })
    }
    bundle = await startBundle(env)
  })
  afterAll(async () => {
    expect(await bundle?.close()).toBe(0)
    await Promise.all([smtp?.close(), friendly?.close()])
    await suite.close()
  })
  beforeEach(() => smtp.reset())

  it("GET /altcha: a fresh signed challenge of ALTCHA_COST, expiring in ALTCHA_EXPIRES_SECONDS, never cached", async () => {
    const answer = await bundle.invoke(httpApiEvent({ method: "GET", path: "/altcha" }))
    expect(answer.statusCode).toBe(200)
    expect(answer.headers).toMatchObject({
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      "access-control-allow-origin": "*"
    })
    const served = bodyOf(answer)
    expect(served.parameters).toMatchObject({
      algorithm: "PBKDF2/SHA-256",
      cost: 50,
      keyPrefix: "00",
      expiresAt: expect.any(Number)
    })
    expect(Math.abs(served.parameters.expiresAt - (nowSeconds() + 600))).toBeLessThanOrEqual(5)
    expect(served.signature).toMatch(/^[0-9a-f]{64}$/)
    // A fresh one each time: another nonce and salt.
    const again = await challenge()
    expect(again.parameters.nonce).not.toBe(served.parameters.nonce)
  })

  it("a solved payload: 200, one mail marked verified; the payload is never mailed", async () => {
    const payload = await solvedPayload(await challenge())
    const result = await post({ ...visitor, altcha: payload })
    expect([result.statusCode, bodyOf(result)]).toEqual([200, { ok: true }])
    const [mail] = await smtp.waitForMails(1)
    expect(mail?.text).toContain("Captcha: verified")
    expect(mail?.text).not.toContain(payload.slice(0, 40))
  })

  it("the same payload in another message is already received (409, nothing sent); the same submission again is a duplicate (200, nothing sent)", async () => {
    const payload = await solvedPayload(await challenge())
    const first = await post({ ...visitor, altcha: payload })
    expect(first.statusCode).toBe(200)
    await smtp.waitForMails(1)
    const replay = await post({
      ...visitor,
      body: "Another message, the same payload.",
      altcha: payload
    })
    expect([replay.statusCode, bodyOf(replay).error]).toEqual([409, "already_received"])
    const repeat = await post({ ...visitor, altcha: payload })
    expect([repeat.statusCode, bodyOf(repeat)]).toEqual([200, { ok: true }])
    expect(bundle.logs.at(-1)).toMatchObject({ outcome: "duplicate", first: "sent" })
    expect(smtp.mails).toHaveLength(1)
  })

  it.each([
    [
      "expired",
      async (): Promise<string> => solvedPayload(await challengeSignedWith(key, nowSeconds() - 1)),
      "captcha_altcha_expired"
    ],
    [
      "signed with another key",
      async (): Promise<string> =>
        solvedPayload(await challengeSignedWith(altchaKey(), nowSeconds() + 600)),
      "captcha_altcha_invalid_signature"
    ],
    [
      "not solved (another derived key)",
      async (): Promise<string> => tamperedPayload(await solvedPayload(await challenge())),
      "captcha_altcha_invalid_solution"
    ],
    [
      "not a payload at all",
      async (): Promise<string> => "bm90IGEgcGF5bG9hZA",
      "captcha_altcha_malformed"
    ]
  ] as const)(
    "a payload %s is refused: 400 captcha_failed, nothing sent",
    async (_, make, reason) => {
      const result = await post({ ...visitor, altcha: await make() })
      expect([result.statusCode, bodyOf(result)]).toEqual([
        400,
        { ok: false, error: "captcha_failed" }
      ])
      expect(bundle.logs.at(-1)).toMatchObject({ outcome: "captcha_failed", reason })
      expect(smtp.mails).toHaveLength(0)
    }
  )

  it("a secret shorter than 32 bytes, or missing, is our configuration: 500 with the fallback, an error, nothing sent", async () => {
    const payload = await solvedPayload(await challenge())
    const short = await post({ ...visitor, altcha: payload }, "/f/short")
    expect([short.statusCode, bodyOf(short).error]).toEqual([500, "delivery_failed"])
    expect(bodyOf(short).fallback).toMatchObject({ email: "owner@example.com" })
    expect(bundle.logs.at(-1)).toMatchObject({
      level: "error",
      reason: "captcha_config_altcha_secret_short_key"
    })
    const lost = await post({ ...visitor, altcha: payload }, "/f/lost")
    expect(lost.statusCode).toBe(500)
    expect(bundle.logs.at(-1)).toMatchObject({
      level: "error",
      reason: "captcha_config_altcha_secret_missing"
    })
    // Its challenge is refused the same way.
    const challengeOfShort = await bundle.invoke(
      httpApiEvent({ method: "GET", path: "/f/short/altcha" })
    )
    expect(challengeOfShort.statusCode).toBe(500)
    expect(bundle.logs.at(-1)).toMatchObject({ level: "error", reason: "altcha_secret_short_key" })
    expect(smtp.mails).toHaveLength(0)
  })

  it("a form without ALTCHA has no challenge (404); the challenge is GET and OPTIONS only", async () => {
    expect(
      (await bundle.invoke(httpApiEvent({ method: "GET", path: "/f/frc/altcha" }))).statusCode
    ).toBe(404)
    const posted = await bundle.invoke(
      httpApiEvent({ method: "POST", path: "/altcha", headers: json, body: "{}" })
    )
    expect([posted.statusCode, posted.headers?.allow]).toEqual([405, "GET, OPTIONS"])
    const preflight = await bundle.invoke(
      httpApiEvent({
        method: "OPTIONS",
        path: "/altcha",
        headers: { Origin: "https://www.example.com", "Access-Control-Request-Method": "GET" }
      })
    )
    expect(preflight.statusCode).toBe(204)
    expect(preflight.headers?.["access-control-allow-methods"]).toBe("GET, OPTIONS")
  })

  it("the store configured and down: ALTCHA refused with the fallback (a replay cannot be told), duplicates fail open", async () => {
    const down = await startBundle({
      ...env,
      STORE_TABLE: "contact-form-store",
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${await closedPort()}`,
      STORE_TIMEOUT_MS: "1000"
    })
    try {
      const served = await down.invoke(httpApiEvent({ method: "GET", path: "/altcha" }))
      const payload = await solvedPayload(bodyOf(served))
      const altcha = await down.invoke(
        httpApiEvent({ body: JSON.stringify({ ...visitor, altcha: payload }), headers: json })
      )
      expect([altcha.statusCode, bodyOf(altcha).error]).toEqual([500, "delivery_failed"])
      expect(down.logs.at(-1)).toMatchObject({ level: "error", reason: "altcha_store_unavailable" })
      expect(smtp.mails).toHaveLength(0)
      const token = friendly.newToken()
      const frc = await down.invoke(
        httpApiEvent({
          path: "/f/frc",
          body: JSON.stringify({ ...visitor, "frc-captcha-response": token }),
          headers: json
        })
      )
      expect(frc.statusCode).toBe(200)
      await smtp.waitForMails(1)
      expect(down.logs).toContainEqual(
        expect.objectContaining({ level: "warn", msg: "store unavailable", step: "claim" })
      )
    } finally {
      expect(await down.close()).toBe(0)
    }
  })
})
