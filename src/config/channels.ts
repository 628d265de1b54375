/**
 * The channels' settings (contract §11): which channels a form delivers to and what each
 * needs, read from the single form's variables and from FORMS by one rule, so that every
 * problem is named with its place and never its value.
 */
import * as Result from "effect/Result"
import { type Channel, channelKinds, isChannelKind } from "../domain/channels"
import { all } from "./env"
import { isLoopback } from "./loopback"
import { boolean, oneLineText, orNothing, positiveInt, text } from "./readers"
import { orList } from "./rules"

/** A channel list as written, with the settings its channels may need. */
export interface ChannelSettings {
  readonly kinds: ReadonlyArray<string>
  readonly webhookUrl: string | undefined
  readonly webhookSecretId: string | undefined
  readonly slackSecretId: string | undefined
  readonly discordSecretId: string | undefined
}

/** The names a problem gives each setting: the variables, or FORMS' keys. */
export interface SettingNames {
  readonly kinds: string
  readonly webhookUrl: string
  readonly webhookSecretId: string
  readonly slackSecretId: string
  readonly discordSecretId: string
}

export const variableNames: SettingNames = {
  kinds: "CHANNELS",
  webhookUrl: "WEBHOOK_URL",
  webhookSecretId: "WEBHOOK_SECRET_ID",
  slackSecretId: "SLACK_SECRET_ID",
  discordSecretId: "DISCORD_SECRET_ID"
}

export const formKeyNames: SettingNames = {
  kinds: "channels",
  webhookUrl: "webhookUrl",
  webhookSecretId: "webhookSecretId",
  slackSecretId: "slackSecretId",
  discordSecretId: "discordSecretId"
}

/**
 * A receiver's URL: https, or plain http to a loopback host when CHANNEL_ALLOW_INSECURE
 * says so (tests, a local receiver), as SMTP_ALLOW_INSECURE does for the relay.
 */
export const channelUrlProblem = (raw: string, allowInsecure: boolean): string | undefined => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return "must be an https URL"
  }
  if (url.protocol === "https:") return undefined
  if (url.protocol === "http:" && allowInsecure && isLoopback(url.hostname)) return undefined
  return allowInsecure
    ? "must be an https URL (plain http only to a loopback host)"
    : "must be an https URL"
}

/**
 * The channels `settings` name, or every problem with them as `[setting, message]`; the
 * caller names each setting where it was written.
 */
export const channelsFrom = (
  settings: ChannelSettings,
  allowInsecure: boolean
): Result.Result<ReadonlyArray<Channel>, ReadonlyArray<readonly [keyof SettingNames, string]>> => {
  const problems: Array<readonly [keyof SettingNames, string]> = []
  const channels: Array<Channel> = []
  const seen = new Set<string>()
  const { kinds } = settings
  if (kinds.length === 0) problems.push(["kinds", "must name at least one channel"])
  for (const kind of kinds) {
    if (!isChannelKind(kind)) {
      problems.push(["kinds", `must list only ${orList(channelKinds)}`])
      continue
    }
    if (seen.has(kind)) {
      problems.push(["kinds", `lists ${kind} twice`])
      continue
    }
    seen.add(kind)
    const need = (name: keyof SettingNames, value: string | undefined) => {
      if (value === undefined) problems.push([name, `is required for the ${kind} channel`])
      return value
    }
    switch (kind) {
      case "mail":
        channels.push({ kind })
        break
      case "webhook": {
        const url = need("webhookUrl", settings.webhookUrl)
        const secretId = need("webhookSecretId", settings.webhookSecretId)
        const urlProblem = url === undefined ? undefined : channelUrlProblem(url, allowInsecure)
        if (urlProblem !== undefined) problems.push(["webhookUrl", urlProblem])
        if (url !== undefined && secretId !== undefined) channels.push({ kind, url, secretId })
        break
      }
      case "slack":
      case "discord": {
        const secretId = need(
          kind === "slack" ? "slackSecretId" : "discordSecretId",
          kind === "slack" ? settings.slackSecretId : settings.discordSecretId
        )
        if (secretId !== undefined) channels.push({ kind, secretId })
        break
      }
    }
  }
  return problems.length === 0 ? Result.succeed(channels) : Result.fail(problems)
}

/** The single form's channel variables, and the deployment's bound and allowance. */
export const channelVariables = all({
  kinds: oneLineText("CHANNELS", orNothing),
  webhookUrl: text("WEBHOOK_URL", orNothing),
  webhookSecretId: text("WEBHOOK_SECRET_ID", orNothing),
  slackSecretId: text("SLACK_SECRET_ID", orNothing),
  discordSecretId: text("DISCORD_SECRET_ID", orNothing),
  allowInsecure: boolean("CHANNEL_ALLOW_INSECURE"),
  timeoutMs: positiveInt("CHANNEL_TIMEOUT_MS", 3_000, 30_000)
})
