/**
 * How a channel other than mail failed to deliver (contract §11), as the flow, the queue
 * and the answer table see it: which channel, whether it may pass by itself, and how many
 * parts of a long message had arrived, so that redelivery sends only the rest.
 */
import * as Data from "effect/Data"
import type { ChannelKind } from "./channels"

export type RemoteChannelKind = Exclude<ChannelKind, "mail">

export class ChannelFailed extends Data.TaggedError("ChannelFailed")<{
  readonly channel: RemoteChannelKind
  /**
   * `transient`: worth another attempt (408, 429, 5xx, the network, its secret's store down);
   * `permanent`: needs the owner (another 4xx, a redirect, a deleted webhook, a bad secret);
   * `unknown`: the request left and no answer came, so it may have arrived (contract §7a).
   */
  readonly kind: "transient" | "permanent" | "unknown"
  /** The log's reason, the channel first: `slack_http_503`, `webhook_timeout`. */
  readonly reason: string
  /** Parts of the message delivered so far (earlier attempts' included). */
  readonly partsSent: number
  /** An unknown outcome's moment (epoch ms). */
  readonly at?: number
}> {}
