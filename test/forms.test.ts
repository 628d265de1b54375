/**
 * Several forms in one deployment (contract §10), against real peers: the BUILT bundle,
 * a STARTTLS + AUTH relay, a FriendlyCaptcha peer with a sitekey per site, moto for the
 * secrets and the queue. Each form sends to its own owner, from its own sender, with its
 * own prefix, success URL, origins and captcha secret; nothing of one reaches the other.
 */
import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type BundleProcess, invokeBundle, startBundle, submitTo } from "./support/bundle"
import { type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import { baseEnv } from "./support/doubles"
import { browser, formBody, httpApiEvent, json, restApiEvent, urlencoded } from "./support/events"
import { acmeForm, globexForm } from "./support/forms"
import { expectNoLeak } from "./support/reliability"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"

const suite = await secretsPeerOrSkip()

const smtpUser = "forms-smtp-user"
const smtpPassword = "forms-pw-0c1d2e3f"
const sitekeys = { acme: "FCMACMESITEKEY01", globex: "FCMGLOBEXSITEKEY" }
const secretIds = { acme: uniqueSecretId("frc-acme"), globex: uniqueSecretId("frc-globex") }
const smtpSecret = uniqueSecretId("smtp")
const defaultCaptchaSecret = uniqueSecretId("captcha")

const forms = {
  acme: { ...acmeForm, captchaSecretId: secretIds.acme },
  globex: { ...globexForm, captchaSecretId: secretIds.globex }
}

const visitor = {
  name: "Zoë Quillfeather",
  email: "zoe.quillfeather@example.org",
  subject: "Zebra umbrellas",
  body: "Please call me back about the zebra umbrellas."
}

describe.skipIf(suite.skip)("several forms in one deployment, against real peers", () => {
  let smtp: SmtpPeer
  let captcha: CaptchaPeer
  let queueUrl: string
  const bundles: Array<BundleProcess> = []

  const envWith = (overrides: Record<string, string | undefined> = {}) => {
    const env: Record<string, string> = {}
    const all = {
      ...baseEnv,
      ...suite.peer().env,
      SMTP_URL: smtp.url,
      SMTP_TLS_CA_FILE: smtp.caFile,
      SMTP_SECRET_ID: smtpSecret,
      CAPTCHA_SECRET_ID: defaultCaptchaSecret,
      CAPTCHA_VERIFY_URL: captcha.v2Url,
      FORMS: JSON.stringify(forms),
      QUEUE_URL: queueUrl,
      MAIL_TIMEOUT_MS: "2000",
      ...overrides
    }
    for (const [name, value] of Object.entries(all)) if (value !== undefined) env[name] = value
    return env
  }
  const bundle = async (overrides: Record<string, string | undefined> = {}) => {
    const started = await startBundle(envWith(overrides))
    bundles.push(started)
    return started
  }
  const post = (
    path: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {}
  ) =>
    httpApiEvent({
      path,
      body: formBody({ ...fields, "frc-captcha-response": captcha.newToken() }),
      base64: true,
      headers: { ...urlencoded, ...browser, ...headers }
    })

  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls", auth: { user: smtpUser, pass: smtpPassword } })
    captcha = await startCaptchaPeer({ sitekeys: Object.values(sitekeys) })
    const peer = suite.peer()
    await peer.createSecret(smtpSecret, { SMTP_USERNAME: smtpUser, SMTP_PASSWORD: smtpPassword })
    await peer.createSecret(defaultCaptchaSecret, {
      FRIENDLYCAPTCHA_SITEKEY: captcha.credentials.sitekey,
      FRIENDLYCAPTCHA_API_KEY: captcha.credentials.apiKey
    })
    for (const id of ["acme", "globex"] as const) {
      await peer.createSecret(secretIds[id], {
        FRIENDLYCAPTCHA_SITEKEY: sitekeys[id],
        FRIENDLYCAPTCHA_API_KEY: captcha.credentials.apiKey
      })
    }
  })
  beforeEach(async () => {
    smtp.reset()
    captcha.reset()
    queueUrl = await suite.peer().createQueue(`forms-${randomUUID().slice(0, 8)}`)
  })
  afterAll(async () => {
    for (const b of bundles) {
      expectNoLeak(b.logs, [smtpPassword, visitor.name, visitor.email, "zebra umbrellas"])
      await b.close()
    }
    await Promise.all([smtp?.close(), captcha?.close(), suite.close()])
  })

  it("/f/acme and /f/globex deliver to their own owners, from their own senders, with their own prefix, success URL and sitekey", async () => {
    const lambda = await bundle()
    const acme = await submitTo(lambda, post("/f/acme", { ...visitor, language: "de" }))
    expect([acme.statusCode, acme.headers.location]).toEqual([303, "https://acme.example/de/danke"])
    expect(acme.outcome).toMatchObject({ outcome: "sent", form: "acme" })
    // REST API with the route's path parameter: API Gateway names the form itself.
    const globex = await submitTo(
      lambda,
      restApiEvent({
        path: "/f/globex",
        body: formBody({ ...visitor, "frc-captcha-response": captcha.newToken() }),
        headers: { ...urlencoded, ...browser }
      })
    )
    expect([globex.statusCode, globex.headers.location]).toEqual([
      303,
      "https://globex.example/merci"
    ])
    const [toAcme, toGlobex] = await smtp.waitForMails(2)
    expect(toAcme?.envelope).toEqual({
      mailFrom: "forms@acme.example",
      rcptTo: ["owner@acme.example"]
    })
    expect(toAcme?.to).toMatchObject({
      value: [{ address: "owner@acme.example", name: "ACME Owner" }]
    })
    expect(toAcme?.from).toMatchObject({
      value: [{ address: "forms@acme.example", name: "ACME form" }]
    })
    expect(toAcme?.subject).toBe("[ACME] Zebra umbrellas")
    // globex has no sender or prefix of its own: the deployment's.
    expect(toGlobex?.envelope).toEqual({
      mailFrom: "noreply@example.com",
      rcptTo: ["sales@globex.example"]
    })
    expect(toGlobex?.subject).toBe("[Contact] Zebra umbrellas")
    for (const mail of [toAcme, toGlobex]) {
      expect(mail?.replyTo?.value).toEqual([{ name: visitor.name, address: visitor.email }])
    }
    expect(captcha.requests.map((r) => r.body?.sitekey)).toEqual([sitekeys.acme, sitekeys.globex])
  })

  it("an origin of one form is refused on the other; each preflight answers with its own", async () => {
    const lambda = await bundle()
    const refused = await submitTo(
      lambda,
      post("/f/globex", visitor, { Origin: "https://acme.example" })
    )
    expect(refused.statusCode).toBe(403)
    for (const [form, origin] of [
      ["acme", "https://acme.example"],
      ["globex", "https://globex.example"]
    ] as const) {
      const preflight = await lambda.invoke(
        httpApiEvent({ method: "OPTIONS", path: `/f/${form}`, headers: { Origin: origin } })
      )
      expect([preflight.statusCode, preflight.headers["access-control-allow-origin"]]).toEqual([
        204,
        origin
      ])
      const other = form === "acme" ? "https://globex.example" : "https://acme.example"
      const foreign = await lambda.invoke(
        httpApiEvent({ method: "OPTIONS", path: `/f/${form}`, headers: { Origin: other } })
      )
      expect(foreign.statusCode).toBe(403)
    }
    expect(smtp.mails).toHaveLength(0)
  })

  it("/f/unknown → 404 in both modes, naming no form's contact; /contact without a default form → 404", async () => {
    const onlyForms = await bundle({
      MAIL_TO: undefined,
      SUCCESS_URL: undefined,
      FALLBACK_EMAIL: undefined,
      SUCCESS_URL_DE: undefined
    })
    const page = await onlyForms.invoke(post("/f/unknown", visitor))
    expect(page.statusCode).toBe(404)
    expect(page.body).toContain("Form not found")
    expect(page.body).not.toContain("mailto:")
    const jsonAnswer = await onlyForms.invoke(
      httpApiEvent({ path: "/f/unknown", body: JSON.stringify(visitor), headers: json })
    )
    expect([jsonAnswer.statusCode, JSON.parse(jsonAnswer.body)]).toEqual([
      404,
      { ok: false, error: "form_not_found" }
    ])
    expect((await onlyForms.invoke(post("/contact", visitor))).statusCode).toBe(404)
    expect((await onlyForms.invoke(post("/f/acme", visitor))).statusCode).toBe(303)
  })

  it("with a default form and FORMS, /contact and /f/default are the default form", async () => {
    const lambda = await bundle()
    const viaContact = await lambda.invoke(post("/contact", visitor))
    const viaId = await lambda.invoke(post("/f/default", { ...visitor, body: "Another message." }))
    for (const answer of [viaContact, viaId]) {
      expect([answer.statusCode, answer.headers.location]).toEqual([
        303,
        "https://www.example.com/thanks"
      ])
    }
    const mails = await smtp.waitForMails(2)
    expect(mails.map((m) => m.envelope.rcptTo)).toEqual([
      ["owner@example.com"],
      ["owner@example.com"]
    ])
  })

  it("the same form data sent to two forms are two submissions, not a duplicate", async () => {
    const lambda = await bundle({ CAPTCHA_PROVIDER: "none" })
    const fields = formBody(visitor)
    for (const path of ["/f/acme", "/f/globex"]) {
      const answer = await submitTo(
        lambda,
        httpApiEvent({ path, body: fields, base64: true, headers: { ...urlencoded, ...browser } })
      )
      expect(answer.outcome?.outcome).toBe("sent")
    }
    expect((await smtp.waitForMails(2)).map((m) => m.envelope.rcptTo)).toEqual([
      ["owner@acme.example"],
      ["sales@globex.example"]
    ])
  })

  it("a queued item of /f/globex carries its form, and is redelivered to globex's owner", async () => {
    const web = await bundle()
    smtp.setFaults({ mailFrom: { code: 454, message: "Try again later" } })
    const answer = await submitTo(web, post("/f/globex", visitor))
    expect(answer.outcome).toMatchObject({ outcome: "queued", form: "globex" })
    const messages = await suite.peer().queuedMessages(queueUrl)
    expect(messages.map((m) => JSON.parse(m.body).form)).toEqual(["globex"])
    smtp.setFaults({})
    const consumer = await bundle()
    const result = await consumer.redeliver({
      Records: messages.map((m) => ({ messageId: m.messageId, body: m.body }))
    })
    expect(result).toEqual({ batchItemFailures: [] })
    expect(smtp.mails.map((m) => m.envelope.rcptTo)).toEqual([["sales@globex.example"]])
  })

  it("an invalid FORMS fails the cold start, one line per problem naming its path", async () => {
    const run = await invokeBundle(
      envWith({
        FORMS: JSON.stringify({
          acme: { ...forms.acme, to: undefined, successUrls: { xx: "https://acme.example/xx" } },
          "Bad Id": forms.globex,
          globex: { ...forms.globex, origins: ["not an origin"] }
        })
      }),
      []
    )
    expect(run.code).not.toBe(0)
    const lines = run.stderr.split("\n").filter((l) => l.startsWith("- "))
    expect(lines.sort()).toEqual(
      [
        "- FORMS.acme.to: is missing",
        "- FORMS.acme.successUrls.xx: is not a supported language (en, de, fr, es, it, nl, pt, pl)",
        "- FORMS.Bad Id: is not a form id ([a-z0-9-], 1 to 40 characters)",
        "- FORMS.globex.origins.0: must be an origin such as https://www.example.com"
      ].sort()
    )
    expect(run.stderr).not.toContain("not an origin")
    const notJson = await invokeBundle(envWith({ FORMS: "{nope" }), [])
    expect(notJson.stderr).toMatch(/^- FORMS: is not JSON$/m)
  })
})
