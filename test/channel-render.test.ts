/**
 * Slack's and Discord's messages for a submission (contract §11): every limit kept for the
 * largest valid forms (the costliest characters for each: outside the BMP, and markdown to
 * escape), the fields whole and in order once the parts are put back together, the parts
 * numbered and the same with the possible-duplicate mark, and hostile text inert.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Fields } from "../src/domain/fields"
import { decodeForm } from "../src/domain/form"
import * as Discord from "../src/services/channels/discord"
import * as Slack from "../src/services/channels/slack"
import type { ChannelSubmission } from "../src/services/channels/submission"
import { checkDiscord, checkSlack, type Json, textObjects } from "./support/channel-messages"
import { largestValidForm } from "./support/largest-form"

const hostile =
  "@everyone @here <!channel> <!here> <@U123> <#C1> <https://evil.example|click> **bold** " +
  "[x](https://evil.example) __u__ ~~s~~ `code` ||spoiler|| > quote\n# head\n-# sub\n1. list :smile: &amp; \\*"

const submissionOf = (fields: Fields, possibleDuplicate?: string): ChannelSubmission => {
  const decoded = decodeForm(fields, { captchaField: undefined, language: "en" })
  if (decoded._tag !== "Success") throw new Error("the fixture is not a valid form")
  return {
    id: "018f3c2e-9a4b-8c1d-9e2f-0123456789ab",
    form: "default",
    receivedAt: "2026-12-06T10:00:00.000Z",
    contact: decoded.success,
    captcha: { _tag: "Unverified", reason: "http_503" },
    ...(possibleDuplicate === undefined ? {} : { possibleDuplicate })
  }
}

/** Every field at its limit in text Discord must escape: each character doubles. */
const markdownText = (n: number, lines: boolean) =>
  Array.from({ length: n }, (_, i) =>
    lines && i % 97 === 96 ? "\n" : "*_[]()<>#-|~`\\"[i % 14]
  ).join("")
const largestMarkdownForm: Fields = [
  ["email", `${"a".repeat(64)}@example.com`],
  ["name", markdownText(200, false)],
  ["subject", markdownText(200, false)],
  ["body", markdownText(10_000, true)],
  ...Array.from({ length: 20 }, (_, i): readonly [string, string] => [
    `${markdownText(97, false)}${String(i).padStart(3, "0")}`,
    markdownText(2_000, i % 2 === 0)
  ])
]
const hostileForm: Fields = [
  ["email", "visitor@example.com"],
  ["name", hostile.split("\n")[0] ?? ""],
  ["subject", "<!channel> **now** @everyone"],
  ["body", hostile],
  ["<@U123> [x](https://evil.example)", hostile]
]

const marked = "2026-12-06T10:00:03.000Z"

describe.each([
  ["Slack", checkSlack],
  ["Discord", checkDiscord]
] as const)("%s messages", (_, check) => {
  it.each([
    ["the largest form outside the BMP", largestValidForm],
    ["the largest form of markdown", largestMarkdownForm],
    ["a hostile form", hostileForm]
  ])(
    "%s: within every limit, whole and in order, numbered, the same parts when marked",
    (_, fields) => {
      const first = check(submissionOf(fields))
      const again = check(submissionOf(fields, marked))
      expect(again.length).toBe(first.length)
      if (fields !== hostileForm) expect(first.length).toBeGreaterThan(1)
    }
  )

  it("any message: within every limit, whole and in order", () => {
    const text = fc.string({
      unit: fc.constantFrom("a", " ", "\n", "*", "@", "<", "𝕳", "é"),
      minLength: 1,
      maxLength: 10_000
    })
    fc.assert(
      fc.property(
        text.filter((t) => t.trim() !== ""),
        (body) => {
          check(
            submissionOf([
              ["email", "v@example.com"],
              ["body", body]
            ])
          )
        }
      ),
      { numRuns: 40 }
    )
  })
})

describe("hostile text", () => {
  it("Slack: only in plain_text objects, exactly as written", () => {
    const texts = textObjects(Slack.slackMessages(submissionOf(hostileForm)))
    expect(texts.filter((t) => t.text.includes("<!channel>")).map((t) => t.type)).toEqual(
      Array(4).fill("plain_text")
    )
  })

  it("Discord: escaped, nothing can ping", () => {
    const [message] = Discord.discordMessages(submissionOf(hostileForm)) as ReadonlyArray<Json>
    const body = message.embeds[0].fields.find((f: Json) => f.name === "Message").value
    expect(body).toContain("\\*\\*bold\\*\\* \\[x\\]\\(https://evil.example\\)")
    expect(body).toContain("@\u200beveryone @\u200bhere \\<!channel\\> \\<!here\\> \\<@U123\\>")
    expect(message.allowed_mentions).toEqual({ parse: [] })
  })
})

describe("blank fields", () => {
  it("a field the visitor filled with spaces is left out: Discord refuses a blank value", () => {
    const form = submissionOf([
      ["email", "ada@example.org"],
      ["name", "   "],
      ["message", "Hello"],
      ["phone", "  "],
      ["company", "Acme"]
    ])
    const [message] = Discord.discordMessages(form) as ReadonlyArray<Json>
    const fields: ReadonlyArray<Json> = message.embeds[0].fields
    expect(fields.map((f) => f.name)).toEqual([
      "Email",
      "Message",
      "company",
      "Language",
      "Captcha"
    ])
    expect(fields.every((f) => String(f.value).trim() !== "")).toBe(true)
    const slack = textObjects(Slack.slackMessages(form)).map((t) => t.text)
    expect(slack.some((t) => t.includes("phone") || t.includes("Name"))).toBe(false)
  })
})
