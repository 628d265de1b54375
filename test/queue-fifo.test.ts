/**
 * An enqueue whose answer is lost or late never makes a second stored copy, and never
 * answers "not kept" for an item that is stored (contract §7a): the BUILT bundle against
 * moto's SQS (FIFO and standard queues) through the fault proxy, which loses or delays
 * SQS's answers after moto did the work, and a real relay that counts the copies.
 *
 * What moto does not enforce: SQS deduplicates a MessageDeduplicationId for five minutes,
 * deleted messages included; moto forgets one once its message is deleted. Every check
 * here happens while the first message is still in the queue.
 */
import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type BundleProcess, startBundle, submitTo } from "./support/bundle"
import { type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import { formPost } from "./support/events"
import { queuedItem } from "./support/items"
import { expectNoLeak } from "./support/reliability"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"
import { worldEnv } from "./support/world"

const suite = await secretsPeerOrSkip()

const QUEUE_TIMEOUT_MS = 1_500
const smtpUser = "fifo-smtp-user"
const smtpPassword = "fifo-pw-0b9c4d21"
const visitor = {
  email: "zoe.quillfeather@example.org",
  subject: "Zebra umbrella order",
  body: "Please call me back about the zebra umbrellas."
}
const forbidden = [smtpPassword, visitor.email, visitor.subject, "zebra umbrellas"]

describe.skipIf(suite.skip)("idempotent enqueue: FIFO queues, lost and late answers", () => {
  let smtp: SmtpPeer
  let captcha: CaptchaPeer
  const smtpSecret = uniqueSecretId("smtp")
  const captchaSecret = uniqueSecretId("captcha")
  const bundles: Array<BundleProcess> = []

  const bundle = async (queueUrl: string, overrides: Record<string, string> = {}) => {
    const started = await startBundle(
      worldEnv(
        suite.peer(),
        { smtp, captcha, smtpSecret, captchaSecret },
        {
          CAPTCHA_PROVIDER: "none",
          QUEUE_URL: queueUrl,
          MAIL_TIMEOUT_MS: "2000",
          QUEUE_TIMEOUT_MS: String(QUEUE_TIMEOUT_MS),
          SECRETS_TIMEOUT_MS: "2000",
          UNKNOWN_RETRY_MINUTES: "0",
          ...overrides
        }
      )
    )
    bundles.push(started)
    return started
  }
  const fifoQueue = () =>
    suite.peer().createQueue(`fifo-${randomUUID().slice(0, 8)}.fifo`, { FifoQueue: "true" })
  const standardQueue = () => suite.peer().createQueue(`std-${randomUUID().slice(0, 8)}`)
  const records = async (queueUrl: string) =>
    (await suite.peer().queuedMessages(queueUrl)).map((m) => ({
      messageId: m.messageId,
      body: m.body
    }))

  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls", auth: { user: smtpUser, pass: smtpPassword } })
    captcha = await startCaptchaPeer()
    await suite
      .peer()
      .createSecret(smtpSecret, { SMTP_USERNAME: smtpUser, SMTP_PASSWORD: smtpPassword })
  })
  beforeEach(() => {
    smtp.reset()
    suite.peer().setFault(undefined)
    suite.peer().resetCounts()
  })
  afterAll(async () => {
    for (const each of bundles) {
      expectNoLeak(each.logs, forbidden)
      await each.close()
    }
    await Promise.all([smtp?.close(), captcha?.close(), suite.close()])
  })

  it("a FIFO item is its own group (its submission and channel), deduplicated by <submission id>:<channel>:<copy>", async () => {
    const queueUrl = await fifoQueue()
    const web = await bundle(queueUrl)
    smtp.setFaults({ mailFrom: { code: 454 } })
    const answer = await submitTo(web, formPost(visitor))
    expect([answer.statusCode, answer.outcome?.outcome]).toEqual([303, "queued"])
    const [sent] = suite.peer().sentMessages()
    const id = String(answer.outcome?.id)
    expect(sent).toMatchObject({ groupId: `${id}:mail`, deduplicationId: `${id}:mail:1` })
    expect(sent?.delaySeconds).toBeUndefined()
    expect(web.logs.filter((l) => /standard queue/.test(String(l.msg)))).toEqual([])
  })

  it("row 3: SQS stores the item but its answer is lost; the SDK retries → one item, one mail", async () => {
    const queueUrl = await fifoQueue()
    const web = await bundle(queueUrl)
    smtp.setFaults({ mailFrom: { code: 454 } })
    suite.peer().setFault({ kind: "lose", times: 1, operation: "SendMessage" })
    const answer = await submitTo(web, formPost(visitor))
    expect([answer.statusCode, answer.outcome?.outcome]).toEqual([303, "queued"])
    // Sent twice, the same deduplication id both times: stored once.
    const sends = suite.peer().sentMessages()
    expect(sends).toHaveLength(2)
    expect(new Set(sends.map((m) => m.deduplicationId)).size).toBe(1)
    expect(await suite.peer().queueDepth(queueUrl)).toBe(1)

    smtp.setFaults({})
    const consumer = await bundle(queueUrl)
    expect(await consumer.redeliver({ Records: await records(queueUrl) })).toEqual({
      batchItemFailures: []
    })
    expect(smtp.mails).toHaveLength(1)
  })

  it("row 3 on a standard queue: the lost answer is not retried (a second copy): one item, the unknown answer", async () => {
    const queueUrl = await standardQueue()
    const web = await bundle(queueUrl)
    smtp.setFaults({ mailFrom: { code: 454 } })
    suite.peer().setFault({ kind: "lose", times: 1, operation: "SendMessage" })
    const answer = await submitTo(web, formPost(visitor))
    expect(answer.statusCode).toBe(500)
    expect(answer.outcome).toMatchObject({
      outcome: "delivery_unknown",
      reason: "smtp_reply_454+queue_unanswered"
    })
    expect(suite.peer().sentMessages()).toHaveLength(1)
    expect(await suite.peer().queueDepth(queueUrl)).toBe(1)
    // The cold start said what a standard queue cannot do.
    expect(
      web.logs.filter((l) => l.level === "warn" && /standard queue/.test(String(l.msg)))
    ).toHaveLength(1)
  })

  it("row 4: SQS stores it but answers after QUEUE_TIMEOUT_MS → the unknown page, never 'not kept'; delivered once", async () => {
    const queueUrl = await fifoQueue()
    const web = await bundle(queueUrl)
    smtp.setFaults({ mailFrom: { code: 454 } })
    suite.peer().setFault({ kind: "late", delayMs: 5_000, operation: "SendMessage" })
    const answer = await submitTo(web, formPost(visitor))
    expect(answer.statusCode).toBe(500)
    expect(answer.body).toContain("Your message has probably reached us")
    expect(answer.body).not.toContain("Something went wrong")
    expect(answer.outcome).toMatchObject({
      outcome: "delivery_unknown",
      reason: "smtp_reply_454+queue_unanswered"
    })
    // Every attempt carried the one deduplication id: one item, whatever arrived late.
    expect(
      new Set(
        suite
          .peer()
          .sentMessages()
          .map((m) => m.deduplicationId)
      ).size
    ).toBe(1)
    suite.peer().setFault(undefined)
    smtp.setFaults({})
    expect(await suite.peer().queueDepth(queueUrl)).toBe(1)
    const consumer = await bundle(queueUrl)
    expect(await consumer.redeliver({ Records: await records(queueUrl) })).toEqual({
      batchItemFailures: []
    })
    expect(smtp.mails).toHaveLength(1)
  })

  it("an unknown redelivery: a marked copy as copy 2 of its group, the original deleted", async () => {
    const queueUrl = await fifoQueue()
    const web = await bundle(queueUrl)
    smtp.setFaults({ mailFrom: { code: 454 } })
    const answer = await submitTo(web, formPost(visitor))
    const id = String(answer.outcome?.id)
    smtp.setFaults({ acceptThenDrop: { times: 1 } })
    suite.peer().resetCounts()
    const consumer = await bundle(queueUrl)
    const batch = await records(queueUrl)
    // Deleted by SQS on success: reported as no failure, the copy already in.
    expect(await consumer.redeliver({ Records: batch })).toEqual({ batchItemFailures: [] })
    const [copy] = suite.peer().sentMessages()
    expect(copy).toMatchObject({ groupId: `${id}:mail`, deduplicationId: `${id}:mail:2` })
    expect(JSON.parse(copy?.body ?? "{}")).toMatchObject({ id, copy: 2 })
    expect(JSON.parse(copy?.body ?? "{}").unknownAt).toMatch(/^\d{4}-/)
    expect(smtp.mails).toHaveLength(1)
  })

  it("a copy not due yet is hidden until it is (ChangeMessageVisibility), not sent", async () => {
    const queueUrl = await fifoQueue()
    const web = await bundle(queueUrl, { UNKNOWN_RETRY_MINUTES: "10" })
    smtp.setFaults({ acceptThenDrop: { times: 1 } })
    expect((await submitTo(web, formPost(visitor))).statusCode).toBe(303)
    expect(smtp.mails).toHaveLength(1)
    const arn = `arn:aws:sqs:us-east-1:123456789012:${new URL(queueUrl).pathname.split("/")[2]}`
    const consumer = await bundle(queueUrl, { UNKNOWN_RETRY_MINUTES: "10" })
    const [message] = await suite.peer().queuedMessages(queueUrl)
    const answer = await consumer.redeliver({
      Records: [
        {
          messageId: String(message?.messageId),
          body: String(message?.body),
          receiptHandle: String(message?.receiptHandle),
          eventSourceARN: arn
        }
      ]
    })
    expect(answer.batchItemFailures).toHaveLength(1)
    expect(suite.peer().calls("ChangeMessageVisibility")).toBe(1)
    expect(smtp.mails).toHaveLength(1)
    // Hidden for the rest of its wait: not receivable now.
    expect(await suite.peer().queuedMessages(queueUrl)).toHaveLength(0)
  })

  it("FIFO: a record that failed holds back the later ones of its group, not other items", async () => {
    const queueUrl = await fifoQueue()
    const consumer = await bundle(queueUrl)
    const item = (id: string) => queuedItem({ id, visitor }).json
    const a = randomUUID()
    const b = randomUUID()
    smtp.setFaults({ mailFrom: { code: 554, times: 1 } })
    const answer = await consumer.redeliver({
      Records: [
        { messageId: "a-1", body: item(a), attributes: { MessageGroupId: a } },
        { messageId: "a-2", body: item(a), attributes: { MessageGroupId: a } },
        { messageId: "b-1", body: item(b), attributes: { MessageGroupId: b } }
      ]
    })
    expect(answer).toEqual({
      batchItemFailures: [{ itemIdentifier: "a-1" }, { itemIdentifier: "a-2" }]
    })
    expect(smtp.mails.map((m) => m.headers.get("x-contact-submission-id"))).toEqual([b])
  })
})
