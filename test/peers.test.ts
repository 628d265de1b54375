/**
 * The protocol peers of test/support prove themselves against real clients: nodemailer
 * for SMTP, fetch for the captcha API, the AWS SDK for Secrets Manager.
 */
import { readFile } from "node:fs/promises"
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient
} from "@aws-sdk/client-secrets-manager"
import nodemailer from "nodemailer"
import type SMTPTransport from "nodemailer/lib/smtp-transport"
import { afterAll, describe, expect, it, onTestFinished } from "vitest"
import { type CaptchaBehaviour, captchaDefaults, startCaptchaPeer } from "./support/captcha-peer"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { type SmtpPeer, type SmtpPeerOptions, startSmtpPeer } from "./support/smtp-peer"

const credentials = { user: "mailer", pass: "correct horse" }

const smtpPeer = async (options: SmtpPeerOptions): Promise<SmtpPeer> => {
  const peer = await startSmtpPeer(options)
  onTestFinished(() => peer.close())
  return peer
}

const transportTo = async (peer: SmtpPeer, extra: SMTPTransport.Options = {}) =>
  nodemailer.createTransport({
    host: peer.host,
    port: peer.port,
    secure: peer.url.startsWith("smtps:"),
    requireTLS: !peer.url.startsWith("smtps:"),
    auth: credentials,
    tls: { ca: await readFile(peer.caFile, "utf8") },
    connectionTimeout: 2_000,
    greetingTimeout: 2_000,
    socketTimeout: 2_000,
    ...extra
  })

const message = {
  from: "Web contact form <noreply@example.com>",
  to: "Site Owner <owner@example.com>",
  replyTo: { name: "Müller, Anna", address: "anna@example.org" },
  subject: "[Contact] Question about pricing",
  text: "Hello,\n\nhow much is it?"
}

describe("SMTP peer", () => {
  it("receives a mail over STARTTLS with AUTH and parses it", async () => {
    const peer = await smtpPeer({ tls: "starttls", auth: credentials })
    expect(peer.url).toBe(`smtp://127.0.0.1:${peer.port}`)
    await (await transportTo(peer)).sendMail(message)
    const [mail] = await peer.waitForMails(1)
    expect(mail?.replyTo?.value).toEqual([{ name: "Müller, Anna", address: "anna@example.org" }])
    expect(mail?.subject).toBe("[Contact] Question about pricing")
    expect(mail?.text).toContain("how much is it?")
    expect(mail?.envelope).toEqual({
      mailFrom: "noreply@example.com",
      rcptTo: ["owner@example.com"]
    })
    expect(mail).toMatchObject({ secure: true, authUser: "mailer" })
    expect(mail?.raw).toMatch(/^Reply-To: /m)
    expect(peer.stats).toMatchObject({
      connections: 1,
      authAttempts: 1,
      authFailures: 0,
      mailCommands: 1
    })
  })

  it("presents a certificate that is only trusted with the CA file", async () => {
    const peer = await smtpPeer({ tls: "starttls", auth: credentials })
    const untrusting = await transportTo(peer, { tls: {} })
    await expect(untrusting.sendMail(message)).rejects.toThrow(/self[- ]signed/i)
    expect(peer.stats.authAttempts).toBe(0)
  })

  it("refuses MAIL before STARTTLS with 530", async () => {
    const peer = await smtpPeer({ tls: "starttls" })
    const plain = nodemailer.createTransport({ host: peer.host, port: peer.port, ignoreTLS: true })
    await expect(plain.sendMail(message)).rejects.toMatchObject({ responseCode: 530 })
    expect(peer.mails).toHaveLength(0)
  })

  it("speaks implicit TLS on smtps://", async () => {
    const peer = await smtpPeer({ tls: "implicit", auth: credentials })
    expect(peer.url).toBe(`smtps://127.0.0.1:${peer.port}`)
    await (await transportTo(peer)).sendMail(message)
    expect((await peer.waitForMails(1))[0]?.secure).toBe(true)
  })

  it("answers 535 to a wrong password and accepts rotated credentials", async () => {
    const peer = await smtpPeer({ tls: "starttls", auth: credentials })
    const wrong = await transportTo(peer, { auth: { ...credentials, pass: "wrong" } })
    await expect(wrong.sendMail(message)).rejects.toMatchObject({ responseCode: 535 })
    peer.setCredentials("mailer", "rotated")
    await expect((await transportTo(peer)).sendMail(message)).rejects.toMatchObject({
      responseCode: 535
    })
    const rotated = await transportTo(peer, { auth: { user: "mailer", pass: "rotated" } })
    await rotated.sendMail(message)
    expect(peer.stats).toMatchObject({ authAttempts: 3, authFailures: 2 })
    expect(peer.mails).toHaveLength(1)
  })

  it("replies 451 to the first MAIL FROM only, then delivers", async () => {
    const peer = await smtpPeer({ tls: "starttls", auth: credentials })
    peer.setFaults({ mailFrom: { code: 451, times: 1 } })
    const transport = await transportTo(peer)
    await expect(transport.sendMail(message)).rejects.toMatchObject({ responseCode: 451 })
    await transport.sendMail(message)
    expect(peer.stats.mailCommands).toBe(2)
    expect(peer.mails).toHaveLength(1)
  })

  it("rejects the message at the end of DATA with 554 and records nothing", async () => {
    const peer = await smtpPeer({ tls: "starttls", auth: credentials })
    peer.setFaults({ dataEnd: { code: 554 } })
    await expect((await transportTo(peer)).sendMail(message)).rejects.toMatchObject({
      responseCode: 554
    })
    expect(peer.mails).toHaveLength(0)
  })

  it.each([
    ["hang after the greeting", { hang: "afterGreeting" }],
    ["hang after DATA", { hang: "afterData" }],
    ["hang mid-body", { hang: "midBody" }]
  ] as const)("makes a %s observable as a client timeout", async (_, faults) => {
    const peer = await smtpPeer({ tls: "starttls", auth: credentials })
    peer.setFaults(faults)
    const transport = await transportTo(peer, { greetingTimeout: 300, socketTimeout: 300 })
    await expect(transport.sendMail(message)).rejects.toMatchObject({ code: "ETIMEDOUT" })
    expect(peer.mails).toHaveLength(0)
  })

  it.each([
    ["after the greeting", { dropAfterGreeting: true }],
    ["mid-body", { dropMidBody: true }]
  ] as const)("drops the connection %s", async (_, faults) => {
    for (const tls of ["starttls", "implicit"] as const) {
      const peer = await smtpPeer({ tls, auth: credentials })
      peer.setFaults(faults)
      await expect((await transportTo(peer)).sendMail(message)).rejects.toThrow()
      expect(peer.mails).toHaveLength(0)
    }
  })
})

describe("captcha peer", async () => {
  const peer = await startCaptchaPeer()
  afterAll(() => peer.close())
  const { token, sitekey, secret, apiKey } = captchaDefaults

  const v2 = (response: string, key = apiKey) =>
    fetch(peer.v2Url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}) },
      body: JSON.stringify({ response, sitekey })
    })
  const v1 = (solution: string) =>
    fetch(peer.v1Url, {
      method: "POST",
      body: new URLSearchParams({ solution, secret, sitekey })
    })
  const answer = async (response: Response) => ({
    status: response.status,
    body: response.headers.get("content-type")?.includes("json") ? await response.json() : null
  })

  it("verifies like the real API and records each request", async () => {
    peer.reset()
    expect(await answer(await v2(token))).toMatchObject({ status: 200, body: { success: true } })
    expect(await answer(await v2("forged"))).toEqual({
      status: 200,
      body: { success: false, error: expect.objectContaining({ error_code: "response_invalid" }) }
    })
    expect(await answer(await v2(token, ""))).toMatchObject({
      status: 401,
      body: { error: { error_code: "auth_required" } }
    })
    expect(await answer(await v1(token))).toEqual({
      status: 200,
      body: { success: true, errors: [] }
    })
    const v1Json = await fetch(peer.v1Url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ solution: "forged", secret, sitekey })
    })
    expect(await answer(v1Json)).toEqual({
      status: 200,
      body: { success: false, errors: ["solution_invalid"] }
    })
    expect(peer.requests.map((r) => [r.version, r.headers["x-api-key"]])).toEqual([
      ["v2", apiKey],
      ["v2", apiKey],
      ["v2", undefined],
      ["v1", undefined],
      ["v1", undefined]
    ])
    expect(peer.requests[3]?.body).toEqual({ solution: token, secret, sitekey })
  })

  it.each<[CaptchaBehaviour, number, string | undefined, string | undefined]>([
    ["wrongSolution", 200, "solution_invalid", "response_invalid"],
    ["timeoutOrDuplicate", 200, "solution_timeout_or_duplicate", "response_timeout"],
    ["duplicate", 200, "solution_timeout_or_duplicate", "response_duplicate"],
    ["badSitekey", 400, "bad_request", "sitekey_invalid"],
    ["badKey", 401, "secret_invalid", "auth_invalid"],
    ["forbidden", 403, undefined, undefined],
    ["rateLimited", 429, undefined, undefined],
    ["serverError", 500, undefined, undefined],
    [{ kind: "serverError", status: 503 }, 503, undefined, undefined]
  ])("answers %j with %i", async (behaviour, status, v1Code, v2Code) => {
    peer.reset()
    peer.setBehaviour(behaviour)
    const first = await answer(await v1(token))
    const second = await answer(await v2(token))
    expect([first.status, second.status]).toEqual([status, status])
    expect(first.body).toMatchObject({ success: false })
    expect(second.body).toMatchObject({ success: false })
    if (v1Code) expect(first.body).toMatchObject({ errors: [v1Code] })
    if (v2Code) expect(second.body).toMatchObject({ error: { error_code: v2Code } })
  })

  it("issues fresh tokens; with singleUse, a token verified once is answered as used", async () => {
    peer.reset()
    const single = await startCaptchaPeer({ singleUse: true })
    onTestFinished(() => single.close())
    const ask = (url: string, body: object) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": apiKey },
        body: JSON.stringify({ ...body, sitekey, secret })
      }).then(answer)
    const fresh = single.newToken()
    expect(fresh).not.toBe(token)
    expect((await ask(single.v2Url, { response: fresh })).body).toMatchObject({ success: true })
    expect(await ask(single.v2Url, { response: fresh })).toEqual({
      status: 200,
      body: { success: false, error: expect.objectContaining({ error_code: "response_duplicate" }) }
    })
    const other = single.newToken()
    expect((await ask(single.v1Url, { solution: other })).body).toEqual({
      success: true,
      errors: []
    })
    expect((await ask(single.v1Url, { solution: other })).body).toEqual({
      success: false,
      errors: ["solution_timeout_or_duplicate"]
    })
    // A token never issued is still invalid; without singleUse a token verifies again.
    expect((await ask(single.v2Url, { response: `${token}-999` })).body).toMatchObject({
      error: { error_code: "response_invalid" }
    })
    const again = peer.newToken()
    expect((await answer(await v2(again))).body).toMatchObject({ success: true })
    expect((await answer(await v2(again))).body).toMatchObject({ success: true })
  })

  it("answers HTML, hangs, and serves a queue before its behaviour", async () => {
    peer.reset()
    peer.queue("nonJson", "hang")
    const html = await v2(token)
    expect([html.status, html.headers.get("content-type")]).toEqual([
      200,
      "text/html; charset=utf-8"
    ])
    const hung = fetch(peer.v2Url, { method: "POST", signal: AbortSignal.timeout(200) })
    await expect(hung).rejects.toMatchObject({ name: "TimeoutError" })
    expect((await answer(await v2(token))).body).toMatchObject({ success: true })
    expect(peer.requests).toHaveLength(3)
  })
})

const secrets = await secretsPeerOrSkip()

describe.skipIf(secrets.skip)("Secrets Manager peer", () => {
  afterAll(() => secrets.close())
  const through = (client: SecretsManagerClient, id: string, abortSignal?: AbortSignal) =>
    client.send(new GetSecretValueCommand({ SecretId: id }), abortSignal ? { abortSignal } : {})

  it("serves a created secret through the counting proxy", async () => {
    const peer = secrets.peer()
    const id = uniqueSecretId("smtp")
    await peer.createSecret(id, { SMTP_USERNAME: "u", SMTP_PASSWORD: "p" })
    const answer = await through(peer.proxyClient(), id)
    expect(JSON.parse(answer.SecretString ?? "")).toEqual({
      SMTP_USERNAME: "u",
      SMTP_PASSWORD: "p"
    })
    expect(peer.getSecretValueCalls(id)).toBe(1)
    await peer.putSecretValue(id, "rotated")
    expect((await through(peer.proxyClient(), id)).SecretString).toBe("rotated")
    expect(peer.getSecretValueCalls(id)).toBe(2)
    expect(peer.calls("CreateSecret")).toBe(0) // setup goes to moto directly
    await peer.deleteSecret(id)
    await expect(through(peer.client, id)).rejects.toBeInstanceOf(ResourceNotFoundException)
  })

  it("raises ResourceNotFoundException for a missing secret", async () => {
    const peer = secrets.peer()
    await expect(through(peer.proxyClient(), uniqueSecretId("missing"))).rejects.toBeInstanceOf(
      ResourceNotFoundException
    )
  })

  it("injects throttling, internal errors, malformed bodies and hangs", async () => {
    const peer = secrets.peer()
    const id = uniqueSecretId("captcha")
    await peer.createSecret(id, "value")
    const once = peer.proxyClient({ maxAttempts: 1 })
    peer.resetCounts()
    peer.setFault({ kind: "throttle", times: 1 })
    await expect(through(once, id)).rejects.toMatchObject({ name: "ThrottlingException" })
    expect((await through(once, id)).SecretString).toBe("value")
    peer.setFault({ kind: "throttle", times: 1 })
    expect((await through(peer.proxyClient(), id)).SecretString).toBe("value") // SDK retried
    expect(peer.getSecretValueCalls(id)).toBe(4)
    peer.setFault({ kind: "internal", secretId: id })
    await expect(through(once, id)).rejects.toMatchObject({ name: "InternalServiceError" })
    peer.setFault({ kind: "malformed" })
    await expect(through(once, id)).rejects.toMatchObject({ name: "SyntaxError" })
    peer.setFault({ kind: "hang" })
    await expect(through(once, id, AbortSignal.timeout(200))).rejects.toMatchObject({
      name: "AbortError"
    })
    peer.setFault(undefined)
    expect((await through(once, id)).SecretString).toBe("value")
  })
})
