/**
 * The delivery begun beside the captcha (issue 16, README Performance): the built bundle
 * against a STARTTLS + AUTH relay that counts the connections which sent no MAIL FROM, a
 * captcha peer whose verdict is held on cue, and moto. While the verdict is pending the
 * session is open and authenticated, and nothing has been sent; a refused captcha sends
 * nothing and closes that session; an early failure never pre-empts the verdict.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest"
import { type BundleProcess, startBundle, submitTo } from "./support/bundle"
import { type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import { jsonPost } from "./support/events"
import { expectLoggedOnce } from "./support/reliability"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { expectNothingSent, type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"
import { worldEnv } from "./support/world"

const suite = await secretsPeerOrSkip()

const user = "overlap-user"
const password = "overlap-pw-5e6f7a8b"
const visitor = { name: "Zoë", email: "zoe@example.org", subject: "Zebras", body: "Hello." }

describe.skipIf(suite.skip)("the delivery begun beside the captcha, the built bundle", () => {
  let smtp: SmtpPeer
  let captcha: CaptchaPeer
  let bundle: BundleProcess
  let queueUrl: string
  const smtpSecret = uniqueSecretId("smtp")
  const captchaSecret = uniqueSecretId("captcha")

  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls", auth: { user, pass: password } })
    captcha = await startCaptchaPeer()
    await suite.peer().createSecret(smtpSecret, { SMTP_USERNAME: user, SMTP_PASSWORD: password })
    await suite.peer().createSecret(captchaSecret, {
      FRIENDLYCAPTCHA_SITEKEY: captcha.credentials.sitekey,
      FRIENDLYCAPTCHA_API_KEY: captcha.credentials.apiKey
    })
    queueUrl = await suite.peer().createQueue(uniqueSecretId("overlap"))
    bundle = await startBundle(
      worldEnv(
        suite.peer(),
        { smtp, captcha, smtpSecret, captchaSecret },
        {
          RATE_LIMIT_PER_MINUTE: "0",
          QUEUE_URL: queueUrl,
          SECRETS_TTL_SECONDS: "1",
          // Each SMTP step's idle timeout is a quarter of it, at least 1 s: shorter than a
          // verdict held 1.5 s below.
          MAIL_TIMEOUT_MS: "4000"
        }
      )
    )
  })
  afterAll(async () => {
    await bundle?.close()
    await Promise.all([smtp?.close(), captcha?.close()])
    await suite.close()
  })
  beforeEach(() => {
    smtp.reset()
    captcha.reset()
    suite.peer().setFault(undefined)
  })

  const post = () =>
    submitTo(bundle, jsonPost({ ...visitor, "frc-captcha-response": captcha.newToken() }))

  it("while the verdict is pending, the session is open and authenticated and nothing is sent; then one connection carries the mail", async () => {
    const verdict = captcha.holdNextAnswer()
    const answer = post()
    await verdict.reached
    await vi.waitFor(() => expect(smtp.stats.authAttempts).toBe(1))
    expect(smtp.stats).toMatchObject({ connections: 1, mailCommands: 0 })
    expect(smtp.mails).toHaveLength(0)
    verdict.release()
    const done = await answer
    expect([done.statusCode, JSON.parse(done.body)]).toEqual([200, { ok: true }])
    expect(smtp.mails).toHaveLength(1)
    expect(smtp.stats).toMatchObject({ connections: 1, authAttempts: 1, mailCommands: 1 })
  })

  it("a captcha success:false sends nothing: the session opened beside it is closed unused, nothing queued", async () => {
    const verdict = captcha.holdNextAnswer()
    const answer = post()
    await verdict.reached
    await vi.waitFor(() => expect(smtp.stats.authAttempts).toBe(1))
    captcha.setBehaviour("wrongSolution")
    verdict.release()
    const done = await answer
    expect([done.statusCode, JSON.parse(done.body)]).toEqual([
      400,
      { ok: false, error: "captcha_failed" }
    ])
    await expectNothingSent(smtp)
    expect(smtp.stats.closedWithoutMail).toBe(1)
    expect(await suite.peer().queuedMessages(queueUrl)).toEqual([])
  })

  /** Posts, holds the verdict until `failed` says the early work has failed, then refuses. */
  const postRefusedAfter = async (failed: () => void) => {
    const verdict = captcha.holdNextAnswer()
    const answer = post()
    await verdict.reached
    await vi.waitFor(failed, { timeout: 5_000 })
    captcha.setBehaviour("wrongSolution")
    verdict.release()
    const done = await answer
    expect(done.statusCode).toBe(400)
    expectLoggedOnce(done.lines, {
      outcome: "captcha_failed",
      reason: "captcha_response_invalid",
      level: "info"
    })
  }

  it("an early failure never pre-empts the verdict: the relay refusing AUTH before the captcha refuses → 400, not 500", async () => {
    smtp.setFaults({ auth: { code: 535, times: 10 } })
    await postRefusedAfter(() => expect(smtp.stats.authFailures).toBeGreaterThan(0))
    await expectNothingSent(smtp)
    expect(await suite.peer().queuedMessages(queueUrl)).toEqual([])
  })

  it("an early failure never pre-empts the verdict: the SMTP secret throttled through both attempts before the captcha refuses → 400", async () => {
    // The TTL of 1 s has run out: the secret is fetched again, beside the captcha.
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    const before = suite.peer().getSecretValueCalls(smtpSecret)
    suite.peer().setFault({ kind: "throttle", secretId: smtpSecret })
    await postRefusedAfter(() =>
      expect(suite.peer().getSecretValueCalls(smtpSecret)).toBe(before + 2)
    )
    expect(smtp.stats.connections).toBe(0)
  })

  it("an early failure counts once the flow needs it: the relay refusing AUTH (454) with the captcha passing → retried, delivered", async () => {
    smtp.setFaults({ auth: { code: 454, times: 1 } })
    const done = await post()
    expect([done.statusCode, JSON.parse(done.body)]).toEqual([200, { ok: true }])
    expect(smtp.stats).toMatchObject({ connections: 2, authAttempts: 2, mailCommands: 1 })
    expect(smtp.mails).toHaveLength(1)
  })

  it("a session that timed out while the verdict was held is not attempt 1: a fresh one is, and both retries stay for the relay (451 twice → delivered)", async () => {
    smtp.setFaults({ mailFrom: { code: 451, times: 2 } })
    const verdict = captcha.holdNextAnswer()
    const answer = post()
    await verdict.reached
    await vi.waitFor(() => expect(smtp.stats.authAttempts).toBe(1))
    // Past the session's 1 s idle timeout: it closes unused.
    await vi.waitFor(() => expect(smtp.stats.closedWithoutMail).toBe(1), { timeout: 3_000 })
    verdict.release()
    const done = await answer
    expect([done.statusCode, JSON.parse(done.body)]).toEqual([200, { ok: true }])
    expect(smtp.stats).toMatchObject({ connections: 4, mailCommands: 3 })
    expect(smtp.mails).toHaveLength(1)
  })
})
