/**
 * Nothing lost, against real peers (contract §7): the BUILT bundle in a fresh process,
 * moto's SQS and Secrets Manager through the real AWS SDK behind the fault proxy, and an
 * SMTP relay with STARTTLS and AUTH that refuses on cue. What the queue holds is read back
 * from moto; what `redeliver` sends is what the relay received.
 */
import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type BundleProcess, startBundle, submitTo } from "./support/bundle"
import { type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import { formPost, jsonPost } from "./support/events"
import { largestValidForm } from "./support/largest-form"
import { expectNoLeak } from "./support/reliability"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { expectNothingSent, type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"
import { worldEnv } from "./support/world"

const suite = await secretsPeerOrSkip()

const MAIL_TIMEOUT_MS = 2_000
const QUEUE_TIMEOUT_MS = 1_500
const SLACK_MS = 2_000
const smtpUser = "ses-smtp-user"
const smtpPassword = "smtp-pw-9d31a7c2"
const visitor = {
  name: "Zoë Quillfeather",
  email: "zoe.quillfeather@example.org",
  subject: "Zebra umbrella order",
  body: "Hello,\n\nplease call me back about the zebra umbrellas.",
  phone: "555-0100"
}
const forbidden = [smtpPassword, visitor.name, visitor.email, visitor.subject, "zebra umbrellas"]

describe.skipIf(suite.skip)("the queue, against moto's SQS and a real relay", () => {
  let smtp: SmtpPeer
  let captcha: CaptchaPeer
  let queueUrl: string
  const smtpSecret = uniqueSecretId("smtp")
  const captchaSecret = uniqueSecretId("captcha")
  const bundles: Array<BundleProcess> = []

  const envWith = (overrides: Record<string, string> = {}) =>
    worldEnv(
      suite.peer(),
      { smtp, captcha, smtpSecret, captchaSecret },
      {
        CAPTCHA_PROVIDER: "none",
        QUEUE_URL: queueUrl,
        MAIL_TIMEOUT_MS: String(MAIL_TIMEOUT_MS),
        QUEUE_TIMEOUT_MS: String(QUEUE_TIMEOUT_MS),
        SECRETS_TIMEOUT_MS: "2000",
        ...overrides
      }
    )
  const bundle = async (overrides: Record<string, string> = {}) => {
    const started = await startBundle(envWith(overrides))
    bundles.push(started)
    return started
  }
  const submit = submitTo
  const queued = () => suite.peer().queuedMessages(queueUrl)
  const sqsEvent = (messages: ReadonlyArray<{ messageId: string; body: string }>) => ({
    Records: messages.map((m) => ({ messageId: m.messageId, body: m.body }))
  })

  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls", auth: { user: smtpUser, pass: smtpPassword } })
    captcha = await startCaptchaPeer()
    await suite
      .peer()
      .createSecret(smtpSecret, { SMTP_USERNAME: smtpUser, SMTP_PASSWORD: smtpPassword })
    await suite.peer().createSecret(captchaSecret, {
      FRIENDLYCAPTCHA_SITEKEY: captcha.credentials.sitekey,
      FRIENDLYCAPTCHA_API_KEY: captcha.credentials.apiKey
    })
  })
  beforeEach(async () => {
    smtp.reset()
    suite.peer().setFault(undefined)
    suite.peer().resetCounts()
    queueUrl = await suite.peer().createQueue(`contact-${randomUUID().slice(0, 8)}`)
  })
  afterAll(async () => {
    for (const b of bundles) {
      expectNoLeak(b.logs, forbidden)
      await b.close()
    }
    await Promise.all([smtp?.close(), captcha?.close(), suite.close()])
  })

  it("relay refusing (454 every time) → 303 and one item: the submission, no recipient; relay back → redeliver sends it once, late", async () => {
    const web = await bundle()
    smtp.setFaults({ mailFrom: { code: 454, message: "Try again later" } })
    const answer = await submit(web, formPost(visitor))
    expect([answer.statusCode, answer.headers.location]).toEqual([
      303,
      "https://www.example.com/thanks"
    ])
    expect(answer.outcome).toMatchObject({ outcome: "queued", reason: "smtp_reply_454" })
    const messages = await queued()
    expect(messages).toHaveLength(1)
    const item = JSON.parse(messages[0]?.body ?? "{}")
    expect(item).toMatchObject({
      v: 3,
      form: "default",
      reason: "smtp_reply_454",
      permanent: false,
      replyTo: { name: visitor.name, address: visitor.email },
      subject: visitor.subject,
      body: visitor.body,
      extras: [["phone", "555-0100"]]
    })
    expect(messages[0]?.body).not.toContain("owner@example.com")
    expect(smtp.mails).toHaveLength(0)

    smtp.setFaults({})
    const consumer = await bundle()
    expect(await consumer.redeliver(sqsEvent(messages))).toEqual({ batchItemFailures: [] })
    expect(smtp.mails).toHaveLength(1)
    const [mail] = smtp.mails
    expect(mail?.envelope.rcptTo).toEqual(["owner@example.com"])
    expect(mail?.headers.get("x-contact-submission-id")).toBe(item.id)
    const footer = (mail?.text ?? "").trimEnd().split("\n").slice(-2)
    expect(footer).toEqual([
      `Delivered late: received ${item.receivedAt}, first attempt failed (smtp_reply_454), id ${item.id}`,
      "Captcha: disabled"
    ])
    // The same message delivered again (SQS delivers at least once) carries the same id.
    await consumer.redeliver(sqsEvent(messages))
    expect(smtp.mails.map((m) => m.headers.get("x-contact-submission-id"))).toEqual([
      item.id,
      item.id
    ])
  })

  it("the relay still down → the item is in batchItemFailures; garbage and unknown versions too, the good one not", async () => {
    const web = await bundle()
    smtp.setFaults({ mailFrom: { code: 451, message: "Busy" } })
    await submit(web, jsonPost(visitor))
    const [message] = await queued()
    if (message === undefined) throw new Error("nothing queued")
    const consumer = await bundle()
    // Down for the item's three attempts only: the good one after them goes out.
    smtp.setFaults({ mailFrom: { code: 451, message: "Busy", times: 3 } })
    const good = { ...JSON.parse(message.body), id: randomUUID() }
    const answer = await consumer.redeliver(
      sqsEvent([
        message,
        { messageId: "garbage", body: "<html>not an item</html>" },
        { messageId: "v9", body: JSON.stringify({ ...JSON.parse(message.body), v: 9 }) },
        { messageId: "good", body: JSON.stringify(good) }
      ])
    )
    expect(answer.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      message.messageId,
      "garbage",
      "v9"
    ])
    expect(smtp.mails.map((m) => m.headers.get("x-contact-submission-id"))).toEqual([good.id])
    const lines = consumer.logs.filter((l) => "outcome" in l)
    expect(lines.map((l) => [l.level, l.outcome, l.reason, l.messageId])).toEqual([
      ["warn", "redelivery_failed", "smtp_reply_451", message.messageId],
      ["error", "redelivery_failed", "invalid_item", "garbage"],
      ["error", "redelivery_failed", "invalid_item", "v9"],
      ["info", "redelivered", undefined, "good"]
    ])
  })

  it("a permanent 554 → the kept answer (HTML and JSON) and the item queued with permanent: true", async () => {
    const web = await bundle()
    smtp.setFaults({ dataEnd: { code: 554, message: "Message rejected" } })
    const page = await submit(web, formPost(visitor))
    expect(page.statusCode).toBe(500)
    expect(page.body).toContain("Your message is safe with us")
    expect(page.body).toContain("please call me back about the zebra umbrellas.")
    expect(page.body).toContain('href="mailto:owner@example.com"')
    // Another message: the same one again would be a repeat of the kept one (contract §9).
    const json = await submit(web, jsonPost({ ...visitor, subject: `${visitor.subject}, again` }))
    expect(json.statusCode).toBe(500)
    expect(JSON.parse(json.body)).toMatchObject({
      ok: false,
      error: "delivery_failed",
      kept: true,
      fallback: { email: "owner@example.com" }
    })
    expect(json.outcome).toMatchObject({ outcome: "delivery_failed", kept: true, Kept: 1 })
    const items = (await queued()).map((m) => JSON.parse(m.body))
    expect(items.map((i) => [i.permanent, i.reason])).toEqual([
      [true, "smtp_rejected_554"],
      [true, "smtp_rejected_554"]
    ])
  })

  it("MAIL_TO changed and the process restarted: redelivering a kept item reaches the new owner", async () => {
    const web = await bundle()
    smtp.setFaults({ dataEnd: { code: 554, message: "Message rejected" } })
    await submit(web, formPost(visitor))
    smtp.setFaults({})
    const fixed = await bundle({ MAIL_TO: "New Owner <new-owner@example.com>" })
    const messages = await queued()
    expect(await fixed.redeliver(sqsEvent(messages))).toEqual({ batchItemFailures: [] })
    expect(smtp.mails.map((m) => m.envelope.rcptTo)).toEqual([["new-owner@example.com"]])
  })

  it.each([
    ["throttled", { kind: "throttle", operation: "SendMessage" }, "smtp_reply_454+queue_throttled"],
    [
      "unreachable (500 every time)",
      { kind: "internal", operation: "SendMessage" },
      "smtp_reply_454+queue_unavailable"
    ]
  ] as const)(
    "the queue %s too → the 500 fallback within the bounds, naming both failures",
    async (_, fault, reason) => {
      const web = await bundle()
      smtp.setFaults({ mailFrom: { code: 454, message: "Try again later" } })
      suite.peer().setFault(fault)
      const answer = await submit(web, formPost(visitor))
      expect(answer.statusCode).toBe(500)
      expect(answer.body).toContain("Something went wrong")
      expect(answer.body).toContain("please call me back about the zebra umbrellas.")
      expect(answer.outcome).toMatchObject({ outcome: "delivery_failed", reason })
      expect(answer.ms).toBeLessThan(MAIL_TIMEOUT_MS + QUEUE_TIMEOUT_MS + SLACK_MS)
      suite.peer().setFault(undefined)
      expect(await queued()).toEqual([])
    }
  )

  it("the queue silent too → the unknown answer (it may hold the item), never 'not kept' (contract §7a)", async () => {
    const web = await bundle()
    smtp.setFaults({ mailFrom: { code: 454, message: "Try again later" } })
    suite.peer().setFault({ kind: "hang", operation: "SendMessage" })
    const answer = await submit(web, formPost(visitor))
    expect(answer.statusCode).toBe(500)
    expect(answer.body).toContain("Your message has probably reached us")
    expect(answer.body).toContain("please call me back about the zebra umbrellas.")
    expect(answer.outcome).toMatchObject({
      outcome: "delivery_unknown",
      reason: "smtp_reply_454+queue_unanswered"
    })
    expect(answer.ms).toBeLessThan(MAIL_TIMEOUT_MS + QUEUE_TIMEOUT_MS + SLACK_MS)
    // A standard queue: an unanswered SendMessage is not sent again (a second copy).
    expect(suite.peer().calls("SendMessage")).toBe(1)
  })

  it("the largest valid form (each field at its limit, 4-byte characters) → kept, the item whole in SQS", async () => {
    // contract §7a: every valid form fits in its queue item, so none is ever too large.
    const web = await bundle()
    smtp.setFaults({ dataEnd: { code: 554, message: "Message rejected" } })
    const answer = await submit(web, jsonPost(Object.fromEntries(largestValidForm)))
    expect([answer.statusCode, JSON.parse(answer.body)]).toMatchObject([
      500,
      { error: "delivery_failed", kept: true }
    ])
    const [message, ...more] = await queued()
    expect(more).toEqual([])
    const item = JSON.parse(message?.body ?? "{}")
    const value = (name: string) => largestValidForm.find(([n]) => n === name)?.[1]
    expect([item.body, item.subject, item.replyTo]).toEqual([
      value("body"),
      value("subject"),
      { name: value("name"), address: value("email") }
    ])
    expect(item.extras).toEqual(largestValidForm.slice(4))
    expect(Buffer.byteLength(message?.body ?? "")).toBeLessThan(256 * 1024)
  })

  it("a captcha configuration error → 500 and nothing queued", async () => {
    const web = await bundle({
      CAPTCHA_PROVIDER: "friendlycaptcha-v2",
      CAPTCHA_VERIFY_URL: captcha.v2Url
    })
    captcha.setBehaviour("badKey")
    const answer = await submit(
      web,
      formPost({ ...visitor, "frc-captcha-response": captcha.credentials.token })
    )
    expect(answer.statusCode).toBe(500)
    expect(answer.outcome).toMatchObject({
      outcome: "delivery_failed",
      reason: expect.stringMatching(/^captcha_config_http_401/)
    })
    expect(await queued()).toEqual([])
    await expectNothingSent(smtp)
    captcha.reset()
  })
})
