/**
 * Where a channel's attempt goes: its URL as the configuration's one rule allows it (https;
 * plain http only to loopback with CHANNEL_ALLOW_INSECURE), checked at send time too,
 * because Slack's and Discord's URLs come from secrets the configuration never sees.
 */
import * as Effect from "effect/Effect"
import { channelUrlProblem } from "../../config/channels"
import { type ChannelAttempt, ChannelPermanent } from "./submission"

export const checkedUrl = (attempt: ChannelAttempt): Effect.Effect<URL, ChannelPermanent> =>
  channelUrlProblem(attempt.url, attempt.allowInsecure === true) === undefined
    ? Effect.succeed(new URL(attempt.url))
    : Effect.fail(new ChannelPermanent({ reason: "url_invalid", partsSent: attempt.fromPart }))
