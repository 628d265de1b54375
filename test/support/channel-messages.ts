/**
 * Reading Slack's and Discord's messages back (test/channel-render.test.ts): every limit of
 * contract §11 checked on each message, and the fields put back together from the parts.
 */
import { expect } from "vitest"
import * as Discord from "../../src/services/channels/discord"
import * as Slack from "../../src/services/channels/slack"
import type { ChannelSubmission } from "../../src/services/channels/submission"

/** What the owner should read: label and value, in order, as the mail's footer names them. */
const expected = (s: ChannelSubmission) => [
  ...(s.contact.name === undefined ? [] : [["Name", s.contact.name]]),
  ["Email", s.contact.email],
  ...(s.contact.subject === undefined ? [] : [["Subject", s.contact.subject]]),
  ["Message", s.contact.body],
  ...s.contact.extras.map(([n, v]) => [n, v]),
  ["Language", "en"],
  ["Captcha", "NOT verified (http_503)"]
]

// biome-ignore lint/suspicious/noExplicitAny: walking the JSON a chat receives
export type Json = any
/** Puts labelled pieces back together: a label ending " (continued)" goes on with the last. */
const joinBack = (pieces: ReadonlyArray<readonly [label: string | undefined, text: string]>) => {
  const out: Array<[string, string]> = []
  for (const [label, text] of pieces) {
    const last = out[out.length - 1]
    if (label === undefined && last !== undefined) last[1] += text
    else if (label?.endsWith(" (continued)") && last !== undefined) {
      expect(last[0]).toBe(label.slice(0, -" (continued)".length))
      last[1] += text
    } else out.push([label ?? "?", text])
  }
  return out
}

export const textObjects = (node: Json): ReadonlyArray<Json> =>
  Array.isArray(node)
    ? node.flatMap(textObjects)
    : typeof node === "object" && node !== null
      ? node.type === "plain_text" || node.type === "mrkdwn"
        ? [node]
        : Object.values(node).flatMap(textObjects)
      : []

const slackBack = (messages: ReadonlyArray<Json>) =>
  joinBack(
    messages.flatMap((m) =>
      m.blocks.slice(2).map((b: Json): readonly [string | undefined, string] => {
        if (b.type === "section") return [undefined, b.text.text]
        const label = b.elements[0]
        return [label.type === "mrkdwn" ? label.text.slice(1, -1) : label.text, ""]
      })
    )
  )

const unescapeDiscord = (s: string) => s.replace(/@\u200b/g, "@").replace(/\\(.)/gsu, "$1")
const discordBack = (messages: ReadonlyArray<Json>) =>
  joinBack(
    messages.flatMap((m) =>
      m.embeds.flatMap((e: Json) =>
        e.fields.map((f: Json): readonly [string | undefined, string] => [
          f.name === "\u200b" ? undefined : unescapeDiscord(f.name),
          unescapeDiscord(f.value)
        ])
      )
    )
  )

export const checkSlack = (s: ChannelSubmission) => {
  const messages: ReadonlyArray<Json> = Slack.slackMessages(s)
  messages.forEach((m, i) => {
    const part = `part ${i + 1} of ${messages.length}`
    expect(m.blocks.length).toBeLessThanOrEqual(Slack.slackMaxBlocks)
    expect(JSON.stringify(m.blocks).length).toBeLessThanOrEqual(Slack.slackMaxBlocksJson)
    expect(m.blocks[0].type).toBe("header")
    expect(m.blocks[0].text.text.length).toBeLessThanOrEqual(Slack.slackMaxHeaderText)
    expect(m.blocks[0].text.text.endsWith(part)).toBe(true)
    expect(m.blocks[0].text.text.startsWith("Possible duplicate")).toBe(
      s.possibleDuplicate !== undefined
    )
    expect(m.blocks[1].elements[0].text).toContain(s.id)
    for (const b of m.blocks.filter((b: Json) => b.type === "section"))
      expect(b.text.text.length).toBeLessThanOrEqual(Slack.slackMaxSectionText)
    // Our mrkdwn holds fixed labels only; everything else is plain text without emoji.
    for (const t of textObjects(m.blocks)) {
      if (t.type === "mrkdwn") expect(t.text).toMatch(/^\*[A-Z][a-z]+( \(continued\))?\*$/)
      else expect(t.emoji).toBe(false)
    }
    expect(m.text).toBe(`Contact form message ${s.id} (${part})`)
    expect([m.unfurl_links, m.unfurl_media]).toEqual([false, false])
  })
  expect(slackBack(messages)).toEqual(expected(s))
  return messages
}

/** Every markdown character the visitor wrote is escaped; nothing can mention. */
const expectInert = (escaped: string) => {
  const bare: Array<string> = []
  for (let i = 0; i < escaped.length; i++) {
    if (escaped[i] === "\\") i++
    else if ("*_~`|<>#-+[]()".includes(escaped[i] ?? "")) bare.push(escaped[i] ?? "")
  }
  expect(bare, escaped).toEqual([])
  expect(escaped).not.toMatch(/@(everyone|here)/i)
}

export const checkDiscord = (s: ChannelSubmission) => {
  const messages: ReadonlyArray<Json> = Discord.discordMessages(s)
  messages.forEach((m, i) => {
    expect(m.allowed_mentions).toEqual({ parse: [] })
    expect(m.embeds.length).toBeLessThanOrEqual(Discord.discordMaxEmbeds)
    let total = 0
    for (const e of m.embeds) {
      expect(e.title.length).toBeLessThanOrEqual(Discord.discordMaxTitle)
      expect((e.description ?? "").length).toBeLessThanOrEqual(Discord.discordMaxDescription)
      expect(e.fields.length).toBeLessThanOrEqual(Discord.discordMaxFields)
      total += e.title.length + (e.description ?? "").length + e.footer.text.length
      for (const f of e.fields) {
        expect(f.name.length).toBeGreaterThan(0)
        expect(f.name.length).toBeLessThanOrEqual(Discord.discordMaxFieldName)
        expect(f.value.length).toBeGreaterThan(0)
        expect(f.value.length).toBeLessThanOrEqual(Discord.discordMaxFieldValue)
        total += f.name.length + f.value.length
        expectInert(f.value)
        if (f.name !== "\u200b") expectInert(f.name.replace(/ \(continued\)$/, ""))
      }
    }
    expect(total).toBeLessThanOrEqual(Discord.discordMaxTotal)
    expect(m.embeds[0].title.endsWith(`part ${i + 1} of ${messages.length}`)).toBe(true)
    expect(m.embeds[0].title.startsWith("Possible duplicate")).toBe(
      s.possibleDuplicate !== undefined
    )
    expect(m.embeds[0].footer.text).toContain(s.id)
  })
  expect(discordBack(messages)).toEqual(expected(s))
  return messages
}
