/**
 * Channels kept and redelivered on their own (contract §11), against real peers: the BUILT
 * bundle with moto's SQS and Secrets Manager through the real AWS SDK, an SMTP relay, and a
 * webhook receiver and a Discord webhook on 127.0.0.1; and the server's spool. What each peer
 * received is counted: a channel's success is never repeated because another one failed.
 */
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BundleProcess, startBundle, submitTo } from "./support/bundle"
import { type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import { Behave } from "./support/channel-peers"
import { type DiscordPeer, startDiscordPeer } from "./support/chat-peers"
import { jsonPost } from "./support/events"
import { largestValidForm } from "./support/largest-form"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { listeningUrl, spawnServer, tempDir } from "./support/server"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"
import {
  newWebhookSecret,
  startWebhookReceiver,
  type WebhookReceiver
} from "./support/webhook-receiver"
import { relayOnlyEnv, worldEnv } from "./support/world"

const suite = await secretsPeerOrSkip()

const visitor = { name: "Ada", email: "ada@example.org", subject: "Hi", message: "Call me." }

describe.skipIf(suite.skip)("channels with a queue, against moto's SQS and real receivers", () => {
  let smtp: SmtpPeer
  let captcha: CaptchaPeer
  let webhook: WebhookReceiver
  let discord: DiscordPeer
  // Discord's rate limit counts on this clock: frozen, then moved on by the test.
  let discordNow = 1_800_000_000_000
  const signing = newWebhookSecret()
  const secrets = {
    smtp: uniqueSecretId("smtp"),
    captcha: uniqueSecretId("captcha"),
    webhook: uniqueSecretId("webhook"),
    discord: uniqueSecretId("discord")
  }
  const bundles: Array<BundleProcess> = []

  const bundle = async (queueUrl: string, channels: string, extra: Record<string, string> = {}) => {
    const started = await startBundle(
      worldEnv(
        suite.peer(),
        { smtp, captcha, smtpSecret: secrets.smtp, captchaSecret: secrets.captcha },
        {
          CAPTCHA_PROVIDER: "none",
          QUEUE_URL: queueUrl,
          CHANNELS: channels,
          WEBHOOK_URL: webhook.url,
          WEBHOOK_SECRET_ID: secrets.webhook,
          DISCORD_SECRET_ID: secrets.discord,
          CHANNEL_ALLOW_INSECURE: "true",
          ...extra
        }
      )
    )
    bundles.push(started)
    return started
  }
  /** The request's own line (a channel's lines come before it). */
  const submitted = async (web: BundleProcess, event: unknown) => {
    const answer = await submitTo(web, event)
    return answer.lines.find((l) => l.msg === "submission") ?? {}
  }
  const records = (messages: ReadonlyArray<{ messageId: string; body: string }>) => ({
    Records: messages.map((m) => ({ messageId: m.messageId, body: m.body }))
  })

  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls", auth: { user: "u", pass: "p" } })
    captcha = await startCaptchaPeer()
    webhook = await startWebhookReceiver({ secret: signing })
    discord = await startDiscordPeer({ now: () => discordNow })
    await suite.peer().createSecret(secrets.smtp, { SMTP_USERNAME: "u", SMTP_PASSWORD: "p" })
    await suite.peer().createSecret(secrets.captcha, { FRIENDLYCAPTCHA_API_KEY: "k" })
    await suite.peer().createSecret(secrets.webhook, { WEBHOOK_SECRET: signing })
    await suite.peer().createSecret(secrets.discord, { DISCORD_WEBHOOK_URL: discord.url })
  })
  afterAll(async () => {
    for (const b of bundles) await b.close()
    await Promise.all([smtp.close(), captcha.close(), webhook.close(), discord.close()])
  })

  it("the receiver down: sent; moto holds the webhook's item alone; redelivered once, mail and Discord never twice", async () => {
    const queueUrl = await suite.peer().createQueue(`channels-${Date.now()}`)
    const web = await bundle(queueUrl, "mail,webhook,discord")
    webhook.behave(Behave.status(503))
    const answer = await submitted(web, jsonPost(visitor))
    webhook.behave(Behave.ok)
    expect(answer).toMatchObject({ outcome: "sent" })
    const messages = await suite.peer().queuedMessages(queueUrl)
    expect(messages.map((m) => JSON.parse(m.body).channel)).toEqual(["webhook"])
    expect(smtp.mails).toHaveLength(1)
    expect(discord.received).toHaveLength(1)

    const consumer = await bundle(queueUrl, "mail,webhook,discord")
    expect(await consumer.redeliver(records(messages))).toEqual({ batchItemFailures: [] })
    expect(webhook.delivered()).toEqual([`${answer.id}:webhook`])
    expect(webhook.received.at(-1)?.signatureValid).toBe(true)
    expect(smtp.mails).toHaveLength(1)
    expect(discord.received).toHaveLength(1)
  })

  it("the largest form, over Discord's rate limit: the parts left are kept and sent later, each once, in order", async () => {
    const queueUrl = await suite.peer().createQueue(`discord-${Date.now()}`)
    // A window of its own: the test before posted to Discord too.
    discordNow += 2_000
    const before = discord.received.length
    const web = await bundle(queueUrl, "mail,discord", { CHANNEL_TIMEOUT_MS: "1500" })
    const answer = await submitted(web, jsonPost(Object.fromEntries(largestValidForm)))
    expect(answer).toMatchObject({ outcome: "sent" })
    // Five posts a window; the window does not move until the test moves the clock.
    expect(discord.received.length - before).toBe(5)
    let messages = await suite.peer().queuedMessages(queueUrl)
    expect(messages.map((m) => JSON.parse(m.body))).toMatchObject([
      { channel: "discord", partsSent: 5, reason: "discord_http_429" }
    ])
    const consumer = await bundle(queueUrl, "mail,discord", { CHANNEL_TIMEOUT_MS: "1500" })
    // Lambda deletes every record not reported failed; a copy with the progress takes its place.
    const done = new Set<string>()
    for (let round = 0; round < 5 && messages.length > 0; round++) {
      discordNow += 2_000
      const answer = await consumer.redeliver(records(messages))
      expect(answer).toEqual({ batchItemFailures: [] })
      for (const m of messages) done.add(m.messageId)
      messages = (await suite.peer().queuedMessages(queueUrl)).filter((m) => !done.has(m.messageId))
    }
    expect(messages).toEqual([])
    const parts = discord.received.slice(before).map((r) => JSON.stringify(r.message))
    const numbers = parts.map((p) => Number(/part (\d+) of (\d+)/.exec(p)?.[1]))
    expect(numbers).toEqual(numbers.map((_, i) => i + 1))
    expect(new Set(parts).size).toBe(parts.length)
    expect(smtp.mails.at(-1)).toBeDefined()
  })

  it("no queue, the webhook down: a 500; the repeat on another process sends only the webhook (the store knows mail delivered)", async () => {
    const table = `channels-${Date.now()}`
    await suite.peer().createTable(table)
    const before = { mails: smtp.mails.length, hooks: webhook.delivered().length }
    // One deployment: one key, so both processes give the submission the same id (contract §7a).
    const shared = { QUEUE_URL: "", STORE_TABLE: table, SUBMISSION_ID_KEY: "k".repeat(43) }
    const a = await bundle("", "mail,webhook", shared)
    const b = await bundle("", "mail,webhook", shared)
    const fields = { ...visitor, message: `Once, everywhere (${Date.now()})` }
    webhook.behave(Behave.status(500))
    const first = await submitTo(a, jsonPost(fields))
    webhook.behave(Behave.ok)
    expect(first.statusCode).toBe(500)
    expect(smtp.mails.length).toBe(before.mails + 1)
    const repeat = await submitTo(b, jsonPost(fields))
    expect(repeat.statusCode).toBe(200)
    expect(repeat.lines.find((l) => l.msg === "submission")?.id).toBe(
      first.lines.find((l) => l.msg === "channel")?.id
    )
    expect(webhook.delivered().length).toBe(before.hooks + 1)
    expect(smtp.mails.length).toBe(before.mails + 1)
  })

  it("the webhook down: a spool file of its own, delivered by the loop once it is back; mail once", async () => {
    const relay = await startSmtpPeer({ tls: "starttls" })
    const dir = tempDir("channels-spool-")
    const server = spawnServer({
      ...relayOnlyEnv(relay),
      ...suite.peer().env,
      PORT: "0",
      SPOOL_DIR: join(dir, "spool"),
      SPOOL_RETRY_SECONDS: "1",
      CHANNELS: "mail,webhook",
      WEBHOOK_URL: webhook.url,
      WEBHOOK_SECRET_ID: secrets.webhook,
      CHANNEL_ALLOW_INSECURE: "true"
    })
    const before = webhook.delivered().length
    try {
      const url = await listeningUrl(server)
      webhook.behave(Behave.status(503))
      const answer = await fetch(`${url}contact`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(visitor)
      })
      expect(await answer.json()).toEqual({ ok: true })
      const files = readdirSync(join(dir, "spool")).filter((f) => f.endsWith(".json"))
      expect(files).toEqual([expect.stringMatching(/^\d+-[0-9a-f-]{36}-webhook\.json$/)])
      expect(relay.mails).toHaveLength(1)
      webhook.behave(Behave.ok)
      // The loop's next pass (SPOOL_RETRY_SECONDS) sends it, and says so.
      await server.line(/"outcome":"redelivered"/)
      expect(webhook.delivered().length).toBe(before + 1)
      expect(relay.mails).toHaveLength(1)
    } finally {
      webhook.behave(Behave.ok)
      server.child.kill("SIGTERM")
      await server.exited
      await relay.close()
    }
  })
})
