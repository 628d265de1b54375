/**
 * A queued item as the flow writes it (contract §7): its JSON, its id and the spool's
 * file name for it. Version 3 by default; `v: 1` and `v: 2` are what the versions before
 * unknown outcomes and before channels wrote, which every later version must still read
 * (contract §7a).
 */
import { randomUUID } from "node:crypto"

export interface ItemOptions {
  readonly v?: 1 | 2 | 3
  readonly id?: string
  /** How long ago it was received. */
  readonly ageHours?: number
  readonly visitor?: { readonly email: string; readonly subject: string; readonly body: string }
}

const someone = {
  email: "zoe.quillfeather@example.org",
  subject: "Zebra umbrella order",
  body: "Please call me back about the zebra umbrellas."
}

export const queuedItem = (options: ItemOptions = {}) => {
  const receivedAt = new Date(Date.now() - (options.ageHours ?? 0) * 3_600_000)
  const id = options.id ?? randomUUID()
  const visitor = options.visitor ?? someone
  return {
    id,
    name: `${receivedAt.getTime()}-${id}.json`,
    json: JSON.stringify({
      v: options.v ?? 3,
      id,
      form: "default",
      receivedAt: receivedAt.toISOString(),
      reason: "smtp_reply_454",
      permanent: false,
      language: "en",
      replyTo: { name: "", address: visitor.email },
      subject: visitor.subject,
      body: visitor.body,
      extras: [],
      captcha: { _tag: "Disabled" }
    })
  }
}
