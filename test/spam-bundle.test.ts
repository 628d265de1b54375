/**
 * The spam judgement through the BUILT bundle (contract §12), against real peers: moto's
 * Secrets Manager, an SMTP relay and an Akismet peer. `mark` delivers marked, `drop` delivers
 * nothing; either way the visitor's answer is a clean submission's, byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type AkismetPeer, GUARANTEED_SPAM_AUTHOR, startAkismetPeer } from "./support/akismet-peer"
import { type BundleProcess, startBundle, submitTo } from "./support/bundle"
import { type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import { formPost, jsonPost } from "./support/events"
import { expectNoLeak } from "./support/reliability"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"
import { worldEnv } from "./support/world"

const suite = await secretsPeerOrSkip()

const clean = {
  name: "Ada",
  email: "ada@example.org",
  subject: "Question",
  message: "How much is it?",
  _t: "12000"
}
const spammy = {
  ...clean,
  message: "Cheap pills at https://a.example and https://b.example and https://c.example",
  _t: "400"
}

describe.skipIf(suite.skip)("spam, through the built bundle", () => {
  let smtp: SmtpPeer
  let captcha: CaptchaPeer
  let akismet: AkismetPeer
  const secrets = {
    smtp: uniqueSecretId("smtp"),
    captcha: uniqueSecretId("captcha"),
    akismet: uniqueSecretId("akismet")
  }
  const bundles: Array<BundleProcess> = []

  const bundle = async (extra: Record<string, string> = {}) => {
    const started = await startBundle(
      worldEnv(
        suite.peer(),
        { smtp, captcha, smtpSecret: secrets.smtp, captchaSecret: secrets.captcha },
        { CAPTCHA_PROVIDER: "none", ...extra }
      )
    )
    bundles.push(started)
    return started
  }
  /** What the visitor sees: status, headers that vary by answer, body. */
  const seen = (answer: {
    statusCode: number
    headers: Record<string, unknown>
    body: string
  }) => ({
    status: answer.statusCode,
    location: answer.headers.location,
    body: answer.body
  })
  const line = (answer: Awaited<ReturnType<typeof submitTo>>) =>
    answer.lines.find((l) => l.msg === "submission") ?? {}

  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls", auth: { user: "u", pass: "p" } })
    captcha = await startCaptchaPeer()
    akismet = await startAkismetPeer()
    await suite.peer().createSecret(secrets.smtp, { SMTP_USERNAME: "u", SMTP_PASSWORD: "p" })
    await suite.peer().createSecret(secrets.captcha, { FRIENDLYCAPTCHA_API_KEY: "k" })
    await suite.peer().createSecret(secrets.akismet, { AKISMET_API_KEY: akismet.key })
  })
  afterAll(async () => {
    for (const b of bundles) {
      expectNoLeak(b.logs, ["Cheap pills", "ada@example.org", "How much is it?", akismet.key])
      await b.close()
    }
    await Promise.all([smtp.close(), captcha.close(), akismet.close()])
  })

  it("mark (the default): delivered with [Spam?] after the prefix, the header and the footer's reasons; answered as a clean one", async () => {
    const web = await bundle()
    const cleanAnswer = await submitTo(web, formPost(clean))
    const spamAnswer = await submitTo(web, formPost(spammy))
    expect(seen(spamAnswer)).toEqual(seen(cleanAnswer))
    const [cleanMail, spamMail] = await smtp.waitForMails(2)
    expect(cleanMail?.subject).toBe("[Contact] Question")
    expect(cleanMail?.headers.get("x-contact-spam")).toBeUndefined()
    expect(spamMail?.subject).toBe("[Contact] [Spam?] Question")
    expect(spamMail?.headers.get("x-contact-spam")).toBe("score=6; reasons=links,fast_submit")
    const footer = String(spamMail?.text).split("\n--\n")[1] ?? ""
    expect(footer).toMatch(/\nSpam: score 6 \(links, fast_submit\)\nCaptcha: disabled\n$/)
    // `_t` is the form's own field: never an extra line of the mail.
    expect(cleanMail?.text).not.toMatch(/_t:/)
    expect(line(spamAnswer)).toMatchObject({ outcome: "sent" })
  })

  it("drop: nothing delivered, the sent answer, a line with the score and reasons and never the text", async () => {
    const web = await bundle({ SPAM_POLICY: "drop" })
    smtp.reset()
    const cleanAnswer = await submitTo(web, jsonPost(clean))
    const spamAnswer = await submitTo(web, jsonPost(spammy))
    expect(seen(spamAnswer)).toEqual(seen(cleanAnswer))
    const browserClean = await submitTo(web, formPost({ ...clean, message: "Another question" }))
    const browserSpam = await submitTo(web, formPost({ ...spammy, message: `${spammy.message}!` }))
    expect(seen(browserSpam)).toEqual(seen(browserClean))
    expect(smtp.mails.map((m) => m.subject)).toEqual(["[Contact] Question", "[Contact] Question"])
    expect(line(spamAnswer)).toMatchObject({
      outcome: "spam_dropped",
      score: 6,
      reasons: "links,fast_submit",
      SpamDropped: 1
    })
  })

  it("the same form with another _t is the same submission: a repeat, not a second mail", async () => {
    const web = await bundle()
    smtp.reset()
    const first = await submitTo(web, jsonPost({ ...clean, message: "Once only", _t: "9000" }))
    const again = await submitTo(web, jsonPost({ ...clean, message: "Once only", _t: "15000" }))
    expect(line(again)).toMatchObject({ outcome: "duplicate", id: line(first).id })
    expect(smtp.mails).toHaveLength(1)
  })

  it("Akismet on: its spam is marked with its reason; its outage passes the message, saying it was not asked", async () => {
    const web = await bundle({
      AKISMET_SECRET_ID: secrets.akismet,
      AKISMET_URL: akismet.url,
      AKISMET_TIMEOUT_MS: "500"
    })
    smtp.reset()
    await submitTo(web, jsonPost({ ...clean, name: GUARANTEED_SPAM_AUTHOR }))
    akismet.setBehaviour("serverError")
    await submitTo(web, jsonPost({ ...clean, message: "Akismet is down" }))
    akismet.setBehaviour("correct")
    const [flagged, unasked] = await smtp.waitForMails(2)
    expect(flagged?.subject).toBe("[Contact] [Spam?] Question")
    expect(flagged?.headers.get("x-contact-spam")).toBe("score=5; reasons=akismet")
    expect(unasked?.subject).toBe("[Contact] Question")
    expect(unasked?.headers.get("x-contact-spam")).toBe("score=0; reasons=akismet_unavailable")
    expect(akismet.requests[0]?.fields).toMatchObject({
      comment_author: GUARANTEED_SPAM_AUTHOR,
      comment_type: "contact-form",
      blog: "https://www.example.com"
    })
  })
})
