/**
 * End to end: the BUILT bundle (dist/lambda/index.mjs) in a fresh Node process per
 * scenario, against real protocol peers started here on 127.0.0.1: an SMTP server with
 * STARTTLS (or implicit TLS) and AUTH, a FriendlyCaptcha server, and Secrets Manager
 * (moto) reached through the real AWS SDK via AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type BundleProcess, startBundle } from "./support/bundle"
import { type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import { formBody, functionUrlEvent, httpApiEvent, restApiEvent } from "./support/events"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { type ReceivedMail, type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"
import { worldEnv } from "./support/world"

const suite = await secretsPeerOrSkip()

const smtpUser = "ses-smtp-user"
const visitor = {
  name: 'Müller, Anna "Annie"',
  email: "anna@example.org",
  subject: "Frage zu Preisen – Größe?",
  body: "Hello,\n\nwhat does the large one cost?"
}

interface World {
  smtp: SmtpPeer
  captcha: CaptchaPeer
  smtpSecret: string
  captchaSecret: string
}

const fields = (
  captcha: CaptchaPeer,
  extra: ReadonlyArray<readonly [string, string]> = []
): ReadonlyArray<readonly [string, string]> => [
  ...Object.entries(visitor),
  ["phone", "555-0100"],
  ["company", "ACME"],
  ...extra,
  // Each submission its own token, as each visit solves its own puzzle: the same one again
  // would be a repeat (contract §9).
  ["frc-captcha-response", captcha.newToken()]
]

const asForm = (list: ReadonlyArray<readonly [string, string]>) => formBody(list)
const asJson = (list: ReadonlyArray<readonly [string, string]>) =>
  JSON.stringify(Object.fromEntries(list))

const envFor = (world: World, overrides: Record<string, string> = {}) =>
  worldEnv(suite.peer(), world, {
    CAPTCHA_TIMEOUT_MS: "1500",
    MAIL_TIMEOUT_MS: "8000",
    ...overrides
  })

/** A new world per scenario: its own secrets in moto, its own SMTP and captcha peers. */
const makeWorld = async (
  tls: "starttls" | "implicit",
  password = "pw-1",
  captchaOptions: { readonly singleUse?: boolean } = {}
): Promise<World> => {
  const peer = suite.peer()
  const smtp = await startSmtpPeer({ tls, auth: { user: smtpUser, pass: password } })
  const captcha = await startCaptchaPeer(captchaOptions)
  const world = {
    smtp,
    captcha,
    smtpSecret: uniqueSecretId("smtp"),
    captchaSecret: uniqueSecretId("captcha")
  }
  await peer.createSecret(world.smtpSecret, { SMTP_USERNAME: smtpUser, SMTP_PASSWORD: password })
  await peer.createSecret(world.captchaSecret, {
    FRIENDLYCAPTCHA_SITEKEY: captcha.credentials.sitekey,
    FRIENDLYCAPTCHA_API_KEY: captcha.credentials.apiKey,
    FRIENDLYCAPTCHA_SECRET: captcha.credentials.secret
  })
  return world
}

const closeWorld = async (world: World) => {
  await Promise.all([world.smtp.close(), world.captcha.close()])
}

const expectTheMail = (mail: ReceivedMail | undefined, verdict: string) => {
  expect(mail).toBeDefined()
  if (mail === undefined) return
  expect(mail.from?.value).toEqual([{ name: "Web contact form", address: "noreply@example.com" }])
  expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : []).toEqual([
    { name: "Site Owner", address: "owner@example.com" }
  ])
  expect(mail.envelope.rcptTo).toEqual(["owner@example.com"])
  expect(mail.envelope.mailFrom).toBe("noreply@example.com")
  expect(mail.replyTo?.value).toEqual([{ name: visitor.name, address: visitor.email }])
  expect(mail.text?.replace(/\r\n/g, "\n")).toBe(
    `${visitor.body}\n\n--\nName: ${visitor.name}\nEmail: ${visitor.email}\nLanguage: en\nphone: 555-0100\ncompany: ACME\n${verdict}\n`
  )
  expect(mail.authUser).toBe(smtpUser)
  expect(mail.secure).toBe(true)
}

describe.skipIf(suite.skip)("end to end: the built bundle against real peers", () => {
  afterAll(() => suite.close())

  describe("STARTTLS relay", () => {
    let world: World
    let bundle: BundleProcess
    beforeAll(async () => {
      world = await makeWorld("starttls")
      bundle = await startBundle(envFor(world))
    })
    afterAll(async () => {
      expect(await bundle.close()).toBe(0)
      await closeWorld(world)
    })
    beforeEach(() => {
      world.smtp.reset()
      world.captcha.reset()
    })

    it("HTTP API 2.0 JSON → 200, mail received over STARTTLS with AUTH, exactly as contract §5", async () => {
      const sent = fields(world.captcha)
      const result = await bundle.invoke(
        httpApiEvent({ body: asJson(sent), headers: { "Content-Type": "application/json" } })
      )
      expect(result.statusCode).toBe(200)
      expect(JSON.parse(result.body)).toEqual({ ok: true })
      const [mail] = await world.smtp.waitForMails(1)
      expectTheMail(mail, "Captcha: verified")
      expect(mail?.subject).toBe(`[Contact] ${visitor.subject}`)
      // The captcha peer saw the v2 request: token, sitekey and the API key header.
      expect(world.captcha.requests).toHaveLength(1)
      expect(world.captcha.requests[0]).toMatchObject({
        version: "v2",
        headers: { "x-api-key": world.captcha.credentials.apiKey },
        body: {
          response: Object.fromEntries(sent)["frc-captcha-response"],
          sitekey: world.captcha.credentials.sitekey
        }
      })
      // Nothing of our tracing reaches a third party.
      expect(world.captcha.requests[0]?.headers).not.toHaveProperty("traceparent")
      expect(world.captcha.requests[0]?.headers).not.toHaveProperty("b3")
    })

    it.each([
      [
        "HTTP API 2.0 urlencoded, base64",
        () =>
          httpApiEvent({
            body: asForm(fields(world.captcha)),
            base64: true,
            headers: { "Content-Type": "application/x-www-form-urlencoded" }
          })
      ],
      [
        "REST API 1.0",
        () =>
          restApiEvent({
            body: asForm(fields(world.captcha)),
            headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "text/html" }
          })
      ],
      [
        "Function URL, base64",
        () =>
          functionUrlEvent({
            body: asForm(fields(world.captcha)),
            base64: true,
            headers: { "content-type": "application/x-www-form-urlencoded" }
          })
      ]
    ])("%s → 303 to the success URL, mail received", async (_, event) => {
      const result = await bundle.invoke(event())
      expect(result.statusCode).toBe(303)
      expect(result.headers.location).toBe("https://www.example.com/thanks")
      const [mail] = await world.smtp.waitForMails(1)
      expectTheMail(mail, "Captcha: verified")
    })

    it("secrets: one GetSecretValue per secret for all requests of this process within the TTL", () => {
      const peer = suite.peer()
      expect(peer.getSecretValueCalls(world.smtpSecret)).toBe(1)
      expect(peer.getSecretValueCalls(world.captchaSecret)).toBe(1)
    })

    it("captcha outage → delivered, marked unverified", async () => {
      world.captcha.setBehaviour("serverError")
      const result = await bundle.invoke(
        httpApiEvent({
          body: asJson(fields(world.captcha)),
          headers: { "Content-Type": "application/json" }
        })
      )
      expect(result.statusCode).toBe(200)
      const [mail] = await world.smtp.waitForMails(1)
      expect(mail?.subject).toBe(`[Contact] [unverified] ${visitor.subject}`)
      expectTheMail(mail, "Captcha: NOT verified (http_500)")
      expect(bundle.logs.at(-1)).toMatchObject({
        level: "warn",
        outcome: "sent",
        captcha: "unverified:http_500"
      })
    })

    it("captcha rejection → 400, no mail", async () => {
      world.captcha.setBehaviour("wrongSolution")
      const result = await bundle.invoke(
        httpApiEvent({
          body: asJson(fields(world.captcha)),
          headers: { "Content-Type": "application/json" }
        })
      )
      expect(result.statusCode).toBe(400)
      expect(JSON.parse(result.body)).toEqual({ ok: false, error: "captcha_failed" })
      expect(world.smtp.stats.mailCommands).toBe(0)
      expect(world.smtp.mails).toHaveLength(0)
    })

    it("SMTP poisoned (554 on DATA) → 500 page with the visitor's message, no retry", async () => {
      world.smtp.setFaults({ dataEnd: { code: 554, message: "Message rejected" } })
      const result = await bundle.invoke(
        httpApiEvent({
          body: asForm(fields(world.captcha)),
          base64: true,
          headers: { "Content-Type": "application/x-www-form-urlencoded" }
        })
      )
      expect(result.statusCode).toBe(500)
      expect(result.headers["content-type"]).toBe("text/html; charset=utf-8")
      expect(result.body).toContain("Something went wrong")
      expect(result.body).toContain("what does the large one cost?")
      expect(result.body).toContain("mailto:owner@example.com?subject=")
      expect(world.smtp.stats.mailCommands).toBe(1)
      expect(world.smtp.mails).toHaveLength(0)
    })

    it("SMTP secret rotated in moto after a 535 → delivered without a new process", async () => {
      await suite
        .peer()
        .putSecretValue(world.smtpSecret, { SMTP_USERNAME: smtpUser, SMTP_PASSWORD: "pw-2" })
      world.smtp.setCredentials(smtpUser, "pw-2")
      const before = suite.peer().getSecretValueCalls(world.smtpSecret)
      const result = await bundle.invoke(
        httpApiEvent({
          body: asJson(fields(world.captcha)),
          headers: { "Content-Type": "application/json" }
        })
      )
      expect(result.statusCode).toBe(200)
      expect(await world.smtp.waitForMails(1)).toHaveLength(1)
      expect(world.smtp.stats.authFailures).toBe(1)
      expect(suite.peer().getSecretValueCalls(world.smtpSecret)).toBe(before + 1)
    })
  })

  describe("implicit TLS relay (smtps://)", () => {
    it("happy path → 303, mail received over TLS with AUTH", async () => {
      const world = await makeWorld("implicit")
      expect(world.smtp.url).toMatch(/^smtps:\/\//)
      const bundle = await startBundle(envFor(world))
      const result = await bundle.invoke(
        httpApiEvent({
          body: asForm(fields(world.captcha)),
          base64: true,
          headers: { "Content-Type": "application/x-www-form-urlencoded" }
        })
      )
      expect(result.statusCode).toBe(303)
      const [mail] = await world.smtp.waitForMails(1)
      expectTheMail(mail, "Captcha: verified")
      expect(await bundle.close()).toBe(0)
      await closeWorld(world)
    })
  })

  describe("a double submission, against a captcha peer whose tokens are single-use", () => {
    const tokenField = { v1: "frc-captcha-solution", v2: "frc-captcha-response" } as const

    it.each(["v2", "v1"] as const)(
      "%s: a repeat in the same process is a duplicate; in another one, 409 already received",
      async (version) => {
        const world = await makeWorld("starttls", "pw-1", { singleUse: true })
        const env = envFor(world, {
          CAPTCHA_PROVIDER: `friendlycaptcha-${version}`,
          CAPTCHA_VERIFY_URL: version === "v1" ? world.captcha.v1Url : world.captcha.v2Url
        })
        // Another Lambda environment: where a concurrent double-click always lands.
        const [first, other] = await Promise.all([startBundle(env), startBundle(env)])
        try {
          const form = [
            ...Object.entries(visitor),
            [tokenField[version], world.captcha.newToken()] as const
          ]
          const html = () =>
            httpApiEvent({
              body: asForm(form),
              base64: true,
              headers: { "Content-Type": "application/x-www-form-urlencoded" }
            })
          const answers = [await first.invoke(html()), await first.invoke(html())]
          expect(answers.map((a) => [a.statusCode, a.headers.location])).toEqual([
            [303, "https://www.example.com/thanks"],
            [303, "https://www.example.com/thanks"]
          ])
          expect(await world.smtp.waitForMails(1)).toHaveLength(1)
          expect(world.captcha.requests).toHaveLength(1)
          expect(first.logs.filter((l) => "outcome" in l).map((l) => l.outcome)).toEqual([
            "sent",
            "duplicate"
          ])

          const page = await other.invoke(html())
          expect(page.statusCode).toBe(409)
          expect(page.body).toContain("This message has probably arrived already")
          expect(page.body).toContain("what does the large one cost?")
          expect(page.body).toContain('href="mailto:owner@example.com?subject=')
          const json = await other.invoke(
            httpApiEvent({ body: asJson(form), headers: { "Content-Type": "application/json" } })
          )
          expect(json.statusCode).toBe(409)
          expect(JSON.parse(json.body)).toMatchObject({
            ok: false,
            error: "already_received",
            fallback: { email: "owner@example.com", mailto: expect.stringContaining("?subject=") }
          })
          expect(other.logs.at(-1)).toMatchObject({
            level: "info",
            outcome: "already_received",
            reason:
              version === "v1"
                ? "captcha_solution_timeout_or_duplicate"
                : "captcha_response_duplicate"
          })
          // Nothing more was sent: one mail in all.
          expect(world.smtp.mails).toHaveLength(1)
          expect(world.captcha.requests).toHaveLength(3)
        } finally {
          expect(await first.close()).toBe(0)
          expect(await other.close()).toBe(0)
          await closeWorld(world)
        }
      }
    )
  })

  describe("a missing secret", () => {
    it("→ 500 page; created in moto → the next request delivers (failures are not cached)", async () => {
      const world = await makeWorld("starttls")
      const missing = uniqueSecretId("smtp-later")
      const bundle = await startBundle(envFor(world, { SMTP_SECRET_ID: missing }))
      const event = () =>
        httpApiEvent({
          body: asJson(fields(world.captcha)),
          headers: { "Content-Type": "application/json" }
        })
      const first = await bundle.invoke(event())
      expect(first.statusCode).toBe(500)
      expect(JSON.parse(first.body)).toMatchObject({
        ok: false,
        error: "delivery_failed",
        fallback: { email: "owner@example.com" }
      })
      expect(bundle.logs.at(-1)).toMatchObject({
        outcome: "delivery_failed",
        reason: "secret_smtp_missing"
      })
      await suite.peer().createSecret(missing, { SMTP_USERNAME: smtpUser, SMTP_PASSWORD: "pw-1" })
      const second = await bundle.invoke(event())
      expect(second.statusCode).toBe(200)
      expect(await world.smtp.waitForMails(1)).toHaveLength(1)
      expect(await bundle.close()).toBe(0)
      await closeWorld(world)
    })
  })
})
