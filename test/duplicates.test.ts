/**
 * Double submissions (contract §9) through the real Lambda adapter over doubles: a
 * repeat in one process is answered as the first one was, in its own mode and language,
 * and sends nothing; a repeat on another process is told by the captcha API that its token
 * was used: 409 already received, never captcha_failed. A failure is not remembered.
 */
import { describe, expect, it } from "vitest"
import type { QueueItem } from "../src/domain/item"
import { CaptchaDisabled } from "../src/services/captcha"
import {
  CaptchaSingleUse,
  CaptchaVerifying,
  MailScripted,
  MailWaiting,
  makeTestHandler,
  QueueRecording
} from "./support/doubles"
import { formPost, jsonPost } from "./support/events"

const token = "frc-token-4f1c"
const visitor = {
  name: "Müller, Anna",
  email: "anna@example.org",
  subject: "Question about pricing",
  body: "Hello,\r\n\r\nhow much is it?",
  "frc-captcha-response": token
}

type Log = Readonly<Record<string, unknown>>
const outcomes = (logs: ReadonlyArray<Log>) =>
  logs.flatMap((l) => ("outcome" in l ? [l.outcome] : []))

describe("a repeat in the same process", () => {
  it("sequential double submit, one token → two 303s, one mail, one verification, one duplicate line", async () => {
    const asked: Array<string | undefined> = []
    const t = await makeTestHandler({ captcha: CaptchaSingleUse(asked) })
    const first = await t.handler(formPost(visitor))
    const again = await t.handler(formPost(visitor))
    for (const result of [first, again]) {
      expect([result.statusCode, result.headers.location]).toEqual([
        303,
        "https://www.example.com/thanks"
      ])
    }
    expect(t.mail.sent).toHaveLength(1)
    expect(asked).toEqual([token])
    expect(outcomes(t.logs)).toEqual(["sent", "duplicate"])
    const [sent, duplicate] = t.logs
    // The repeat names the first one's id and outcome; it counts no metric.
    expect(duplicate).toMatchObject({
      level: "info",
      msg: "submission",
      first: "sent",
      id: sent?.id
    })
    expect(duplicate).not.toHaveProperty("Sent")
    expect(duplicate).not.toHaveProperty("_aws")
    await t.dispose()
  })

  it("concurrent double submit: the repeat waits for the first one in flight, then the same 303", async () => {
    const asked: Array<string | undefined> = []
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const t = await makeTestHandler({
      captcha: CaptchaSingleUse(asked),
      mail: (log) => MailWaiting(log, held)
    })
    const first = t.handler(formPost(visitor))
    const again = t.handler(formPost(visitor))
    await new Promise((resolve) => setTimeout(resolve, 100))
    // Both are in: the first at the relay, the repeat waiting for it (not at the captcha).
    expect(asked).toEqual([token])
    expect(t.mail.attempts).toHaveLength(0)
    release()
    const results = await Promise.all([first, again])
    expect(results.map((r) => [r.statusCode, r.headers.location])).toEqual([
      [303, "https://www.example.com/thanks"],
      [303, "https://www.example.com/thanks"]
    ])
    expect(t.mail.sent).toHaveLength(1)
    expect(asked).toEqual([token])
    expect(outcomes(t.logs).sort()).toEqual(["duplicate", "sent"])
    await t.dispose()
  })

  it("the same in JSON mode: 200 {ok:true} twice, one mail", async () => {
    const t = await makeTestHandler({ captcha: CaptchaSingleUse() })
    const first = await t.handler(jsonPost(visitor))
    const again = await t.handler(jsonPost(visitor))
    expect([first.statusCode, first.body]).toEqual([200, '{"ok":true}'])
    expect([again.statusCode, again.body]).toEqual([200, '{"ok":true}'])
    expect(t.mail.sent).toHaveLength(1)
    await t.dispose()
  })

  it("a repeat in another language and mode is answered in its own", async () => {
    const t = await makeTestHandler({ captcha: CaptchaSingleUse() })
    expect((await t.handler(formPost(visitor))).headers.location).toBe(
      "https://www.example.com/thanks"
    )
    const german = await t.handler(formPost({ ...visitor, language: "de" }))
    expect([german.statusCode, german.headers.location]).toEqual([
      303,
      "https://www.example.com/de/danke"
    ])
    const json = await t.handler(jsonPost({ ...visitor, language: "de" }))
    expect([json.statusCode, json.body]).toEqual([200, '{"ok":true}'])
    expect(t.mail.sent).toHaveLength(1)
    expect(outcomes(t.logs)).toEqual(["sent", "duplicate", "duplicate"])
    await t.dispose()
  })

  it("a repeat of a queued one is queued too, and not queued again; of a kept one, the kept page", async () => {
    const items: Array<QueueItem> = []
    const refusing = { responseCode: 454 } as const
    const t = await makeTestHandler({
      captcha: CaptchaSingleUse(),
      mail: (log) => MailScripted(log, [refusing, refusing, refusing, { responseCode: 554 }]),
      queue: QueueRecording(items)
    })
    await t.handler(jsonPost(visitor))
    const again = await t.handler(jsonPost(visitor))
    expect([again.statusCode, again.body]).toEqual([200, '{"ok":true,"queued":true}'])
    const kept = { ...visitor, "frc-captcha-response": "frc-token-other" }
    await t.handler(formPost(kept))
    const keptAgain = await t.handler(formPost(kept))
    expect(keptAgain.statusCode).toBe(500)
    expect(keptAgain.body).toContain("Your message is safe with us")
    expect(keptAgain.body).toContain("how much is it?")
    expect(items.map((i) => i.permanent)).toEqual([false, true])
    expect(outcomes(t.logs)).toEqual(["queued", "duplicate", "delivery_failed", "duplicate"])
    expect(t.logs.map((l) => l.first).filter(Boolean)).toEqual(["queued", "kept"])
    await t.dispose()
  })

  it("an edited form with the same token is not a repeat: the captcha API says used → 409 with the edited text", async () => {
    const asked: Array<string | undefined> = []
    const t = await makeTestHandler({
      captcha: CaptchaSingleUse(asked),
      env: { FALLBACK_PHONE: "+49 30 1234567" }
    })
    await t.handler(formPost(visitor))
    const edited = {
      ...visitor,
      subject: "Pricing, corrected",
      body: "Hello,\r\n\r\nhow much for two?"
    }
    const page = await t.handler(formPost(edited))
    expect(page.statusCode).toBe(409)
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8")
    expect(page.body).toContain("This message has probably arrived already")
    expect(page.body).toContain("Pricing, corrected")
    expect(page.body).toContain("how much for two?")
    expect(page.body).toContain(
      'href="mailto:owner@example.com?subject=Pricing%2C%20corrected&#38;body=Hello%2C%0D%0A%0D%0Ahow%20much%20for%20two%3F"'
    )
    expect(page.body).toContain('href="tel:+49301234567"')
    expect(page.body).not.toContain("We could not confirm you are human")
    const json = await t.handler(jsonPost({ ...edited, body: "Third version" }))
    expect(json.statusCode).toBe(409)
    expect(JSON.parse(json.body)).toEqual({
      ok: false,
      error: "already_received",
      fallback: {
        email: "owner@example.com",
        phone: "+49 30 1234567",
        mailto: "mailto:owner@example.com?subject=Pricing%2C%20corrected&body=Third%20version"
      }
    })
    expect(t.mail.sent).toHaveLength(1)
    expect(asked).toEqual([token, token, token])
    expect(t.logs.slice(1)).toEqual([
      expect.objectContaining({
        level: "info",
        outcome: "already_received",
        reason: "captcha_response_duplicate",
        status: 409
      }),
      expect.objectContaining({ outcome: "already_received" })
    ])
    await t.dispose()
  })

  it("a failure is not remembered: the same form again, relay back → delivered", async () => {
    const down = { code: "ECONNECTION" } as const
    const t = await makeTestHandler({
      // Verifies the token every time: this is about the guard, not the captcha API.
      captcha: CaptchaVerifying(),
      mail: (log) => MailScripted(log, [down, down, down])
    })
    const failed = await t.handler(formPost(visitor))
    expect(failed.statusCode).toBe(500)
    const retried = await t.handler(formPost(visitor))
    expect([retried.statusCode, retried.headers.location]).toEqual([
      303,
      "https://www.example.com/thanks"
    ])
    expect(t.mail.sent).toHaveLength(1)
    expect(t.mail.attempts).toHaveLength(4)
    expect(outcomes(t.logs)).toEqual(["delivery_failed", "sent"])
    await t.dispose()
  })

  it("no key without a real token: two placeholder tokens are asked about twice", async () => {
    // A captcha that (wrongly) verifies anything: only the flow's rule can keep them apart.
    const t = await makeTestHandler({ captcha: CaptchaVerifying() })
    const placeholder = { ...visitor, "frc-captcha-response": ".UNSTARTED" }
    await t.handler(jsonPost(placeholder))
    await t.handler(jsonPost(placeholder))
    expect(t.mail.sent).toHaveLength(2)
    expect(outcomes(t.logs)).toEqual(["sent", "sent"])
    await t.dispose()
  })

  it("with CAPTCHA_PROVIDER=none the key is the form alone; another form is no repeat", async () => {
    const t = await makeTestHandler({ env: { CAPTCHA_PROVIDER: "none" }, captcha: CaptchaDisabled })
    const { "frc-captcha-response": _, ...plain } = visitor
    await t.handler(formPost(plain))
    await t.handler(formPost(plain))
    await t.handler(formPost({ ...plain, phone: "555-0100" }))
    expect(t.mail.sent).toHaveLength(2)
    expect(outcomes(t.logs)).toEqual(["sent", "duplicate", "sent"])
    await t.dispose()
  })
})
