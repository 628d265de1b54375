/**
 * Nothing lost (contract §7), through the real Lambda adapter over doubles: a failed
 * delivery is queued (303) or kept (the 500 page saying so), the item holds the submission
 * and no recipient, a failed enqueue answers the fallback naming both failures, and
 * `redeliver` composes each item with the configuration of now.
 */
import { Effect } from "effect"
import { simpleParser } from "mailparser"
import { describe, expect, it } from "vitest"
import { maxItemBytes, type QueueItem, queueItem } from "../src/domain/item"
import { encodeWithinLimit } from "../src/services/queue"
import {
  CaptchaDown,
  CaptchaMisconfiguredDouble,
  MailScripted,
  makeTestHandler,
  QueueFailing,
  QueueRecording,
  SecretsMissing
} from "./support/doubles"
import { formPost, jsonPost } from "./support/events"
import { largestValidForm } from "./support/largest-form"

const visitor = {
  name: "Müller, Anna",
  email: "anna@example.org",
  subject: "Question about pricing",
  body: "Hello,\n\nhow much is it?",
  phone: "555-0100",
  "frc-captcha-response": "token-ok"
}

const refusing = { responseCode: 454 } as const
const rejecting = { responseCode: 554 } as const

describe("a failed delivery with a queue", () => {
  it("transient (454 every time) → 303 as sent, and one item: the submission, no recipient", async () => {
    const items: Array<QueueItem> = []
    const t = await makeTestHandler({
      mail: (log) => MailScripted(log, [refusing, refusing, refusing]),
      queue: QueueRecording(items)
    })
    const result = await t.handler(formPost(visitor))
    expect(result.statusCode).toBe(303)
    expect(result.headers.location).toBe("https://www.example.com/thanks")
    expect(items).toEqual([
      {
        v: 3,
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        form: "default",
        receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        reason: "smtp_reply_454",
        permanent: false,
        language: "en",
        replyTo: { name: "Müller, Anna", address: "anna@example.org" },
        subject: "Question about pricing",
        body: "Hello,\n\nhow much is it?",
        extras: [["phone", "555-0100"]],
        captcha: { _tag: "Verified" }
      }
    ])
    expect(JSON.stringify(items)).not.toContain("owner@example.com")
    expect(JSON.stringify(items)).not.toContain("noreply@example.com")
    expect(t.logs.at(-1)).toMatchObject({
      level: "warn",
      outcome: "queued",
      reason: "smtp_reply_454",
      id: items[0]?.id,
      Queued: 1
    })
    await t.dispose()
  })

  it("the same in JSON mode: 200 {ok:true, queued:true}", async () => {
    const items: Array<QueueItem> = []
    const t = await makeTestHandler({
      secrets: SecretsMissing("smtp"),
      mail: (log) => MailScripted(log, [refusing, refusing, refusing]),
      queue: QueueRecording(items)
    })
    // A missing secret is permanent: kept, not queued. The relay refusing is transient.
    const kept = await t.handler(jsonPost(visitor))
    expect(kept.statusCode).toBe(500)
    expect(JSON.parse(kept.body)).toEqual({
      ok: false,
      error: "delivery_failed",
      kept: true,
      // A plain mailto: the message will reach the owner; no second copy invited.
      fallback: { email: "owner@example.com", mailto: "mailto:owner@example.com" }
    })
    await t.dispose()
    const u = await makeTestHandler({
      mail: (log) => MailScripted(log, [refusing, refusing, refusing]),
      queue: QueueRecording(items)
    })
    const queued = await u.handler(jsonPost(visitor))
    expect([queued.statusCode, queued.body]).toEqual([200, '{"ok":true,"queued":true}'])
    expect(items.map((i) => i.permanent)).toEqual([true, false])
    await u.dispose()
  })

  it("permanent (554) → the kept 500 page: it says so, offers the fallback, gives the text back", async () => {
    const items: Array<QueueItem> = []
    const t = await makeTestHandler({
      mail: (log) => MailScripted(log, [rejecting]),
      queue: QueueRecording(items)
    })
    const result = await t.handler(formPost(visitor))
    expect(result.statusCode).toBe(500)
    expect(result.body).toContain("Your message is safe with us")
    expect(result.body).toContain("it is kept and will reach us")
    expect(result.body).toContain('href="mailto:owner@example.com"')
    expect(result.body).not.toContain("mailto:owner@example.com?")
    expect(result.body).toContain("how much is it?")
    expect(result.body).not.toContain("Something went wrong")
    expect(items).toEqual([
      expect.objectContaining({ permanent: true, reason: "smtp_rejected_554" })
    ])
    expect(t.logs.at(-1)).toMatchObject({
      level: "error",
      outcome: "delivery_failed",
      kept: true,
      reason: "smtp_rejected_554",
      Kept: 1
    })
    await t.dispose()
  })

  it("the queue failing too → the 500 fallback, its reason naming both failures", async () => {
    const t = await makeTestHandler({
      mail: (log) => MailScripted(log, [refusing, refusing, refusing]),
      queue: QueueFailing("timeout")
    })
    const result = await t.handler(formPost(visitor))
    expect(result.statusCode).toBe(500)
    expect(result.body).toContain("Something went wrong")
    expect(result.body).toContain("how much is it?")
    expect(t.logs.at(-1)).toMatchObject({
      outcome: "delivery_failed",
      reason: "smtp_reply_454+queue_timeout",
      DeliveryFailed: 1
    })
    await t.dispose()
  })

  // contract §7a: the relay took the message and the connection dropped before its 250.
  const unknown = { code: "ECONNECTION", afterData: true } as const

  it("unknown (past the end of DATA) → queued, the item marked with the attempt's time; one attempt", async () => {
    const items: Array<QueueItem> = []
    const t = await makeTestHandler({
      mail: (log) => MailScripted(log, [unknown]),
      queue: QueueRecording(items)
    })
    const result = await t.handler(jsonPost(visitor))
    expect([result.statusCode, JSON.parse(result.body)]).toEqual([200, { ok: true, queued: true }])
    expect(t.mail.attempts).toHaveLength(1)
    expect(items).toHaveLength(1)
    expect(items[0]?.unknownAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(t.logs.at(-1)).toMatchObject({ outcome: "queued", reason: "smtp_unknown_connection" })
    await t.dispose()
  })

  it("unknown, the queue failing too → 500 delivery_unknown (JSON), both reasons, counted", async () => {
    const t = await makeTestHandler({
      mail: (log) => MailScripted(log, [unknown]),
      queue: QueueFailing("timeout")
    })
    const result = await t.handler(jsonPost(visitor))
    expect(result.statusCode).toBe(500)
    expect(JSON.parse(result.body)).toEqual({
      ok: false,
      error: "delivery_unknown",
      fallback: { email: "owner@example.com", mailto: "mailto:owner@example.com" }
    })
    expect(t.mail.attempts).toHaveLength(1)
    expect(t.logs.at(-1)).toMatchObject({
      level: "error",
      outcome: "delivery_unknown",
      reason: "smtp_unknown_connection+queue_timeout",
      DeliveryUnknown: 1
    })
    await t.dispose()
  })

  it("the largest valid form is kept whole: every valid form fits in its item (contract §7a)", async () => {
    const items: Array<QueueItem> = []
    const t = await makeTestHandler({
      mail: (log) => MailScripted(log, [rejecting]),
      queue: QueueRecording(items)
    })
    const result = await t.handler(
      jsonPost(Object.fromEntries([...largestValidForm, ["frc-captcha-response", "token-ok"]]))
    )
    expect([result.statusCode, JSON.parse(result.body)]).toMatchObject([
      500,
      { error: "delivery_failed", kept: true }
    ])
    expect(items).toHaveLength(1)
    const value = (name: string) => largestValidForm.find(([n]) => n === name)?.[1]
    expect(items[0]).toMatchObject({ body: value("body"), subject: value("subject") })
    expect(items[0]?.extras).toEqual(largestValidForm.slice(4))
    await t.dispose()
  })

  it("an item over 256 KiB (no valid form makes one) is never sent: the 500 fallback, queue_too_large", async () => {
    const tooLarge = queueItem({
      id: "0193d5a2-7c4e-8f3a-9b1d-2e6f4a8c0d17",
      form: "default",
      receivedAt: new Date(),
      reason: "smtp_rejected_554",
      permanent: true,
      contact: {
        email: "anna@example.org",
        body: "x".repeat(maxItemBytes),
        language: "en",
        extras: []
      },
      captcha: { _tag: "Verified" }
    })
    expect(Effect.runSync(Effect.flip(encodeWithinLimit(tooLarge)))).toMatchObject({
      problem: "too_large"
    })
    // The queue's answer to it: the fallback, naming both failures.
    const t = await makeTestHandler({
      mail: (log) => MailScripted(log, [rejecting]),
      queue: QueueFailing("too_large")
    })
    const result = await t.handler(jsonPost(visitor))
    expect(result.statusCode).toBe(500)
    expect(JSON.parse(result.body)).not.toHaveProperty("kept")
    expect(t.logs.at(-1)).toMatchObject({ reason: "smtp_rejected_554+queue_too_large" })
    await t.dispose()
  })

  it("a captcha configuration error is not queued: 500, nothing kept", async () => {
    const items: Array<QueueItem> = []
    const t = await makeTestHandler({
      captcha: CaptchaMisconfiguredDouble,
      queue: QueueRecording(items)
    })
    const result = await t.handler(formPost(visitor))
    expect(result.statusCode).toBe(500)
    expect(items).toEqual([])
    expect(t.mail.attempts).toHaveLength(0)
    await t.dispose()
  })

  it("every mail carries its submission id in X-Contact-Submission-Id", async () => {
    const t = await makeTestHandler()
    await t.handler(formPost(visitor))
    const [sent] = t.mail.sent
    const mail = await simpleParser(sent?.raw ?? "")
    expect(mail.headers.get("x-contact-submission-id")).toBe(t.logs.at(-1)?.id)
    expect(String(mail.headers.get("x-contact-submission-id"))).toMatch(/^[0-9a-f-]{36}$/)
    await t.dispose()
  })
})

describe("redeliver (SQS events → batchItemFailures)", () => {
  const itemOf = async (captcha = CaptchaDown()) => {
    const items: Array<QueueItem> = []
    const t = await makeTestHandler({
      captcha,
      mail: (log) => MailScripted(log, [refusing, refusing, refusing]),
      queue: QueueRecording(items)
    })
    await t.handler(formPost(visitor))
    await t.dispose()
    const [item] = items
    if (item === undefined) throw new Error("nothing was queued")
    return item
  }

  it("delivers each item with the configuration of now, the Delivered late line just before Captcha:", async () => {
    const item = await itemOf()
    const t = await makeTestHandler({ env: { MAIL_TO: "New Owner <new@example.com>" } })
    const answer = await t.redeliver({
      Records: [{ messageId: "m-1", body: JSON.stringify(item) }]
    })
    expect(answer).toEqual({ batchItemFailures: [] })
    expect(t.mail.sent).toHaveLength(1)
    const mail = await simpleParser(t.mail.sent[0]?.raw ?? "")
    expect(mail.to).toMatchObject({ value: [{ address: "new@example.com", name: "New Owner" }] })
    expect(mail.headers.get("x-contact-submission-id")).toBe(item.id)
    expect(mail.subject).toBe("[Contact] [unverified] Question about pricing")
    const lines = (mail.text ?? "").trimEnd().split("\n")
    expect(lines.slice(-3)).toEqual([
      "phone: 555-0100",
      `Delivered late: received ${item.receivedAt}, first attempt failed (smtp_reply_454), id ${item.id}`,
      "Captcha: NOT verified (timeout)"
    ])
    expect(t.logs).toEqual([
      expect.objectContaining({
        level: "info",
        outcome: "redelivered",
        id: item.id,
        form: "default",
        messageId: "m-1",
        Redelivered: 1
      })
    ])
    expect(JSON.stringify(t.logs)).not.toContain("how much")
    await t.dispose()
  })

  it("the relay still down, a garbage body, an unknown version: each reported failed, the good one not", async () => {
    const item = await itemOf()
    const good = { ...item, id: "0d6f3c1e-8a5b-4f7e-9c2d-1b3a5e7f9d0c" }
    const t = await makeTestHandler({
      mail: (log) => MailScripted(log, [refusing, refusing, refusing])
    })
    const answer = await t.redeliver({
      Records: [
        { messageId: "down", body: JSON.stringify(item) },
        { messageId: "garbage", body: "not json {" },
        { messageId: "v99", body: JSON.stringify({ ...item, v: 99 }) },
        // The relay's three refusals spent on "down": this one goes out.
        { messageId: "good", body: JSON.stringify(good) }
      ]
    })
    expect(answer).toEqual({
      batchItemFailures: [
        { itemIdentifier: "down" },
        { itemIdentifier: "garbage" },
        { itemIdentifier: "v99" }
      ]
    })
    expect(t.logs.map((l) => [l.level, l.outcome, l.reason, l.messageId])).toEqual([
      ["warn", "redelivery_failed", "smtp_reply_454", "down"],
      ["error", "redelivery_failed", "invalid_item", "garbage"],
      ["error", "redelivery_failed", "invalid_item", "v99"],
      ["info", "redelivered", undefined, "good"]
    ])
    expect(t.mail.sent).toHaveLength(1)
    expect(
      (await simpleParser(t.mail.sent[0]?.raw ?? "")).headers.get("x-contact-submission-id")
    ).toBe(good.id)
    await t.dispose()
  })

  it("the same item delivered twice carries the same id both times", async () => {
    const item = await itemOf()
    const t = await makeTestHandler()
    const event = { Records: [{ messageId: "m", body: JSON.stringify(item) }] }
    await t.redeliver(event)
    await t.redeliver(event)
    const ids = await Promise.all(
      t.mail.sent.map(async (s) =>
        (await simpleParser(s.raw)).headers.get("x-contact-submission-id")
      )
    )
    expect(ids).toEqual([item.id, item.id])
    await t.dispose()
  })
})
