/**
 * The channels' settings (contract §11): `mail` alone by default, each channel's needs named
 * where they were written, URLs https only, and never a value in a problem.
 */
import { Effect, Result } from "effect"
import { describe, expect, it } from "vitest"
import { readConfig } from "../src/config/read-config"
import { baseEnv, formOf } from "./support/doubles"

const read = (env: Record<string, string | undefined>) =>
  Effect.runSync(Effect.result(readConfig({ ...baseEnv, ...env })))
const problems = (env: Record<string, string | undefined>) =>
  Result.match(read(env), { onFailure: (e) => e.problems, onSuccess: () => [] })
const channels = (env: Record<string, string | undefined>) =>
  formOf(Result.getOrThrow(read(env))).channels

const forms = (settings: Record<string, unknown>) =>
  JSON.stringify({
    acme: {
      to: "a@example.com",
      successUrl: "https://acme.example/thanks",
      fallbackEmail: "a@example.com",
      ...settings
    }
  })

describe("channels", () => {
  it("a form delivers by mail alone unless told otherwise; the bound is 3 s", () => {
    expect(channels({})).toEqual([{ kind: "mail" }])
    const config = Result.getOrThrow(read({}))
    expect(config.channels).toEqual({ timeoutMs: 3_000, allowInsecure: false })
  })

  it("CHANNELS: lists them in order, each with what it needs", () => {
    expect(
      channels({
        CHANNELS: "slack, mail,webhook,discord",
        WEBHOOK_URL: "https://hooks.example/contact",
        WEBHOOK_SECRET_ID: "contact-webhook",
        SLACK_SECRET_ID: "contact-slack",
        DISCORD_SECRET_ID: "contact-discord"
      })
    ).toEqual([
      { kind: "slack", secretId: "contact-slack" },
      { kind: "mail" },
      { kind: "webhook", url: "https://hooks.example/contact", secretId: "contact-webhook" },
      { kind: "discord", secretId: "contact-discord" }
    ])
  })

  it("names every missing setting, an unknown or repeated kind, and an empty list", () => {
    expect(problems({ CHANNELS: "webhook,slack,slack,pager" })).toEqual([
      "WEBHOOK_URL: is required for the webhook channel",
      "WEBHOOK_SECRET_ID: is required for the webhook channel",
      "SLACK_SECRET_ID: is required for the slack channel",
      "CHANNELS: lists slack twice",
      "CHANNELS: must list only mail, webhook, slack or discord"
    ])
    expect(problems({ CHANNELS: " , " })).toEqual(["CHANNELS: must name at least one channel"])
  })

  it("a receiver is https; plain http only to loopback, and only when allowed", () => {
    const webhook = (url: string, allow?: string) =>
      problems({
        CHANNELS: "webhook",
        WEBHOOK_URL: url,
        WEBHOOK_SECRET_ID: "s",
        CHANNEL_ALLOW_INSECURE: allow
      })
    expect(webhook("https://hooks.example/x")).toEqual([])
    expect(webhook("http://127.0.0.1:9/x")).toEqual(["WEBHOOK_URL: must be an https URL"])
    expect(webhook("http://127.0.0.1:9/x", "true")).toEqual([])
    expect(webhook("http://hooks.example/x", "true")).toEqual([
      "WEBHOOK_URL: must be an https URL (plain http only to a loopback host)"
    ])
    // The problem never repeats the value (a URL may carry a token).
    expect(webhook("ftp://user:token@hooks.example/x").join()).not.toContain("token")
  })

  it("a form of FORMS has its own channels, or the variables' when it names none", () => {
    const env = {
      FORMS: forms({ channels: ["mail", "slack"], slackSecretId: "acme-slack" }),
      CHANNELS: "mail,discord",
      DISCORD_SECRET_ID: "d"
    }
    const config = Result.getOrThrow(read(env))
    expect(config.forms.get("acme")?.channels).toEqual([
      { kind: "mail" },
      { kind: "slack", secretId: "acme-slack" }
    ])
    expect(config.forms.get("default")?.channels).toEqual([
      { kind: "mail" },
      { kind: "discord", secretId: "d" }
    ])
    expect(
      problems({ FORMS: forms({ channels: ["webhook"], webhookUrl: "http://x.example" }) })
    ).toEqual([
      "WEBHOOK_SECRET_ID: is required for the webhook channel",
      "FORMS.acme.webhookUrl: must be an https URL"
    ])
  })
})
