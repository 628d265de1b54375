/**
 * A marked submission kept in the queue is redelivered marked (contract §12): the verdict
 * travels in the item, so the late mail is what the first attempt's would have been.
 */

import { Redacted } from "effect"
import { simpleParser } from "mailparser"
import { describe, expect, it } from "vitest"
import type { QueueItem } from "../src/domain/item"
import { SecretsStatic } from "../src/services/secrets"
import { startAkismetPeer } from "./support/akismet-peer"
import {
  captchaCredentials,
  MailScripted,
  makeTestHandler,
  QueueRecording,
  SpamCounting,
  smtpCredentials
} from "./support/doubles"
import { jsonPost } from "./support/events"

const spammy = {
  email: "ada@example.org",
  subject: "Offer",
  message: "See https://a.example https://b.example https://c.example",
  _t: "250",
  "frc-captcha-response": "token-ok"
}
const down = { responseCode: 454 } as const

describe("spam and the queue", () => {
  it("the relay down: the item holds the verdict, and its redelivery is marked as the first would have been", async () => {
    const items: Array<QueueItem> = []
    const t = await makeTestHandler({
      mail: (log) => MailScripted(log, [down, down, down]),
      queue: QueueRecording(items)
    })
    const answer = await t.handler(jsonPost(spammy))
    expect(JSON.parse(answer.body)).toEqual({ ok: true, queued: true })
    expect(items[0]?.spam).toEqual({ score: 6, reasons: ["links", "fast_submit"] })
    expect(
      await t.redeliver({ Records: [{ messageId: "m", body: JSON.stringify(items[0]) }] })
    ).toEqual({ batchItemFailures: [] })
    const mail = await simpleParser(t.mail.sent.at(-1)?.raw ?? "")
    expect(mail.subject).toBe("[Contact] [Spam?] Offer")
    expect(mail.headers.get("x-contact-spam")).toBe("score=6; reasons=links,fast_submit")
    await t.dispose()
  })

  it("SPAM_POLICY=off: no judgement, nothing marked, nothing in the item", async () => {
    const items: Array<QueueItem> = []
    const t = await makeTestHandler({
      env: { SPAM_POLICY: "off" },
      mail: (log) => MailScripted(log, [down, down, down]),
      queue: QueueRecording(items)
    })
    await t.handler(jsonPost(spammy))
    expect(items[0]?.spam).toBeUndefined()
    await t.dispose()
  })

  it("no judgement is begun for a token the captcha refuses outright (nothing goes to Akismet for it)", async () => {
    const begun = { count: 0 }
    const t = await makeTestHandler({ spam: SpamCounting(begun) })
    const { "frc-captcha-response": _, ...tokenless } = spammy
    const refused = await t.handler(jsonPost(tokenless))
    expect(JSON.parse(refused.body)).toMatchObject({ error: "captcha_failed" })
    expect(begun.count).toBe(0)
    await t.handler(jsonPost({ ...spammy, message: "A question, no links" }))
    expect(begun.count).toBe(1)
    await t.dispose()
  })

  it("Akismet is asked beside the captcha, with the visitor's address", async () => {
    const akismet = await startAkismetPeer()
    const t = await makeTestHandler({
      env: { AKISMET_SECRET_ID: "akismet", AKISMET_URL: akismet.url },
      secrets: SecretsStatic({
        smtp: smtpCredentials,
        captcha: captchaCredentials,
        akismet: { AKISMET_API_KEY: Redacted.make(akismet.key) }
      })
    })
    await t.handler(jsonPost({ ...spammy, message: "A question, no links" }))
    expect(akismet.requests).toHaveLength(1)
    expect(akismet.requests[0]?.fields.user_ip).toMatch(/\d/)
    await t.dispose()
    await akismet.close()
  })
})
