/**
 * Channels beside mail (contract §11), through the real Lambda adapter against real peers:
 * a Standard Webhooks receiver, a Slack incoming webhook and a Discord webhook on 127.0.0.1.
 * Each channel is delivered, kept and redelivered on its own; what a peer received is counted.
 */
import type { Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { QueueItem } from "../src/domain/item"
import type { QueueService } from "../src/services/queue"
import { Behave } from "./support/channel-peers"
import {
  type DiscordPeer,
  discordHazards,
  type SlackPeer,
  slackHazards,
  startDiscordPeer,
  startSlackPeer
} from "./support/chat-peers"
import {
  MailScripted,
  type MailStep,
  makeTestHandler,
  QueueRecording,
  QueueTogether,
  SecretsWithChannels
} from "./support/doubles"
import { jsonPost } from "./support/events"
import {
  newWebhookSecret,
  startWebhookReceiver,
  type WebhookReceiver
} from "./support/webhook-receiver"

let webhook: WebhookReceiver
let slack: SlackPeer
let discord: DiscordPeer
const secret = newWebhookSecret()

beforeAll(async () => {
  webhook = await startWebhookReceiver({ secret })
  slack = await startSlackPeer()
  discord = await startDiscordPeer()
})
afterAll(async () => {
  await Promise.all([webhook.close(), slack.close(), discord.close()])
})

const visitor = {
  name: "Ada",
  email: "ada@example.org",
  subject: "Pricing",
  message: "How much is it?",
  "frc-captcha-response": "token-ok"
}

interface HandlerOptions {
  readonly channels: string
  readonly mail?: ReadonlyArray<MailStep>
  readonly items?: Array<QueueItem>
  readonly unknownRetryMinutes?: number
  readonly queue?: Layer.Layer<QueueService>
}

const handler = (options: HandlerOptions) =>
  makeTestHandler({
    env: {
      CHANNELS: options.channels,
      WEBHOOK_URL: webhook.url,
      WEBHOOK_SECRET_ID: "contact-webhook",
      SLACK_SECRET_ID: "contact-slack",
      DISCORD_SECRET_ID: "contact-discord",
      CHANNEL_ALLOW_INSECURE: "true",
      UNKNOWN_RETRY_MINUTES: String(options.unknownRetryMinutes ?? 10)
    },
    secrets: SecretsWithChannels({
      "contact-webhook": { WEBHOOK_SECRET: secret },
      "contact-slack": { SLACK_WEBHOOK_URL: slack.url },
      "contact-discord": { DISCORD_WEBHOOK_URL: discord.url }
    }),
    mail: (log) => MailScripted(log, options.mail ?? []),
    ...(options.queue !== undefined
      ? { queue: options.queue }
      : options.items === undefined
        ? {}
        : { queue: QueueRecording(options.items) })
  })

/** What each peer had accepted before a test, so a test counts only its own. */
const counts = () => ({
  webhook: webhook.delivered().length,
  slack: slack.received.length,
  discord: discord.received.length
})

const redeliver = (t: Awaited<ReturnType<typeof handler>>, items: ReadonlyArray<QueueItem>) =>
  t.redeliver({
    Records: items.map((item, n) => ({ messageId: `m${n}`, body: JSON.stringify(item) }))
  })

const down = { responseCode: 454 } as const

/** The request's own log line: its outcome and the submission's id. */
const submissionLine = (t: { readonly logs: ReadonlyArray<Record<string, unknown>> }) =>
  t.logs.filter((l) => l.msg === "submission").at(-1) ?? {}

describe("channels", () => {
  it("mail, webhook, Slack and Discord all delivered: one of each, the same id everywhere", async () => {
    const before = counts()
    const t = await handler({ channels: "mail,webhook,slack,discord" })
    const answer = await t.handler(jsonPost(visitor))
    expect(answer.statusCode).toBe(200)
    const { id } = submissionLine(t)
    expect(t.mail.sent).toHaveLength(1)
    expect(counts()).toEqual({
      webhook: before.webhook + 1,
      slack: before.slack + 1,
      discord: before.discord + 1
    })
    const hook = webhook.received.at(-1)
    expect(hook).toMatchObject({ signatureValid: true, id: `${id}:webhook` })
    expect(hook?.body).toMatchObject({
      type: "contact.submission.v1",
      data: { id, form: "default", email: "ada@example.org", message: "How much is it?" }
    })
    expect(JSON.stringify(slack.received.at(-1)?.message)).toContain(id)
    expect(t.logs.filter((l) => l.msg === "channel").map((l) => [l.channel, l.outcome])).toEqual([
      ["webhook", "channel_delivered"],
      ["slack", "channel_delivered"],
      ["discord", "channel_delivered"]
    ])
    await t.dispose()
  })

  it("the webhook's receiver down: sent, the webhook alone queued, redelivered once, mail never twice", async () => {
    const items: Array<QueueItem> = []
    const before = counts()
    const t = await handler({ channels: "mail,webhook,slack", items })
    webhook.behave(Behave.status(503))
    const answer = await t.handler(jsonPost(visitor))
    webhook.behave(Behave.ok)
    expect(JSON.parse(answer.body)).toMatchObject({ ok: true })
    expect(JSON.parse(answer.body).queued).toBeUndefined()
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({ v: 3, channel: "webhook", reason: "webhook_http_503" })
    expect(t.mail.sent).toHaveLength(1)
    expect(counts()).toEqual({ ...before, slack: before.slack + 1 })
    expect(t.logs.find((l) => l.channel === "webhook")).toMatchObject({
      outcome: "channel_queued",
      ChannelQueued: 1,
      Channel: "webhook"
    })

    expect(await redeliver(t, items)).toEqual({ batchItemFailures: [] })
    expect(webhook.delivered().length).toBe(before.webhook + 1)
    expect(webhook.received.at(-1)).toMatchObject({
      signatureValid: true,
      id: `${items[0]?.id}:webhook`
    })
    expect(t.mail.sent).toHaveLength(1)
    expect(slack.received.length).toBe(before.slack + 1)
    await t.dispose()
  })

  it("mail down, the webhook up: sent (the webhook has it), mail queued as its own item", async () => {
    const items: Array<QueueItem> = []
    const before = counts()
    const t = await handler({ channels: "mail,webhook", items, mail: [down, down, down] })
    const answer = await t.handler(jsonPost(visitor))
    expect(JSON.parse(answer.body)).toMatchObject({ ok: true })
    expect(items.map((i) => [i.channel, i.reason])).toEqual([[undefined, "smtp_reply_454"]])
    expect(webhook.delivered().length).toBe(before.webhook + 1)
    expect(await redeliver(t, items)).toEqual({ batchItemFailures: [] })
    expect(t.mail.sent).toHaveLength(1)
    expect(webhook.delivered().length).toBe(before.webhook + 1)
    await t.dispose()
  })

  it("none delivered, both kept: queued; a permanent failure kept: kept", async () => {
    const items: Array<QueueItem> = []
    const t = await handler({
      channels: "mail,slack",
      items,
      mail: [down, down, down, down, down, down]
    })
    slack.behave(Behave.status(503))
    const queued = await t.handler(jsonPost(visitor))
    expect(JSON.parse(queued.body)).toMatchObject({ ok: true, queued: true })
    slack.behave(Behave.status(404))
    const kept = await t.handler(jsonPost({ ...visitor, message: "Another one" }))
    slack.behave(Behave.ok)
    expect(submissionLine(t)).toMatchObject({
      outcome: "delivery_failed",
      kept: true,
      reason: "slack_http_404"
    })
    expect(kept.statusCode).toBe(500)
    expect(items.map((i) => [i.channel ?? "mail", i.permanent])).toEqual([
      ["mail", false],
      ["slack", false],
      ["mail", false],
      ["slack", true]
    ])
    await t.dispose()
  })

  it("two channels kept at once: their items are enqueued side by side, not one after another", async () => {
    const items: Array<QueueItem> = []
    const t = await handler({
      channels: "mail,webhook",
      mail: [down, down, down],
      queue: QueueTogether(items, 2)
    })
    webhook.behave(Behave.status(503))
    const answer = await t.handler(jsonPost({ ...visitor, message: "Both kept" }))
    webhook.behave(Behave.ok)
    expect(JSON.parse(answer.body)).toEqual({ ok: true, queued: true })
    expect(items.map((i) => i.channel ?? "mail").sort()).toEqual(["mail", "webhook"])
    await t.dispose()
  })

  it("no queue, the webhook down: the 500 fallback; the repeat delivers only the webhook", async () => {
    const before = counts()
    const t = await handler({ channels: "mail,webhook" })
    webhook.behave(Behave.status(500))
    const first = await t.handler(jsonPost(visitor))
    webhook.behave(Behave.ok)
    expect(first.statusCode).toBe(500)
    expect(JSON.parse(first.body)).toMatchObject({ error: "delivery_failed" })
    expect(t.mail.sent).toHaveLength(1)
    const repeat = await t.handler(jsonPost(visitor))
    expect(repeat.statusCode).toBe(200)
    expect(t.mail.sent).toHaveLength(1)
    expect(webhook.delivered().length).toBe(before.webhook + 1)
    await t.dispose()
  })

  it("Slack's answer lost after the post: mail sent, Slack kept marked, its copy says so", async () => {
    const items: Array<QueueItem> = []
    const before = counts()
    const t = await handler({ channels: "mail,slack", items })
    slack.behaveOnce(Behave.drop)
    const answer = await t.handler(jsonPost(visitor))
    expect(JSON.parse(answer.body)).toMatchObject({ ok: true })
    expect(items).toHaveLength(1)
    expect(items[0]?.channel).toBe("slack")
    expect(items[0]?.unknownAt).toMatch(/^\d{4}-/)
    // The dropped post reached Slack: a copy is owed only after UNKNOWN_RETRY_MINUTES.
    expect(slack.received.length).toBe(before.slack + 1)
    const early = await redeliver(t, items)
    expect(early.batchItemFailures).toHaveLength(1)
    expect(slack.received.length).toBe(before.slack + 1)
    await t.dispose()
    // Its wait over (none here), the copy goes out marked; mail is not sent again.
    const later = await handler({ channels: "mail,slack", items, unknownRetryMinutes: 0 })
    expect(await redeliver(later, items)).toEqual({ batchItemFailures: [] })
    expect(slack.received.length).toBe(before.slack + 2)
    expect(JSON.stringify(slack.received.at(-1)?.message)).toContain("Possible duplicate")
    expect(JSON.stringify(slack.received.at(-2)?.message)).not.toContain("Possible duplicate")
    expect(later.mail.sent).toHaveLength(0)
    await later.dispose()
  })

  it("a hostile message is inert in Slack and Discord, and mentions no one", async () => {
    const t = await handler({ channels: "slack,discord" })
    const hostile =
      "<!channel> <@U123ABC> <https://evil.example|click> @everyone @here **bold** [x](https://evil.example) `code` > quote"
    const answer = await t.handler(
      jsonPost({ ...visitor, name: "<!here> @everyone", message: hostile })
    )
    expect(answer.statusCode).toBe(200)
    const posted = slack.received.at(-1)?.message
    // Only our own labels are formatted; nothing the visitor wrote mentions, links or formats.
    const hazards = slackHazards(posted)
    expect(hazards.filter((h) => h.kind !== "format")).toEqual([])
    expect(hazards.every((h) => /^\*[A-Z][a-z]+\*$/.test(h.match))).toBe(true)
    const inDiscord = discordHazards(discord.received.at(-1)?.message)
    expect(inDiscord.markdown).toEqual([])
    expect(inDiscord.mentions).toEqual([])
    expect(discord.received.at(-1)?.message).toMatchObject({ allowed_mentions: { parse: [] } })
    await t.dispose()
  })
})

describe("a field of spaces", () => {
  it("reaches Discord, which refuses a blank field value, without it", async () => {
    const before = discord.received.length
    const t = await handler({ channels: "discord" })
    const answer = await t.handler(jsonPost({ ...visitor, name: "   ", phone: "  " }))
    expect(answer.statusCode).toBe(200)
    expect(discord.received.length).toBe(before + 1)
    await t.dispose()
  })
})

describe("a channel secret that is wrong", () => {
  it("a Slack URL that is not https is kept as the owner's to fix, and nothing is posted", async () => {
    const items: Array<QueueItem> = []
    const before = slack.received.length
    const t = await makeTestHandler({
      env: {
        CHANNELS: "mail,slack",
        SLACK_SECRET_ID: "contact-slack",
        CHANNEL_ALLOW_INSECURE: "true"
      },
      secrets: SecretsWithChannels({
        "contact-slack": { SLACK_WEBHOOK_URL: "http://hooks.example/x" }
      }),
      queue: QueueRecording(items)
    })
    const answer = await t.handler(jsonPost({ ...visitor, message: "Wrong secret" }))
    expect(JSON.parse(answer.body)).toEqual({ ok: true })
    expect(items.map((i) => [i.channel, i.reason, i.permanent])).toEqual([
      ["slack", "slack_url_invalid", true]
    ])
    expect(slack.received.length).toBe(before)
    await t.dispose()
  })
})
