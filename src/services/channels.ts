/**
 * ChannelsService: one submission to one channel other than mail (contract §11): its secret
 * read (the webhook's signing secret; Slack's and Discord's URL, which is the credential),
 * its protocol loaded on first use (src/services/channels/protocols.ts: a form that only
 * mails never loads it) and its failure told as one ChannelFailed that names the channel.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { AppConfigTag } from "../config/app-config"
import { type Channel, channelRows } from "../domain/channels"
import { isPermanent } from "../domain/delivery-failure"
import { ChannelFailed, type RemoteChannelKind, type SecretUnavailable } from "../domain/errors"
import type { ChannelAttempt } from "./channels/protocols"
import type { ChannelFailure, ChannelSubmission } from "./channels/submission"
import { SecretsService } from "./secrets"

export type RemoteChannel = Exclude<Channel, { readonly kind: "mail" }>

export interface ChannelsServiceApi {
  /** Delivers the parts from `fromPart` on, within CHANNEL_TIMEOUT_MS. */
  readonly deliver: (
    channel: RemoteChannel,
    submission: ChannelSubmission,
    fromPart: number
  ) => Effect.Effect<void, ChannelFailed>
}

export class ChannelsService extends Context.Service<ChannelsService, ChannelsServiceApi>()(
  "contact-form/ChannelsService"
) {}

const failed = (
  channel: RemoteChannelKind,
  kind: ChannelFailed["kind"],
  reason: string,
  partsSent: number
) => new ChannelFailed({ channel, kind, reason: `${channel}_${reason}`, partsSent })

/** Its secret could not be read: the owner's to fix, unless the store was only down. */
const secretFailure = (channel: RemoteChannelKind, partsSent: number) => (e: SecretUnavailable) =>
  failed(channel, isPermanent(e) ? "permanent" : "transient", `secret_${e.problem}`, partsSent)

const fromProtocol = (channel: RemoteChannelKind) => (e: ChannelFailure) =>
  new ChannelFailed({
    channel,
    kind:
      e._tag === "ChannelPermanent"
        ? "permanent"
        : e._tag === "ChannelUnknown"
          ? "unknown"
          : "transient",
    reason: `${channel}_${e.reason}`,
    partsSent: e.partsSent,
    ...(e._tag === "ChannelUnknown" ? { at: e.at } : {})
  })

export const ChannelsLive = Layer.effect(
  ChannelsService,
  Effect.gen(function* () {
    const config = yield* AppConfigTag
    const secrets = yield* SecretsService
    const { timeoutMs, allowInsecure } = config.channels

    /** Where to, and what to sign with, from the channel's secret. */
    const targetOf = (channel: RemoteChannel, partsSent: number) =>
      Effect.flatMap(
        Effect.mapError(secrets.channel(channel.secretId), secretFailure(channel.kind, partsSent)),
        (keys): Effect.Effect<Pick<ChannelAttempt, "url" | "signingSecret">, ChannelFailed> => {
          const value = keys[channelRows[channel.kind].secretKey]
          if (value === undefined)
            return Effect.fail(failed(channel.kind, "permanent", "secret_malformed", partsSent))
          // Slack's and Discord's URL is the credential; the protocol checks it as it sends.
          return Effect.succeed(
            channel.kind === "webhook"
              ? { url: channel.url, signingSecret: value }
              : { url: Redacted.value(value) }
          )
        }
      )

    return ChannelsService.of({
      deliver: Effect.fn("ChannelsService.deliver")(function* (channel, submission, fromPart) {
        const target = yield* targetOf(channel, fromPart)
        const { channelSend } = yield* Effect.promise(() => import("./channels/protocols"))
        const send = yield* channelSend(channel.kind)
        yield* Effect.mapError(
          send({ ...target, submission, fromPart, timeoutMs, allowInsecure }),
          fromProtocol(channel.kind)
        )
      })
    })
  })
)
