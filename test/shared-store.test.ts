/**
 * Two processes sharing a DynamoDB table (contract §9): the BUILT bundle twice over, each
 * a Lambda environment of its own, against moto (which keeps items past their TTL: the
 * store checks `expiresAt` itself), a STARTTLS + AUTH relay, FriendlyCaptcha with
 * single-use tokens, and ALTCHA. What each proves is counted at the relay and the captcha
 * peer: one ALTCHA payload, one mail; a double submit, one mail and both answers the first
 * one's; a repeat after a 500 that kept nothing, delivered on the other process with the
 * first one's verdict; a claim left by a killed process taken over once it expired, its
 * mail marked; a repeat that waits longer than STORE_WAIT_MS hears "probably arrived".
 */
import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest"
import { altchaKey, solvedPayload } from "./support/altcha"
import { type BundleProcess, startBundle } from "./support/bundle"
import { type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import { baseEnv } from "./support/doubles"
import { httpApiEvent } from "./support/events"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"

const suite = await secretsPeerOrSkip()

const smtpUser = "ses-smtp-user"
const smtpPassword = "pw-shared"
const json = { "Content-Type": "application/json", Accept: "application/json" }
const bodyOf = (result: { readonly body?: string }) => JSON.parse(result.body ?? "null")

describe.skipIf(suite.skip)("two processes, one store", () => {
  let smtp: SmtpPeer
  let friendly: CaptchaPeer
  let env: Record<string, string>
  let table: string
  let a: BundleProcess
  let b: BundleProcess
  const visitor = () => ({
    email: "ola.brightwater@example.org",
    subject: "Group booking",
    body: `Table for twelve, please (${randomUUID().slice(0, 8)}).`
  })
  const submit = (bundle: BundleProcess, fields: Record<string, string>, path = "/contact") =>
    bundle.invoke(httpApiEvent({ path, body: JSON.stringify(fields), headers: json }))

  beforeAll(async () => {
    const peer = suite.peer()
    smtp = await startSmtpPeer({ tls: "starttls", auth: { user: smtpUser, pass: smtpPassword } })
    friendly = await startCaptchaPeer({ singleUse: true })
    table = `store-${randomUUID().slice(0, 8)}`
    await peer.createTable(table)
    const [smtpSecret, friendlySecret, altchaSecret] = [
      uniqueSecretId("smtp"),
      uniqueSecretId("frc"),
      uniqueSecretId("altcha")
    ]
    await peer.createSecret(smtpSecret, { SMTP_USERNAME: smtpUser, SMTP_PASSWORD: smtpPassword })
    await peer.createSecret(friendlySecret, {
      FRIENDLYCAPTCHA_SITEKEY: friendly.credentials.sitekey,
      FRIENDLYCAPTCHA_API_KEY: friendly.credentials.apiKey
    })
    await peer.createSecret(altchaSecret, { ALTCHA_HMAC_SECRET: altchaKey() })
    env = {
      ...baseEnv,
      ...peer.env,
      STORE_TABLE: table,
      SMTP_URL: smtp.url,
      SMTP_TLS_CA_FILE: smtp.caFile,
      SMTP_SECRET_ID: smtpSecret,
      MAIL_TIMEOUT_MS: "8000",
      CAPTCHA_SECRET_ID: friendlySecret,
      CAPTCHA_VERIFY_URL: friendly.v2Url,
      ALTCHA_COST: "50",
      FORMS: JSON.stringify({
        alt: {
          to: "owner@example.com",
          successUrl: "https://www.example.com/thanks",
          fallbackEmail: "owner@example.com",
          captchaProvider: "altcha",
          captchaSecretId: altchaSecret
        }
      })
    }
    // The same submission key on both: one deployment, one SUBMISSION_ID_KEY.
    env.SUBMISSION_ID_KEY = "a-shared-key-of-the-deployment-32-bytes-long"
    ;[a, b] = await Promise.all([startBundle(env), startBundle(env)])
  })
  afterAll(async () => {
    expect(await a?.close()).toBe(0)
    expect(await b?.close()).toBe(0)
    await Promise.all([smtp?.close(), friendly?.close()])
    await suite.close()
  })
  beforeEach(() => {
    smtp.reset()
    friendly.reset()
  })

  it("one ALTCHA payload on two processes: one mail; the other message with it is 409", async () => {
    const challenge = bodyOf(await a.invoke(httpApiEvent({ method: "GET", path: "/f/alt/altcha" })))
    const payload = await solvedPayload(challenge)
    const first = await submit(a, { ...visitor(), altcha: payload }, "/f/alt")
    expect(first.statusCode).toBe(200)
    const replay = await submit(b, { ...visitor(), altcha: payload }, "/f/alt")
    expect([replay.statusCode, bodyOf(replay).error]).toEqual([409, "already_received"])
    await smtp.waitForMails(1)
    expect(smtp.mails).toHaveLength(1)
  })

  it("a double submit on two processes: one mail, the captcha asked once, both answers the first one's", async () => {
    const fields = { ...visitor(), "frc-captcha-response": friendly.newToken() }
    const hold = smtp.holdNextData()
    const first = submit(a, fields)
    await hold.reached
    const polls = suite.peer().calls("GetItem")
    const repeat = submit(b, fields)
    // The repeat is waiting on the first one's claim when the first one ends.
    await vi.waitFor(() => expect(suite.peer().calls("GetItem")).toBeGreaterThan(polls))
    hold.release()
    const [one, two] = await Promise.all([first, repeat])
    expect([one.statusCode, bodyOf(one)]).toEqual([200, { ok: true }])
    expect([two.statusCode, bodyOf(two)]).toEqual([200, { ok: true }])
    expect(b.logs.at(-1)).toMatchObject({ outcome: "duplicate", first: "sent" })
    expect(smtp.mails).toHaveLength(1)
    expect(friendly.requests).toHaveLength(1)
  })

  it("a repeat after a 500 that kept nothing, on the other process: delivered with the first one's verdict, not 409", async () => {
    const fields = { ...visitor(), "frc-captcha-response": friendly.newToken() }
    smtp.setFaults({ mailFrom: { code: 554, message: "Rejected for now" } })
    const failed = await submit(a, fields)
    expect([failed.statusCode, bodyOf(failed).error]).toEqual([500, "delivery_failed"])
    smtp.setFaults({})
    const repeat = await submit(b, fields)
    expect([repeat.statusCode, bodyOf(repeat)]).toEqual([200, { ok: true }])
    const [mail] = await smtp.waitForMails(1)
    expect(mail?.text).toContain("Captcha: verified")
    // The spent token was not sent to the captcha again.
    expect(friendly.requests).toHaveLength(1)
  })

  it("a repeat of a submission the captcha refused, on the other process: the same refusal, the captcha not asked again", async () => {
    const fields = { ...visitor(), "frc-captcha-response": friendly.newToken() }
    friendly.queue("wrongSolution")
    const refused = await submit(a, fields)
    expect([refused.statusCode, bodyOf(refused).error]).toEqual([400, "captcha_failed"])
    const repeat = await submit(b, fields)
    expect([repeat.statusCode, bodyOf(repeat).error]).toEqual([400, "captcha_failed"])
    expect(b.logs.at(-1)).toMatchObject({
      outcome: "captcha_failed",
      reason: "captcha_response_invalid"
    })
    expect(friendly.requests).toHaveLength(1)
    expect(smtp.mails).toHaveLength(0)
  })

  it("a repeat that can wait no longer than STORE_WAIT_MS while the first is on its way: 'probably arrived', nothing sent", async () => {
    const impatient = await startBundle({ ...env, STORE_WAIT_MS: "300" })
    try {
      const fields = { ...visitor(), "frc-captcha-response": friendly.newToken() }
      const hold = smtp.holdNextData()
      const first = submit(a, fields)
      await hold.reached
      const repeat = await submit(impatient, fields)
      expect([repeat.statusCode, bodyOf(repeat).error]).toEqual([500, "delivery_unknown"])
      expect(impatient.logs.at(-1)).toMatchObject({ outcome: "duplicate", first: "in_flight" })
      hold.release()
      expect((await first).statusCode).toBe(200)
      expect(smtp.mails).toHaveLength(1)
    } finally {
      expect(await impatient.close()).toBe(0)
    }
  })

  it("a claim left by a killed process expires; the next repeat takes over, its mail marked a possible duplicate", async () => {
    const doomed = await startBundle({ ...env, STORE_CLAIM_SECONDS: "1" })
    const fields = { ...visitor(), "frc-captcha-response": friendly.newToken() }
    const hold = smtp.holdNextData()
    void doomed.invoke(httpApiEvent({ body: JSON.stringify(fields), headers: json }))
    await hold.reached
    await doomed.kill()
    hold.release()
    const claimed = async () =>
      (await suite.peer().tableItems(table)).filter((item) => item.state === "claimed")
    const [left] = await claimed()
    expect(left).toMatchObject({ state: "claimed", claimedAt: expect.any(String) })
    // Past its expiry (DynamoDB's TTL would delete it in time; moto keeps it).
    await vi.waitFor(async () => expect(Number(left?.expiresAt) * 1_000).toBeLessThan(Date.now()), {
      timeout: 5_000
    })
    const before = smtp.mails.length
    const repeat = await submit(b, fields)
    expect([repeat.statusCode, bodyOf(repeat)]).toEqual([200, { ok: true }])
    const mails = await smtp.waitForMails(before + 1)
    const taken = mails.at(-1)
    expect(taken?.headers.get("x-contact-possible-duplicate")).toBe(left?.claimedAt)
    expect(taken?.text).toContain(`Possible duplicate: an attempt at ${left?.claimedAt}`)
  })
})
