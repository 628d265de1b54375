/**
 * Every form's channels (contract §11): the single form's from the variables, each form of
 * FORMS from its own keys and the variables it leaves out, each problem named by where it
 * was written.
 */
import * as Result from "effect/Result"
import type { Channel } from "../domain/channels"
import {
  type ChannelSettings,
  channelsFrom,
  type channelVariables,
  formKeyNames,
  type SettingNames,
  variableNames
} from "./channels"
import type { Problem, ValueOf } from "./env"

/** `CHANNELS` as written: comma-separated, blanks ignored; `mail` when unset. */
export const kindsOf = (written: string | undefined): ReadonlyArray<string> =>
  written === undefined
    ? ["mail"]
    : written
        .split(",")
        .map((k) => k.trim())
        .filter((k) => k !== "")

/**
 * Every form's channels: the default form's from the variables, each form of FORMS from
 * its own keys, any it leaves out from the variables (as its other settings); a problem is
 * named by where it was written.
 */
export const formChannels = (
  deployment: ChannelSettings,
  forms: ReadonlyMap<string, ChannelSettingsAsWritten>,
  hasDefault: boolean,
  allowInsecure: boolean
): Result.Result<ReadonlyMap<string, ReadonlyArray<Channel>>, ReadonlyArray<Problem>> => {
  const found = new Map<string, ReadonlyArray<Channel>>()
  const problems: Array<Problem> = []
  const take = (
    id: string,
    settings: ChannelSettings,
    names: (key: keyof SettingNames) => ReadonlyArray<string>
  ) =>
    Result.match(channelsFrom(settings, allowInsecure), {
      onSuccess: (channels) => {
        found.set(id, channels)
      },
      onFailure: (list) => {
        for (const [key, message] of list) problems.push({ path: names(key), message })
      }
    })
  if (hasDefault) take("default", deployment, (key) => [variableNames[key]])
  for (const [id, own] of forms) {
    const settings: ChannelSettings = {
      kinds: own.channels ?? deployment.kinds,
      webhookUrl: own.webhookUrl ?? deployment.webhookUrl,
      webhookSecretId: own.webhookSecretId ?? deployment.webhookSecretId,
      slackSecretId: own.slackSecretId ?? deployment.slackSecretId,
      discordSecretId: own.discordSecretId ?? deployment.discordSecretId
    }
    // Named where it was written: the form's key, or the variable it took the value from.
    const written = (key: keyof SettingNames) =>
      (key === "kinds" ? own.channels : own[key]) !== undefined
        ? ["FORMS", id, formKeyNames[key]]
        : [variableNames[key]]
    take(id, settings, written)
  }
  return problems.length === 0 ? Result.succeed(found) : Result.fail(problems)
}

/** A form's channel keys as FORMS writes them. */
export interface ChannelSettingsAsWritten {
  readonly channels: ReadonlyArray<string> | undefined
  readonly webhookUrl: string | undefined
  readonly webhookSecretId: string | undefined
  readonly slackSecretId: string | undefined
  readonly discordSecretId: string | undefined
}

/** The channels of every form of a deployment, from the variables as decoded. */
export const deploymentChannels = (
  variables: ValueOf<typeof channelVariables>,
  forms: ReadonlyMap<string, ChannelSettingsAsWritten>,
  hasDefault: boolean
) =>
  formChannels(
    {
      kinds: kindsOf(variables.kinds),
      webhookUrl: variables.webhookUrl,
      webhookSecretId: variables.webhookSecretId,
      slackSecretId: variables.slackSecretId,
      discordSecretId: variables.discordSecretId
    },
    forms,
    hasDefault,
    variables.allowInsecure
  )
