/**
 * A submission to every channel it is owed to (contract §11), side by side, each within
 * its own bound (mail MAIL_TIMEOUT_MS, the others CHANNEL_TIMEOUT_MS), all before the
 * answer (Lambda freezes after it). What failed is kept as one queue item per channel
 * (./keep.ts); a channel that delivered is never sent again because another failed.
 */
import * as Effect from "effect/Effect"
import type { Channel, ChannelKind } from "./domain/channels"
import type { DeliveryFailure } from "./domain/errors"
import type { OutgoingMail } from "./domain/mail"
import { ChannelsService } from "./services/channels"
import type { ChannelSubmission } from "./services/channels/submission"
import type { MailFailure, MailService } from "./services/mail"

/** One channel's attempt: delivered, or its failure with the parts that did arrive. */
export type Attempted =
  | { readonly channel: ChannelKind; readonly delivered: true }
  | {
      readonly channel: ChannelKind
      readonly delivered: false
      readonly failure: DeliveryFailure
      readonly partsSent: number
    }

export interface Deliveries {
  readonly channels: ReadonlyArray<Channel>
  readonly sendMail: (mail: OutgoingMail) => Effect.Effect<void, MailFailure, MailService>
  readonly mail: OutgoingMail
  readonly submission: ChannelSubmission
}

const delivered = (channel: ChannelKind): Attempted => ({ channel, delivered: true })

const one = (
  channel: Channel,
  d: Deliveries
): Effect.Effect<Attempted, never, ChannelsService | MailService> =>
  channel.kind === "mail"
    ? d.sendMail(d.mail).pipe(
        Effect.as(delivered("mail")),
        Effect.catch((failure) =>
          Effect.succeed<Attempted>({ channel: "mail", delivered: false, failure, partsSent: 0 })
        )
      )
    : ChannelsService.use((channels) =>
        channels.deliver(channel, d.submission, 0).pipe(
          Effect.as(delivered(channel.kind)),
          Effect.catchTag("ChannelFailed", (failure) =>
            Effect.succeed<Attempted>({
              channel: channel.kind,
              delivered: false,
              failure,
              partsSent: failure.partsSent
            })
          )
        )
      )

/** Every channel at once, in the form's order; never fails: each result says how it went. */
export const deliverAll = (
  d: Deliveries
): Effect.Effect<ReadonlyArray<Attempted>, never, ChannelsService | MailService> =>
  d.channels.length === 1 && d.channels[0] !== undefined
    ? Effect.map(one(d.channels[0], d), (a) => [a])
    : Effect.forEach(d.channels, (c) => one(c, d), { concurrency: "unbounded" })
