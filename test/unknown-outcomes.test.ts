/**
 * At least once, never silently twice (contract §7a), against real peers: the BUILT
 * bundle in fresh processes, an SMTP relay with STARTTLS and AUTH that takes a message and
 * then drops the connection before its 250, moto's SQS and Secrets Manager through the
 * real AWS SDK, and a single-use FriendlyCaptcha peer. Copies are counted at the relay.
 *
 * - row 2: the relay has the message and the connection drops: one copy, then (with a
 *   queue) a marked one after UNKNOWN_RETRY_MINUTES, never an unmarked second;
 * - row 7: no queue, the relay refuses, the visitor sends again: delivered, not 409;
 * - row 13: the captcha API down and one form on two processes: one submission id.
 */
import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type BundleProcess, startBundle, submitTo } from "./support/bundle"
import { type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import { formPost } from "./support/events"
import { expectNoLeak } from "./support/reliability"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"
import { worldEnv } from "./support/world"

const suite = await secretsPeerOrSkip()

const MAIL_TIMEOUT_MS = 2_000
const smtpUser = "ses-smtp-user"
const smtpPassword = "smtp-pw-52c1e9aa"
/** One key for every process of the "deployment" (the stack sets it from its own id). */
const idKey = "k".repeat(20) + randomUUID()
const visitor = {
  name: "Zoë Quillfeather",
  email: "zoe.quillfeather@example.org",
  subject: "Zebra umbrella order",
  body: "Hello,\n\nplease call me back about the zebra umbrellas."
}
const forbidden = [smtpPassword, visitor.name, visitor.email, visitor.subject, "zebra umbrellas"]
const uuidV8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe.skipIf(suite.skip)("unknown outcomes, against real peers", () => {
  let smtp: SmtpPeer
  let captcha: CaptchaPeer
  const smtpSecret = uniqueSecretId("smtp")
  const captchaSecret = uniqueSecretId("captcha")
  const bundles: Array<BundleProcess> = []

  const bundle = async (overrides: Record<string, string> = {}) => {
    const started = await startBundle(
      worldEnv(
        suite.peer(),
        { smtp, captcha, smtpSecret, captchaSecret },
        {
          MAIL_TIMEOUT_MS: String(MAIL_TIMEOUT_MS),
          SECRETS_TIMEOUT_MS: "2000",
          SUBMISSION_ID_KEY: idKey,
          ...overrides
        }
      )
    )
    bundles.push(started)
    return started
  }
  const form = (token: string, body = visitor.body) =>
    formPost({ ...visitor, body, "frc-captcha-response": token })
  const idOf = (mail: SmtpPeer["mails"][number] | undefined) =>
    mail?.headers.get("x-contact-submission-id")

  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls", auth: { user: smtpUser, pass: smtpPassword } })
    captcha = await startCaptchaPeer({ singleUse: true })
    await suite
      .peer()
      .createSecret(smtpSecret, { SMTP_USERNAME: smtpUser, SMTP_PASSWORD: smtpPassword })
    await suite.peer().createSecret(captchaSecret, {
      FRIENDLYCAPTCHA_SITEKEY: captcha.credentials.sitekey,
      FRIENDLYCAPTCHA_API_KEY: captcha.credentials.apiKey
    })
  })
  beforeEach(() => {
    smtp.reset()
    captcha.reset()
  })
  afterAll(async () => {
    for (const each of bundles) {
      expectNoLeak(each.logs, forbidden)
      await each.close()
    }
    await Promise.all([smtp?.close(), captcha?.close(), suite.close()])
  })

  describe("row 2: the relay has the message, then the connection drops before its 250", () => {
    it("with a queue: one copy, queued marked; held back; then one marked copy, same id", async () => {
      const queueUrl = await suite.peer().createQueue(`unknown-${randomUUID().slice(0, 8)}`)
      suite.peer().resetCounts()
      const web = await bundle({ QUEUE_URL: queueUrl })
      smtp.setFaults({ acceptThenDrop: { times: 1 } })
      const answer = await submitTo(web, form(captcha.newToken()))
      expect([answer.statusCode, answer.headers.location]).toEqual([
        303,
        "https://www.example.com/thanks"
      ])
      expect(answer.outcome).toMatchObject({ outcome: "queued", reason: "smtp_unknown_connection" })
      // Never sent again within the request: the relay holds one copy, from one session.
      expect(smtp.mails).toHaveLength(1)
      expect(smtp.stats).toMatchObject({ connections: 1, mailCommands: 1 })
      // SQS holds it back UNKNOWN_RETRY_MINUTES (10 by default): in the queue, not visible.
      expect(await suite.peer().queueDepth(queueUrl)).toBe(1)
      expect(await suite.peer().queuedMessages(queueUrl)).toHaveLength(0)

      const [stored] = suite.peer().sentMessages()
      expect(stored?.delaySeconds).toBe(600)
      const item = JSON.parse(stored?.body ?? "{}")
      expect(item).toMatchObject({
        v: 3,
        id: idOf(smtp.mails[0]),
        reason: "smtp_unknown_connection"
      })
      expect(Date.parse(item.unknownAt)).toBeGreaterThan(Date.parse(item.receivedAt) - 1_000)

      // A consumer that gets it early leaves it (contract §7a: at least UNKNOWN_RETRY_MINUTES).
      const early = await bundle({ QUEUE_URL: queueUrl })
      const record = { messageId: "m-1", body: JSON.stringify(item) }
      expect(await early.redeliver({ Records: [record] })).toEqual({
        batchItemFailures: [{ itemIdentifier: "m-1" }]
      })
      expect(smtp.mails).toHaveLength(1)

      // Once due, it goes out once more, marked a possible duplicate, under the same id.
      const due = await bundle({ QUEUE_URL: queueUrl, UNKNOWN_RETRY_MINUTES: "0" })
      expect(await due.redeliver({ Records: [record] })).toEqual({ batchItemFailures: [] })
      expect(smtp.mails).toHaveLength(2)
      const [first, second] = smtp.mails
      expect(idOf(second)).toBe(idOf(first))
      expect(idOf(first)).toMatch(uuidV8)
      expect(first?.headers.has("x-contact-possible-duplicate")).toBe(false)
      expect(second?.headers.get("x-contact-possible-duplicate")).toBe(item.unknownAt)
      expect(second?.text).toContain(
        `Possible duplicate: an attempt at ${item.unknownAt} may have reached you already, same id ${item.id}`
      )
      // The footer's order: the mark, the late line, then the captcha line, last.
      expect(second?.text?.trimEnd()).toMatch(
        /Possible duplicate: .*\nDelivered late: .*\nCaptcha: verified$/
      )
    })

    it("without a queue: one copy, and the visitor reads that it has probably arrived", async () => {
      const web = await bundle()
      smtp.setFaults({ acceptThenDrop: { times: 1 } })
      const answer = await submitTo(web, form(captcha.newToken()))
      expect(answer.statusCode).toBe(500)
      expect(answer.body).toContain("Your message has probably reached us")
      expect(answer.outcome).toMatchObject({
        outcome: "delivery_unknown",
        reason: "smtp_unknown_connection",
        id: idOf(smtp.mails[0])
      })
      expect(smtp.mails).toHaveLength(1)
    })

    it("the visitor sends it again: answered as the first one, nothing sent twice", async () => {
      const web = await bundle()
      smtp.setFaults({ acceptThenDrop: { times: 1 } })
      const token = captcha.newToken()
      await submitTo(web, form(token))
      const again = await submitTo(web, form(token))
      expect(again.statusCode).toBe(500)
      expect(again.body).toContain("Your message has probably reached us")
      expect(again.outcome).toMatchObject({ outcome: "duplicate", first: "delivery_unknown" })
      expect(smtp.mails).toHaveLength(1)
    })
  })

  describe("row 7: no queue, the relay refuses, the visitor sends again", () => {
    it("the same form: delivered on the remembered verdict, not 409; the token asked once", async () => {
      const web = await bundle()
      smtp.setFaults({ mailFrom: { code: 454 } })
      const token = captcha.newToken()
      const failed = await submitTo(web, form(token))
      expect(failed.statusCode).toBe(500)
      expect(failed.outcome).toMatchObject({ outcome: "delivery_failed" })
      smtp.setFaults({})
      const again = await submitTo(web, form(token))
      expect([again.statusCode, again.outcome?.outcome]).toEqual([303, "sent"])
      expect(smtp.mails).toHaveLength(1)
      expect(captcha.requests).toHaveLength(1)
    })

    it("an edited text: delivered too; the token then buys nothing more (409)", async () => {
      const web = await bundle()
      smtp.setFaults({ mailFrom: { code: 454 } })
      const token = captcha.newToken()
      expect((await submitTo(web, form(token))).statusCode).toBe(500)
      smtp.setFaults({})
      const edited = await submitTo(web, form(token, `${visitor.body}\n\nP.S. evenings are best.`))
      expect([edited.statusCode, edited.outcome?.outcome]).toEqual([303, "sent"])
      expect(smtp.mails).toHaveLength(1)
      expect(smtp.mails[0]?.text).toContain("P.S. evenings are best.")
      // Spent on an accepted submission: a third text is the provider's to judge, and the
      // single-use token is used.
      const third = await submitTo(web, form(token, "Something else entirely."))
      expect([third.statusCode, third.outcome?.outcome]).toEqual([409, "already_received"])
      expect(smtp.mails).toHaveLength(1)
    })
  })

  describe("row 13: the captcha API down, one form on two processes", () => {
    it("two mails (at least once), both with the same submission id", async () => {
      captcha.setBehaviour("serverError")
      const [one, two] = await Promise.all([bundle(), bundle()])
      const token = captcha.newToken()
      const answers = [await submitTo(one, form(token)), await submitTo(two, form(token))]
      expect(answers.map((a) => [a.statusCode, a.outcome?.outcome])).toEqual([
        [303, "sent"],
        [303, "sent"]
      ])
      expect(smtp.mails).toHaveLength(2)
      expect(idOf(smtp.mails[0])).toMatch(uuidV8)
      expect(idOf(smtp.mails[1])).toBe(idOf(smtp.mails[0]))
      expect(answers[1]?.outcome?.id).toBe(answers[0]?.outcome?.id)
    })

    it("another deployment's key gives another id: an id says nothing of the text", async () => {
      captcha.setBehaviour("serverError")
      const [ours, theirs] = await Promise.all([
        bundle(),
        bundle({ SUBMISSION_ID_KEY: "t".repeat(20) + randomUUID() })
      ])
      const token = captcha.newToken()
      const a = await submitTo(ours, form(token))
      const b = await submitTo(theirs, form(token))
      expect(a.outcome?.id).toMatch(uuidV8)
      expect(b.outcome?.id).toMatch(uuidV8)
      expect(b.outcome?.id).not.toBe(a.outcome?.id)
    })
  })
})
