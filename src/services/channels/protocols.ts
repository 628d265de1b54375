/**
 * The channels' protocols, one per row of the channel table other than mail (a row without
 * one does not compile here), each a lazy chunk: a mail-only form never loads them.
 */
import * as Effect from "effect/Effect"
import type { ChannelKind } from "../../domain/channels"
import type { ChannelSend } from "./submission"

export type {
  ChannelAttempt,
  ChannelDone,
  ChannelFailure,
  ChannelSend,
  ChannelSubmission
} from "./submission"
export { ChannelPermanent, ChannelTransient, ChannelUnknown } from "./submission"

/** The channels delivered by a protocol of this folder. */
export type ProtocolKind = Exclude<ChannelKind, "mail">

/** The send function of `kind`, its file loaded on first use. */
export const channelSend = (kind: ProtocolKind): Effect.Effect<ChannelSend> => {
  switch (kind) {
    case "webhook":
      return Effect.promise(() => import("./webhook")).pipe(Effect.map((m) => m.webhookSend))
    case "slack":
      return Effect.promise(() => import("./slack")).pipe(Effect.map((m) => m.slackSend))
    case "discord":
      return Effect.promise(() => import("./discord")).pipe(Effect.map((m) => m.discordSend))
  }
}
