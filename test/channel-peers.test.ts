/**
 * The channel peers (contract §11) keep the rules the product must meet: the Standard
 * Webhooks receiver verifies signatures, Slack and Discord refuse a message one character or
 * one item past a limit and take it at the limit, Discord rate-limits per webhook on an
 * injected clock, and every peer misbehaves on cue. All asked over real HTTP with fetch.
 */
import { describe, expect, it, onTestFinished } from "vitest"
import { Behave, type ChannelPeerBase } from "./support/channel-peers"
import {
  type DiscordPeer,
  type DiscordPeerOptions,
  discordHazards,
  discordLimits,
  type JsonObject,
  type SlackPeer,
  slackHazards,
  slackLimits,
  slackVisibleText,
  startDiscordPeer,
  startSlackPeer
} from "./support/chat-peers"
import {
  newWebhookSecret,
  signWebhook,
  startWebhookReceiver,
  type WebhookReceiver
} from "./support/webhook-receiver"

const closing = <P extends ChannelPeerBase>(peer: P): P => {
  onTestFinished(() => peer.close())
  return peer
}

const json = (body: unknown, headers: Readonly<Record<string, string>> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body)
})

const post = (url: string, body: unknown, headers?: Readonly<Record<string, string>>) =>
  fetch(url, json(body, headers))

const x = (n: number) => "x".repeat(n)

// ---------------------------------------------------------------------------------------

describe("webhook receiver", () => {
  const signed = (secret: string, body: string, id = "msg_1", timestamp = new Date()) =>
    json(body, signWebhook(secret, { id, timestamp, body }))

  it("accepts a signed JSON message with 204 and records it", async () => {
    const peer = closing(await startWebhookReceiver({ secret: newWebhookSecret() }))
    const body = JSON.stringify({ type: "contact.submission.v1", data: { id: "s1" } })
    const at = new Date()
    const response = await fetch(peer.url, signed(peer.secret, body, "s1:webhook", at))
    expect(response.status).toBe(204)
    expect(peer.received).toEqual([
      expect.objectContaining({
        id: "s1:webhook",
        timestamp: Math.floor(at.getTime() / 1000),
        signatureValid: true,
        reason: undefined,
        body: { type: "contact.submission.v1", data: { id: "s1" } },
        raw: body,
        accepted: true,
        duplicate: false
      })
    ])
    expect(peer.delivered()).toEqual(["s1:webhook"])
    expect(peer.requests).toBe(1)
  })

  it("dedupes by webhook-id: a repeat is answered 204, acted on once", async () => {
    const peer = closing(await startWebhookReceiver())
    const body = JSON.stringify({ n: 1 })
    expect((await fetch(peer.url, signed(peer.secret, body, "a"))).status).toBe(204)
    expect((await fetch(peer.url, signed(peer.secret, body, "a"))).status).toBe(204)
    expect((await fetch(peer.url, signed(peer.secret, body, "b"))).status).toBe(204)
    expect(peer.received.map((each) => [each.id, each.duplicate])).toEqual([
      ["a", false],
      ["a", true],
      ["b", false]
    ])
    expect(peer.delivered()).toEqual(["a", "b"])
  })

  it("detects a bad signature: another secret, a changed body, an old timestamp, none", async () => {
    const peer = closing(await startWebhookReceiver())
    const body = JSON.stringify({ n: 1 })
    const other = await fetch(peer.url, signed(newWebhookSecret(), body, "1"))
    const changed = signed(peer.secret, body, "2")
    const tampered = await fetch(peer.url, { ...changed, body: JSON.stringify({ n: 2 }) })
    const old = await fetch(peer.url, signed(peer.secret, body, "3", new Date(Date.now() - 6e5)))
    const unsigned = await post(peer.url, body)
    expect([other.status, tampered.status, old.status, unsigned.status]).toEqual([
      401, 401, 401, 401
    ])
    expect(peer.received.map((each) => [each.signatureValid, each.reason])).toEqual([
      [false, "No matching signature found"],
      [false, "No matching signature found"],
      [false, "Message timestamp too old"],
      [false, "Missing required headers"]
    ])
    expect(peer.delivered()).toEqual([])
  })

  it("refuses what a receiver cannot read: not JSON, another content type, another path", async () => {
    const peer = closing(await startWebhookReceiver())
    const notJson = await fetch(peer.url, signed(peer.secret, "not json", "1"))
    const plain = await fetch(peer.url, {
      method: "POST",
      headers: {
        ...signWebhook(peer.secret, { id: "2", timestamp: new Date(), body: "{}" }),
        "content-type": "text/plain"
      },
      body: "{}"
    })
    const elsewhere = await fetch(`${peer.origin}/other`, signed(peer.secret, "{}", "3"))
    expect([notJson.status, plain.status, elsewhere.status]).toEqual([400, 415, 404])
    expect(peer.received.map((each) => [each.signatureValid, each.accepted])).toEqual([
      [true, false],
      [true, false]
    ])
    expect(peer.delivered()).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------

const section = (text: string, type = "plain_text") => ({
  type: "section",
  text: { type, text }
})

const slackMessage = (blocks: ReadonlyArray<unknown>, extra: JsonObject = {}) => ({
  text: "New message",
  blocks,
  unfurl_links: false,
  unfurl_media: false,
  ...extra
})

describe("Slack peer", () => {
  const answer = async (peer: SlackPeer, message: unknown) => {
    const response = await post(peer.url, message)
    return `${response.status} ${await response.text()}`
  }

  it("accepts a valid message with 200 ok and records it", async () => {
    const peer = closing(await startSlackPeer())
    const message = slackMessage([
      { type: "header", text: { type: "plain_text", text: "Contact" } },
      section("Hello"),
      { type: "section", fields: [{ type: "mrkdwn", text: "*Name*" }] },
      { type: "divider" },
      { type: "context", elements: [{ type: "plain_text", text: "id 1" }] }
    ])
    const response = await post(peer.url, message)
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toBe("text/html")
    expect(await response.text()).toBe("ok")
    expect(peer.received.map((each) => each.message)).toEqual([message])
  })

  it("keeps each limit: accepted at it, invalid_blocks one past it", async () => {
    const peer = closing(await startSlackPeer())
    const tiny = (n: number) => Array.from({ length: n }, () => section("a"))
    const header = (n: number) => [{ type: "header", text: { type: "plain_text", text: x(n) } }]
    const fields = (count: number, size: number) => [
      {
        type: "section",
        fields: Array.from({ length: count }, () => ({ type: "plain_text", text: x(size) }))
      }
    ]
    // Five sections of 2,600 are 13,000 with an empty top-level text; one more character is over.
    const total = (extra: number) =>
      slackMessage(
        Array.from({ length: 5 }, () => section(x(2600))),
        { text: x(extra) }
      )
    const cases: ReadonlyArray<readonly [string, unknown, unknown]> = [
      ["blocks", slackMessage(tiny(50)), slackMessage(tiny(51))],
      ["section text", slackMessage([section(x(3000))]), slackMessage([section(x(3001))])],
      [
        "mrkdwn text",
        slackMessage([section(x(3000), "mrkdwn")]),
        slackMessage([section(x(3001), "mrkdwn")])
      ],
      ["header", slackMessage(header(150)), slackMessage(header(151))],
      ["fields", slackMessage(fields(10, 1)), slackMessage(fields(11, 1))],
      ["field text", slackMessage(fields(1, 2000)), slackMessage(fields(1, 2001))],
      ["total", total(0), total(1)]
    ]
    expect(slackLimits).toMatchObject({
      blocks: 50,
      sectionText: 3000,
      headerText: 150,
      totalText: 13000
    })
    for (const [name, atLimit, pastLimit] of cases) {
      expect(await answer(peer, atLimit), name).toBe("200 ok")
      expect(await answer(peer, pastLimit), name).toBe("400 invalid_blocks")
    }
    expect(peer.received).toHaveLength(cases.length)
    expect(peer.rejected.map((each) => each.detail)).toEqual([
      "blocks: 51, more than 50",
      "blocks[0].text.text: 3001 characters, more than 3000",
      "blocks[0].text.text: 3001 characters, more than 3000",
      "blocks[0].text.text: 151 characters, more than 150",
      "blocks[0].fields: 11 items, more than 10",
      "blocks[0].fields[0].text: 2001 characters, more than 2000",
      "13001 text characters in all, more than 13000"
    ])
  })

  it("refuses what Slack refuses: bad JSON, no text, a mrkdwn header, another path", async () => {
    const peer = closing(await startSlackPeer())
    expect(await answer(peer, "{nope")).toBe("400 invalid_payload")
    expect(await answer(peer, { text: "" })).toBe("400 no_text")
    expect(
      await answer(peer, slackMessage([{ type: "header", text: { type: "mrkdwn", text: "a" } }]))
    ).toBe("400 invalid_blocks")
    expect(await answer(peer, slackMessage([{ type: "video" }]))).toBe("400 invalid_blocks")
    const elsewhere = await post(
      `${peer.origin}/services/T0/B0/wrong`,
      slackMessage([section("a")])
    )
    expect(`${elsewhere.status} ${await elsewhere.text()}`).toBe("404 no_service")
    expect(peer.received).toEqual([])
  })

  it("slackHazards finds mentions, links and formatting in mrkdwn only", () => {
    const hostile =
      "<!channel> <!here|here> <@U123> <#C42> <!subteam^S1> <https://evil.example|bank> *bold*\n> quote"
    expect(
      slackHazards(slackMessage([section(hostile, "mrkdwn")])).map((h) => [h.kind, h.match])
    ).toEqual([
      ["broadcast", "<!channel>"],
      ["broadcast", "<!here|here>"],
      ["user", "<@U123>"],
      ["channel", "<#C42>"],
      ["usergroup", "<!subteam^S1>"],
      ["link", "<https://evil.example|bank>"],
      ["format", "*bold*"],
      ["format", ">"]
    ])
    // plain_text is inert: Slack parses no mention, link or formatting in it.
    expect(slackHazards(slackMessage([section(hostile)]))).toEqual([])
    const escaped = "&lt;!channel&gt; &lt;https://evil.example|bank&gt; &amp;"
    expect(slackHazards(slackMessage([section(escaped, "mrkdwn")]))).toEqual([])
  })

  it("slackHazards: bare @here unless verbatim, the top-level text, rich text, unfurling", () => {
    const mrkdwn = (verbatim: boolean) =>
      slackMessage([{ type: "section", text: { type: "mrkdwn", text: "hi @here", verbatim } }])
    expect(slackHazards(mrkdwn(false))).toEqual([
      { kind: "broadcast", where: "blocks[0].text", match: "@here" }
    ])
    expect(slackHazards(mrkdwn(true))).toEqual([])
    // A bare @here in the top-level text is a mention only with link_names.
    expect(slackHazards(slackMessage([], { text: "hi @here" }))).toEqual([])
    expect(slackHazards(slackMessage([], { text: "hi @here", link_names: true }))).toEqual([
      { kind: "broadcast", where: "text", match: "@here" }
    ])
    expect(slackHazards(slackMessage([], { text: "<!here>", mrkdwn: false }))).toEqual([
      { kind: "broadcast", where: "text", match: "<!here>" }
    ])
    const rich = {
      type: "rich_text",
      elements: [
        {
          type: "rich_text_section",
          elements: [
            { type: "text", text: "<!channel> *x*" },
            { type: "broadcast", range: "channel" }
          ]
        }
      ]
    }
    expect(slackHazards(slackMessage([rich]))).toEqual([
      { kind: "broadcast", where: "blocks[0].elements[0].elements[1]", match: "@channel" }
    ])
    expect(slackHazards({ text: "a" }).map((h) => h.where)).toEqual([
      "unfurl_links",
      "unfurl_media"
    ])
    expect(slackHazards({ text: "a", unfurl_links: false, unfurl_media: true })).toEqual([
      { kind: "unfurl", where: "unfurl_media", match: "true" }
    ])
  })

  it("slackVisibleText shows the texts as Slack renders them", () => {
    const message = slackMessage([
      { type: "header", text: { type: "plain_text", text: "A &amp; B <c>" } },
      section("&lt;!here&gt; *stays* &amp;lt;", "mrkdwn"),
      section("<https://x.example|label> *bold* _it_ ~st~ `code` <!here>", "mrkdwn"),
      { type: "section", fields: [section("f1").text, section("f2", "mrkdwn").text] },
      {
        type: "rich_text",
        elements: [
          {
            type: "rich_text_section",
            elements: [
              { type: "text", text: "one " },
              { type: "text", text: "two" }
            ]
          }
        ]
      }
    ])
    expect(slackVisibleText(message)).toBe(
      [
        "A & B <c>",
        "<!here> stays &lt;",
        "label bold it st code @here",
        "f1",
        "f2",
        "one two"
      ].join("\n")
    )
    expect(slackVisibleText({ text: "only &amp; fallback" })).toBe("only & fallback")
  })
})

// ---------------------------------------------------------------------------------------

const discordMessage = (extra: JsonObject = {}) => ({
  content: "New message",
  allowed_mentions: { parse: [] },
  ...extra
})

/** A clock one rate window further on each reading: limits tests never meet the rate limit. */
const windowed = (): DiscordPeerOptions => {
  let now = 1_700_000_000_000
  return { now: () => (now += discordLimits.windowMs) }
}

describe("Discord peer", () => {
  const answer = async (peer: DiscordPeer, message: unknown, url = peer.url) => {
    const response = await post(url, message)
    return {
      status: response.status,
      body: response.status === 204 ? undefined : await response.json()
    }
  }

  it("accepts a valid message: 204, or 200 with the message when ?wait=true", async () => {
    const peer = closing(await startDiscordPeer(windowed()))
    const embeds = [
      { title: "Contact", description: "Hello", fields: [{ name: "Name", value: "Ada" }] }
    ]
    const message = discordMessage({ embeds })
    expect(await answer(peer, message)).toEqual({ status: 204, body: undefined })
    const waited = await answer(peer, message, `${peer.url}?wait=true`)
    expect(waited).toEqual({
      status: 200,
      body: expect.objectContaining({
        id: expect.stringMatching(/^\d+$/),
        content: "New message",
        embeds,
        webhook_id: peer.webhookId,
        mention_everyone: false
      })
    })
    expect(peer.received.map((each) => [each.wait, each.allowedMentionsBlocked])).toEqual([
      [false, true],
      [true, true]
    ])
    expect(peer.received[1]?.id).toBe(waited.body.id)
  })

  it("keeps each limit: accepted at it, 400 code 50035 one past it", async () => {
    const peer = closing(await startDiscordPeer(windowed()))
    const embed = (fields: JsonObject) => discordMessage({ embeds: [fields] })
    const field = (name: number, value: number) => ({ name: x(name), value: x(value) })
    const fieldsOf = (count: number) => Array.from({ length: count }, () => field(1, 1))
    // 4,096 + (1 + 1,024) + (1 + 878) = 6,000 characters, each piece within its own limit.
    const total = (extra: number) =>
      embed({ description: x(4096), fields: [field(1, 1024), field(1, 878 + extra)] })
    const cases: ReadonlyArray<readonly [string, unknown, unknown, unknown]> = [
      [
        "content",
        discordMessage({ content: x(2000) }),
        discordMessage({ content: x(2001) }),
        {
          content: {
            _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }]
          }
        }
      ],
      [
        "description",
        embed({ description: x(4096) }),
        embed({ description: x(4097) }),
        {
          embeds: {
            0: {
              description: {
                _errors: [
                  { code: "BASE_TYPE_MAX_LENGTH", message: "Must be 4096 or fewer in length." }
                ]
              }
            }
          }
        }
      ],
      [
        "title",
        embed({ title: x(256) }),
        embed({ title: x(257) }),
        {
          embeds: {
            0: {
              title: {
                _errors: [expect.objectContaining({ message: "Must be 256 or fewer in length." })]
              }
            }
          }
        }
      ],
      [
        "field name",
        embed({ fields: [field(256, 1)] }),
        embed({ fields: [field(257, 1)] }),
        {
          embeds: {
            0: {
              fields: {
                0: {
                  name: { _errors: [expect.objectContaining({ code: "BASE_TYPE_MAX_LENGTH" })] }
                }
              }
            }
          }
        }
      ],
      [
        "field value",
        embed({ fields: [field(1, 1024)] }),
        embed({ fields: [field(1, 1025)] }),
        {
          embeds: {
            0: {
              fields: {
                0: {
                  value: {
                    _errors: [
                      expect.objectContaining({ message: "Must be 1024 or fewer in length." })
                    ]
                  }
                }
              }
            }
          }
        }
      ],
      [
        "fields",
        embed({ fields: fieldsOf(25) }),
        embed({ fields: fieldsOf(26) }),
        {
          embeds: {
            0: {
              fields: {
                _errors: [expect.objectContaining({ message: "Must be 25 or fewer in length." })]
              }
            }
          }
        }
      ],
      [
        "embeds",
        discordMessage({ embeds: Array.from({ length: 10 }, () => ({ title: "t" })) }),
        discordMessage({ embeds: Array.from({ length: 11 }, () => ({ title: "t" })) }),
        {
          embeds: {
            _errors: [expect.objectContaining({ message: "Must be 10 or fewer in length." })]
          }
        }
      ],
      [
        "embed total",
        total(0),
        total(1),
        {
          embeds: {
            _errors: [
              {
                code: "MAX_EMBED_SIZE_EXCEEDED",
                message: "Embed size exceeds maximum size of 6000"
              }
            ]
          }
        }
      ]
    ]
    for (const [name, atLimit, pastLimit, errors] of cases) {
      expect((await answer(peer, atLimit)).status, name).toBe(204)
      expect(await answer(peer, pastLimit), name).toEqual({
        status: 400,
        body: { message: "Invalid Form Body", code: 50035, errors }
      })
    }
    expect(peer.received).toHaveLength(cases.length)
  })

  it("refuses what Discord refuses: empty fields, an empty message, bad JSON, a wrong token or id", async () => {
    const peer = closing(await startDiscordPeer(windowed()))
    const emptyValue = await answer(
      peer,
      discordMessage({ embeds: [{ fields: [{ name: "n", value: "" }] }] })
    )
    expect(emptyValue.body).toMatchObject({
      code: 50035,
      errors: {
        embeds: { 0: { fields: { 0: { value: { _errors: [{ code: "BASE_TYPE_REQUIRED" }] } } } } }
      }
    })
    expect(await answer(peer, { allowed_mentions: { parse: [] } })).toEqual({
      status: 400,
      body: { message: "Cannot send an empty message", code: 50006 }
    })
    expect((await answer(peer, "{nope")).body).toEqual({
      message: "The request body contains invalid JSON.",
      code: 50109
    })
    const wrongToken = peer.url.replace(/\/[^/]+$/, "/wrong")
    expect(await answer(peer, discordMessage(), wrongToken)).toEqual({
      status: 401,
      body: { message: "Invalid Webhook Token", code: 50027 }
    })
    expect(
      await answer(peer, discordMessage(), `${peer.origin}/api/webhooks/1/${peer.token}`)
    ).toEqual({
      status: 404,
      body: { message: "Unknown Webhook", code: 10015 }
    })
    expect(peer.received).toEqual([])
  })

  it("flags allowed_mentions missing or other than {parse: []}", async () => {
    const peer = closing(await startDiscordPeer(windowed()))
    await answer(peer, { content: "a" })
    await answer(peer, discordMessage({ allowed_mentions: { parse: ["users"] } }))
    await answer(peer, discordMessage({ allowed_mentions: { parse: [], users: ["1"] } }))
    await answer(peer, discordMessage({ allowed_mentions: { parse: [], replied_user: true } }))
    await answer(peer, discordMessage())
    expect(peer.received.map((each) => each.allowedMentionsBlocked)).toEqual([
      false,
      false,
      false,
      false,
      true
    ])
  })

  it("rate-limits 5 requests per 2 s per webhook on the injected clock", async () => {
    let now = 1_700_000_000_000
    const peer = closing(await startDiscordPeer({ now: () => now }))
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await post(peer.url, discordMessage())).status)
    // A refused message counts like any other.
    statuses.push((await post(peer.url, { content: "" })).status)
    expect(statuses).toEqual([204, 204, 204, 204, 400])
    now += 500
    const limited = await post(peer.url, discordMessage())
    expect(limited.status).toBe(429)
    expect(await limited.json()).toEqual({
      message: "You are being rate limited.",
      retry_after: 1.5,
      global: false
    })
    expect(
      Object.fromEntries(
        [...limited.headers].filter(([name]) => /^(retry-after|x-ratelimit-)/.test(name))
      )
    ).toEqual({
      "retry-after": "2",
      "x-ratelimit-bucket": expect.stringMatching(/^[0-9a-f]{32}$/),
      "x-ratelimit-limit": "5",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": "1700000002.000",
      "x-ratelimit-reset-after": "1.500",
      "x-ratelimit-scope": "user"
    })
    now += 1499
    expect((await post(peer.url, discordMessage())).status).toBe(429)
    now += 1
    const again = await post(peer.url, discordMessage())
    expect(again.status).toBe(204)
    expect(again.headers.get("x-ratelimit-remaining")).toBe("4")
    expect(peer.received).toHaveLength(5)
    expect(peer.requests).toBe(8)
  })

  it("discordHazards reports markdown and mentions apart, escapes honoured", () => {
    const hostile = [
      "**b** *i* _i_ __u__ ~~s~~ ||sp|| `c` [bank](https://evil.example)",
      "> quote",
      "# heading",
      "-# small",
      "@everyone @here <@123> <@!124> <@&456> <#789>"
    ].join("\n")
    const found = discordHazards(
      discordMessage({ embeds: [{ fields: [{ name: "n", value: hostile }] }] })
    )
    expect(found.markdown.map((h) => [h.kind, h.match])).toEqual([
      ["bold", "**b**"],
      ["italic", "*i*"],
      ["italic", "_i_"],
      ["underline", "__u__"],
      ["strike", "~~s~~"],
      ["spoiler", "||sp||"],
      ["code", "`c`"],
      ["quote", "> "],
      ["heading", "# h"],
      ["subtext", "-# s"],
      ["link", "[bank](https://evil.example)"]
    ])
    expect(found.mentions.map((h) => [h.kind, h.where, h.match])).toEqual([
      ["everyone", "embeds[0].fields[0].value", "@everyone"],
      ["here", "embeds[0].fields[0].value", "@here"],
      ["user", "embeds[0].fields[0].value", "<@123>"],
      ["user", "embeds[0].fields[0].value", "<@!124>"],
      ["role", "embeds[0].fields[0].value", "<@&456>"],
      ["channel", "embeds[0].fields[0].value", "<#789>"]
    ])
    expect(found.mentionsBlocked).toBe(true)
    const escaped =
      String.raw`\*\*b\*\* \_i\_ \_\_u\_\_ \~\~s\~\~ \|\|sp\|\| \`c\` \[bank\](https://evil.example)
\> quote
\# heading
\@everyone @` + "\u200bhere \\<@123>"
    expect(discordHazards({ content: escaped })).toEqual({
      markdown: [],
      mentions: [],
      mentionsBlocked: false
    })
  })
})

// ---------------------------------------------------------------------------------------

interface Subject {
  readonly name: string
  readonly start: () => Promise<ChannelPeerBase>
  /** A request the peer accepts, fresh each call. */
  readonly valid: (peer: ChannelPeerBase) => RequestInit
  readonly accepted: (peer: ChannelPeerBase) => number
  readonly success: number
  /** The body of `status(404)` without one. */
  readonly notFound: string
}

const isReceiver = (peer: ChannelPeerBase): peer is WebhookReceiver => "delivered" in peer
const receivedOf = (peer: ChannelPeerBase): number =>
  isReceiver(peer)
    ? peer.delivered().length
    : "received" in peer && Array.isArray(peer.received)
      ? peer.received.length
      : Number.NaN

let sequence = 0
const subjects: ReadonlyArray<Subject> = [
  {
    name: "webhook receiver",
    start: () => startWebhookReceiver(),
    valid: (peer) => {
      const body = JSON.stringify({ n: ++sequence })
      const secret = isReceiver(peer) ? peer.secret : ""
      return json(body, signWebhook(secret, { id: `id-${sequence}`, timestamp: new Date(), body }))
    },
    accepted: receivedOf,
    success: 204,
    notFound: ""
  },
  {
    name: "Slack",
    start: () => startSlackPeer(),
    valid: () => json(slackMessage([section(`n ${++sequence}`)])),
    accepted: receivedOf,
    success: 200,
    notFound: "no_service"
  },
  {
    name: "Discord",
    start: () => startDiscordPeer(windowed()),
    valid: () => json(discordMessage({ content: `n ${++sequence}` })),
    accepted: receivedOf,
    success: 204,
    notFound: JSON.stringify({ message: "Unknown Webhook", code: 10015 })
  }
]

describe.each(subjects)("$name: behaviours", (subject) => {
  const started = async () => closing(await subject.start())

  it("status(n) answers n without acting; behaveOnce once, behave until changed", async () => {
    const peer = await started()
    peer.behaveOnce(Behave.status(404))
    peer.behaveOnce(Behave.status(429, { headers: { "retry-after": "7" } }))
    const notFound = await fetch(peer.url, subject.valid(peer))
    expect([notFound.status, await notFound.text()]).toEqual([404, subject.notFound])
    const limited = await fetch(peer.url, subject.valid(peer))
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "7"])
    await limited.arrayBuffer()
    expect((await fetch(peer.url, subject.valid(peer))).status).toBe(subject.success)
    peer.behave(Behave.status(500, { body: "boom" }))
    const first = await fetch(peer.url, subject.valid(peer))
    const second = await fetch(peer.url, subject.valid(peer))
    expect([first.status, await first.text(), second.status, await second.text()]).toEqual([
      500,
      "boom",
      500,
      "boom"
    ])
    peer.behave(Behave.ok)
    expect((await fetch(peer.url, subject.valid(peer))).status).toBe(subject.success)
    expect(subject.accepted(peer)).toBe(2)
    expect(peer.requests).toBe(6)
  })

  it("redirect: 302 to the peer, acted on only where a client follows it", async () => {
    const peer = await started()
    peer.behaveOnce(Behave.redirect())
    const unfollowed = await fetch(peer.url, { ...subject.valid(peer), redirect: "manual" })
    expect(unfollowed.status).toBe(302)
    expect(unfollowed.headers.get("location")).toMatch(new RegExp(`^${peer.origin}/`))
    expect([peer.redirectsFollowed, subject.accepted(peer)]).toEqual([0, 0])
    // A 307 keeps the POST: a client that follows it delivers at the target.
    peer.behaveOnce(Behave.redirect(307))
    const followed = await fetch(peer.url, subject.valid(peer))
    expect([followed.status, followed.redirected]).toEqual([subject.success, true])
    expect([peer.redirectsFollowed, subject.accepted(peer), peer.requests]).toEqual([1, 1, 3])
  })

  it("hang: received and acted on, never answered; close() ends the connection", async () => {
    const peer = await started()
    peer.behaveOnce(Behave.hang)
    const held = peer.holdNext()
    const pending = fetch(peer.url, subject.valid(peer))
    await held.arrived
    held.release()
    // Another request is answered while the hung one still waits.
    expect((await fetch(peer.url, subject.valid(peer))).status).toBe(subject.success)
    expect(peer.log.map((each) => each.outcome)).toEqual(["hung", "answered"])
    expect(subject.accepted(peer)).toBe(2)
    await peer.close()
    await expect(pending).rejects.toThrow()
  })

  it("drop: the whole request read and acted on, the answer lost", async () => {
    const peer = await started()
    peer.behaveOnce(Behave.drop)
    await expect(fetch(peer.url, subject.valid(peer))).rejects.toThrow()
    expect(peer.log.map((each) => [each.outcome, each.raw !== ""])).toEqual([["dropped", true]])
    expect(subject.accepted(peer)).toBe(1)
  })

  it("refuse: the connection destroyed before the body is read, nothing recorded", async () => {
    const peer = await started()
    peer.behaveOnce(Behave.refuse)
    await expect(fetch(peer.url, subject.valid(peer))).rejects.toThrow()
    expect(peer.log.map((each) => [each.outcome, each.raw])).toEqual([["refused", ""]])
    expect([peer.requests, subject.accepted(peer)]).toEqual([1, 0])
    if (isReceiver(peer)) expect(peer.received).toEqual([])
  })

  it("holdNext holds one answer until released; others go by", async () => {
    const peer = await started()
    const held = peer.holdNext()
    let settled = false
    const first = fetch(peer.url, subject.valid(peer)).finally(() => {
      settled = true
    })
    await held.arrived
    // Acted on at arrival, its answer not written yet.
    expect([subject.accepted(peer), peer.log[0]?.outcome]).toEqual([1, "pending"])
    expect((await fetch(peer.url, subject.valid(peer))).status).toBe(subject.success)
    expect(settled).toBe(false)
    held.release()
    expect((await first).status).toBe(subject.success)
    expect(peer.log.map((each) => each.outcome)).toEqual(["answered", "answered"])
  })
})
