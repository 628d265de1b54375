/**
 * The channels a form delivers to (contract §11), one row each: mail (SMTP or the SES API,
 * as the deployment's transport says), a signed webhook, Slack, Discord. A form has an
 * ordered list of them, `mail` alone by default; each is delivered, kept and redelivered on
 * its own. The configuration, the queue items and the metrics read this table; each row
 * other than mail has its protocol in src/services/channels/ (a row without one does not
 * compile there).
 */

export const channelKinds = ["mail", "webhook", "slack", "discord"] as const

export type ChannelKind = (typeof channelKinds)[number]

export const isChannelKind = (value: string): value is ChannelKind =>
  (channelKinds as ReadonlyArray<string>).includes(value)

/** A form's channel, with what it needs: where to, and the secret with its key. */
export type Channel =
  | { readonly kind: "mail" }
  | {
      readonly kind: "webhook"
      /** The receiver (https; plain http only to loopback with CHANNEL_ALLOW_INSECURE). */
      readonly url: string
      /** The secret `{"WEBHOOK_SECRET":"whsec_…"}` it is signed with. */
      readonly secretId: string
    }
  | {
      readonly kind: "slack" | "discord"
      /** The secret holding the webhook's URL, which is the credential. */
      readonly secretId: string
    }

/** Each channel's row: the key of its secret that holds what it needs. */
export const channelRows = {
  mail: { secretKey: undefined },
  webhook: { secretKey: "WEBHOOK_SECRET" },
  slack: { secretKey: "SLACK_WEBHOOK_URL" },
  discord: { secretKey: "DISCORD_WEBHOOK_URL" }
} as const satisfies Record<ChannelKind, { readonly secretKey: string | undefined }>

/** The channels of a form that is given none. */
export const defaultChannels: ReadonlyArray<Channel> = [{ kind: "mail" }]
