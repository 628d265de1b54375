/**
 * Mail through the SES v2 API (contract §8), against moto's SESv2 through the real AWS
 * SDK, behind the fault proxy (moto emulates no throttling: the proxy forges the 429).
 * The BUILT bundle, one process per configuration. The raw message SES receives is the one
 * the SMTP path sends, but for what each send makes anew.
 */
import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type BundleProcess, invokeBundle, startBundle, submitTo } from "./support/bundle"
import { baseEnv } from "./support/doubles"
import { formPost, jsonPost } from "./support/events"
import { expectNoLeak } from "./support/reliability"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { closedPort } from "./support/server"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"

const suite = await secretsPeerOrSkip()

const MAIL_TIMEOUT_MS = 3_000
const QUEUE_TIMEOUT_MS = 1_500
const SLACK_MS = 2_000
const visitor = {
  name: 'Müller, Anna "Annie"',
  email: "anna@example.org",
  subject: "Grüße, Preise & <Fragen>",
  body: "Hallo,\n\nwas kostet es? Ümlaute, «Anführungszeichen», 😀.",
  phone: "555-0100"
}
const forbidden = [visitor.name, visitor.email, visitor.subject, "was kostet es"]

/** The raw message with what each send makes anew replaced: Date, Message-ID, boundaries, the id. */
const normalized = (raw: string) =>
  raw
    .replace(/^Date: .*$/m, "Date: <date>")
    .replace(/^Message-ID: .*$/im, "Message-ID: <id>")
    .replace(/^X-Contact-Submission-Id: .*$/im, "X-Contact-Submission-Id: <submission>")
    .replace(/--_NmP-[0-9a-f]+-Part_\d+/g, "<boundary>")
    .replace(/\r\n\.\./g, "\r\n.")
    .trimEnd()

describe.skipIf(suite.skip)(
  "MAIL_TRANSPORT=ses, against moto's SESv2 through the fault proxy",
  () => {
    let smtp: SmtpPeer
    let queueUrl: string
    const bundles: Array<BundleProcess> = []
    const sesEnv = (overrides: Record<string, string> = {}) => ({
      ...baseEnv,
      ...suite.peer().env,
      MAIL_TRANSPORT: "ses",
      CAPTCHA_PROVIDER: "none",
      MAIL_TIMEOUT_MS: String(MAIL_TIMEOUT_MS),
      QUEUE_TIMEOUT_MS: String(QUEUE_TIMEOUT_MS),
      SMTP_SECRET_ID: "",
      ...overrides
    })
    const bundle = async (env: Record<string, string>) => {
      const started = await startBundle(env)
      bundles.push(started)
      return started
    }
    const submit = submitTo
    /** What moto's SES accepted during `f`. */
    const sentDuring = async (f: () => Promise<unknown>) => {
      const before = (await suite.peer().sesMessages()).length
      await f()
      return (await suite.peer().sesMessages()).slice(before)
    }

    beforeAll(async () => {
      smtp = await startSmtpPeer({ tls: "starttls" })
      await suite.peer().verifyIdentity("example.com")
    })
    beforeEach(async () => {
      suite.peer().setFault(undefined)
      suite.peer().resetCounts()
      smtp.reset()
      queueUrl = await suite.peer().createQueue(`ses-${randomUUID().slice(0, 8)}`)
    })
    afterAll(async () => {
      for (const b of bundles) {
        expectNoLeak(b.logs, forbidden)
        await b.close()
      }
      await Promise.all([smtp?.close(), suite.close()])
    })

    it("a verified sender: the raw message is the SMTP path's, headers and text, and no SMTP secret is read", async () => {
      const ses = await bundle(sesEnv())
      const sent = await sentDuring(async () => {
        const answer = await submit(ses, formPost(visitor))
        expect([answer.statusCode, answer.outcome?.outcome]).toEqual([303, "sent"])
      })
      expect(sent).toHaveLength(1)
      const [message] = sent
      expect(message?.source).toContain("<noreply@example.com>")
      expect(suite.peer().calls("GetSecretValue")).toBe(0)
      expect(suite.peer().calls("SendEmail")).toBe(1)

      const viaSmtp = await bundle({
        ...baseEnv,
        CAPTCHA_PROVIDER: "none",
        SMTP_URL: smtp.url,
        SMTP_TLS_CA_FILE: smtp.caFile,
        SMTP_SECRET_ID: ""
      })
      await submit(viaSmtp, formPost(visitor))
      const [relayed] = await smtp.waitForMails(1)
      const raw = String(relayed?.raw ?? "")
      expect(normalized(message?.raw ?? "")).toBe(normalized(raw))
      // And what that means, read back: the owner, the visitor's exact address, the id.
      expect(message?.raw).toMatch(/^To: Site Owner <owner@example\.com>$/m)
      expect(message?.raw).toMatch(/^Reply-To: .*<anna@example\.org>$/m)
      expect(message?.raw).toMatch(/^X-Contact-Submission-Id: [0-9a-f-]{36}$/im)
    })

    it("an unverified sender: MessageRejected → the 500 fallback; with a queue, kept as permanent", async () => {
      const unverified = { MAIL_FROM: "Contact <noreply@unverified.example>" }
      const plain = await bundle(sesEnv(unverified))
      const answer = await submit(plain, formPost(visitor))
      expect(answer.statusCode).toBe(500)
      expect(answer.body).toContain("Something went wrong")
      expect(answer.outcome).toMatchObject({
        outcome: "delivery_failed",
        reason: "ses_message_rejected"
      })
      const queued = await bundle(sesEnv({ ...unverified, QUEUE_URL: queueUrl }))
      const kept = await submit(queued, jsonPost(visitor))
      expect([kept.statusCode, JSON.parse(kept.body).kept]).toEqual([500, true])
      const items = (await suite.peer().queuedMessages(queueUrl)).map((m) => JSON.parse(m.body))
      expect(items.map((i) => [i.permanent, i.reason])).toEqual([[true, "ses_message_rejected"]])
    })

    it.each([
      ["throttled once (429 TooManyRequestsException)", { kind: "throttle", times: 1 }],
      ["a 500 once", { kind: "internal", times: 1 }]
    ] as const)("%s → retried → delivered", async (_, fault) => {
      const ses = await bundle(sesEnv())
      suite.peer().setFault({ ...fault, operation: "SendEmail" })
      const sent = await sentDuring(async () => {
        const answer = await submit(ses, formPost(visitor))
        expect([answer.statusCode, answer.outcome?.outcome]).toEqual([303, "sent"])
      })
      expect(sent).toHaveLength(1)
      expect(suite.peer().calls("SendEmail")).toBe(2)
    })

    // Every row of the README's SES table (contract §8), each error forged by the fault
    // proxy in front of moto exactly as SES answers it, with a queue: a transient failure
    // is retried (three attempts) and queued, a permanent one sent once and kept, an
    // unknown one sent once and queued marked; the log's reason names it.
    const transient = [
      [429, "TooManyRequestsException", "ses_too_many_requests"],
      [400, "LimitExceededException", "ses_limit_exceeded"],
      [400, "ThrottlingException", "ses_throttling"],
      [500, "InternalServiceErrorException", "ses_internal_service_error"],
      [503, "ServiceUnavailable", "ses_http_503"],
      [400, "SomethingNewException", "ses_something_new"]
    ] as const
    const permanent = [
      [400, "MessageRejected", "ses_message_rejected"],
      [400, "MailFromDomainNotVerifiedException", "ses_mail_from_domain_not_verified"],
      [400, "AccountSuspendedException", "ses_account_suspended"],
      [400, "SendingPausedException", "ses_sending_paused"],
      [404, "NotFoundException", "ses_not_found"],
      [400, "BadRequestException", "ses_bad_request"],
      [403, "AccessDeniedException", "ses_access_denied"],
      [403, "UnrecognizedClientException", "ses_unrecognized_client"],
      [403, "InvalidSignatureException", "ses_invalid_signature"]
    ] as const

    const queuedItems = async () =>
      (await suite.peer().queuedMessages(queueUrl)).map((m) => JSON.parse(m.body))

    it.each(transient)(
      "%i %s every time → retried, then queued (%s)",
      async (status, type, reason) => {
        const ses = await bundle(sesEnv({ QUEUE_URL: queueUrl }))
        suite.peer().setFault({ kind: "error", status, type, operation: "SendEmail" })
        const answer = await submit(ses, formPost(visitor))
        expect([answer.statusCode, answer.outcome?.outcome, answer.outcome?.reason]).toEqual([
          303,
          "queued",
          reason
        ])
        expect(suite.peer().calls("SendEmail")).toBe(3)
        expect((await queuedItems()).map((i) => [i.permanent, i.reason, i.unknownAt])).toEqual([
          [false, reason, undefined]
        ])
      }
    )

    it.each(permanent)("%i %s → sent once, kept (%s)", async (status, type, reason) => {
      const ses = await bundle(sesEnv({ QUEUE_URL: queueUrl }))
      suite.peer().setFault({ kind: "error", status, type, operation: "SendEmail" })
      const answer = await submit(ses, jsonPost(visitor))
      expect([answer.statusCode, JSON.parse(answer.body).kept]).toEqual([500, true])
      expect(answer.outcome).toMatchObject({ outcome: "delivery_failed", kept: true, reason })
      expect(suite.peer().calls("SendEmail")).toBe(1)
      expect((await queuedItems()).map((i) => [i.permanent, i.reason])).toEqual([[true, reason]])
    })

    it.each([
      ["hangs after the request left", { kind: "hang" }, "ses_unknown_timeout"],
      ["drops the connection after the request left", { kind: "drop" }, "ses_unknown_connection"]
    ] as const)("SES %s → unknown: sent once, queued marked (%s)", async (_, fault, reason) => {
      const ses = await bundle(sesEnv({ QUEUE_URL: queueUrl, UNKNOWN_RETRY_MINUTES: "0" }))
      suite.peer().setFault({ ...fault, operation: "SendEmail" })
      const answer = await submit(ses, formPost(visitor))
      expect([answer.statusCode, answer.outcome?.outcome, answer.outcome?.reason]).toEqual([
        303,
        "queued",
        reason
      ])
      expect(suite.peer().calls("SendEmail")).toBe(1)
      const [item] = await queuedItems()
      expect(item).toMatchObject({ permanent: false, reason })
      expect(item.unknownAt).toMatch(/^\d{4}-\d\d-\d\dT/)
      // Redelivered marked, through SES.
      suite.peer().setFault(undefined)
      const sent = await sentDuring(async () => {
        const consumer = await bundle(sesEnv({ QUEUE_URL: queueUrl, UNKNOWN_RETRY_MINUTES: "0" }))
        const records = (await suite.peer().queuedMessages(queueUrl)).map((m) => ({
          messageId: m.messageId,
          body: m.body
        }))
        expect(await consumer.redeliver({ Records: records })).toEqual({ batchItemFailures: [] })
      })
      expect(sent).toHaveLength(1)
      expect(sent[0]?.raw).toMatch(
        new RegExp(`^X-Contact-Possible-Duplicate: ${item.unknownAt.replace(/\./g, "\\.")}$`, "im")
      )
    })

    it("the connection refused (nothing listening) → retried, then queued as unreachable", async () => {
      const closed = `http://127.0.0.1:${await closedPort()}`
      const ses = await bundle(sesEnv({ QUEUE_URL: queueUrl, AWS_ENDPOINT_URL_SESV2: closed }))
      const answer = await submit(ses, formPost(visitor))
      expect([answer.statusCode, answer.outcome?.outcome, answer.outcome?.reason]).toEqual([
        303,
        "queued",
        "ses_unreachable"
      ])
      expect((await queuedItems()).map((i) => [i.permanent, i.unknownAt])).toEqual([
        [false, undefined]
      ])
    })

    it("throttled throughout → queued, within MAIL_TIMEOUT_MS plus the queue's bound", async () => {
      const ses = await bundle(sesEnv({ QUEUE_URL: queueUrl }))
      suite.peer().setFault({ kind: "throttle", operation: "SendEmail" })
      const answer = await submit(ses, formPost(visitor))
      expect([answer.statusCode, answer.outcome?.outcome]).toEqual([303, "queued"])
      expect(answer.outcome?.reason).toMatch(/^ses_(too_many_requests|timeout)$/)
      expect(answer.ms).toBeLessThan(MAIL_TIMEOUT_MS + QUEUE_TIMEOUT_MS + SLACK_MS)
      expect(await suite.peer().queuedMessages(queueUrl)).toHaveLength(1)
    })

    it("no answer at all: the request left → unknown at MAIL_TIMEOUT_MS, never sent again (contract §7a)", async () => {
      const ses = await bundle(sesEnv())
      suite.peer().resetCounts()
      suite.peer().setFault({ kind: "hang", operation: "SendEmail" })
      const answer = await submit(ses, formPost(visitor))
      expect(answer.statusCode).toBe(500)
      expect(answer.body).toContain("Your message has probably reached us")
      expect(answer.outcome).toMatchObject({
        outcome: "delivery_unknown",
        reason: "ses_unknown_timeout"
      })
      // One request left: the SDK's retries and ours would each have been another copy.
      expect(suite.peer().calls("SendEmail")).toBe(1)
      expect(answer.ms).toBeGreaterThanOrEqual(MAIL_TIMEOUT_MS - 50)
      expect(answer.ms).toBeLessThan(MAIL_TIMEOUT_MS + SLACK_MS)
    })

    it("ses with SMTP_URL set fails the cold start naming it; with SMTP_SECRET_ID empty it starts", async () => {
      const refused = await invokeBundle(
        sesEnv({ SMTP_URL: "smtps://email-smtp.eu-west-1.amazonaws.com" }),
        []
      )
      expect(refused.code).not.toBe(0)
      expect(refused.stderr).toMatch(/^- SMTP_URL: not used with MAIL_TRANSPORT=ses/m)
      const started = await invokeBundle(sesEnv({ SMTP_SECRET_ID: "" }), [])
      expect([started.code, started.stderr]).toEqual([0, ""])
    })

    it("redeliver sends a queued item through SES when SES is configured", async () => {
      const web = await bundle(sesEnv({ QUEUE_URL: queueUrl }))
      suite.peer().setFault({ kind: "throttle", operation: "SendEmail" })
      await submit(web, formPost(visitor))
      suite.peer().setFault(undefined)
      const messages = await suite.peer().queuedMessages(queueUrl)
      const consumer = await bundle(sesEnv({ QUEUE_URL: queueUrl }))
      const sent = await sentDuring(async () => {
        const answer = await consumer.redeliver({
          Records: messages.map((m) => ({ messageId: m.messageId, body: m.body }))
        })
        expect(answer).toEqual({ batchItemFailures: [] })
      })
      expect(sent).toHaveLength(1)
      expect(sent[0]?.raw).toContain("Delivered late: received ")
      expect(smtp.mails).toHaveLength(0)
    })

    it("a set SMTP_SECRET_ID is refused under ses, and never fetched", async () => {
      const id = uniqueSecretId("smtp")
      await suite.peer().createSecret(id, { SMTP_USERNAME: "u", SMTP_PASSWORD: "p" })
      const run = await invokeBundle(
        { ...baseEnv, ...suite.peer().env, MAIL_TRANSPORT: "ses", SMTP_SECRET_ID: id },
        []
      )
      // Set and not empty: refused, so no deployment believes it is in use.
      expect(run.stderr).toMatch(/^- SMTP_SECRET_ID: not used with MAIL_TRANSPORT=ses/m)
      expect(suite.peer().calls("GetSecretValue")).toBe(0)
    })
  }
)
