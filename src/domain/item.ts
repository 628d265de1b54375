/**
 * A queued item (contract §7): the submission, not the composed mail, so that sender,
 * recipients and prefix come from the configuration in force when it is finally sent.
 * One JSON document of at most 256 KiB, SQS's limit. Versioned (contract §7a): this code
 * writes version 3 and reads every earlier one. An item is owed to one channel (contract
 * §11): a submission delivered nowhere is one item per channel, each redelivered alone.
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { type ChannelKind, channelKinds } from "./channels"
import type { CaptchaVerdict } from "./errors"
import type { ContactForm } from "./form"
import { languages } from "./languages"
import { SpamVerdict } from "./spam-verdict"

/** A captcha verdict as stored (an item, a shared claim): exactly the verdicts there are. */
export const Verdict = Schema.Union([
  Schema.Struct({ _tag: Schema.Literal("Verified") }),
  Schema.Struct({ _tag: Schema.Literal("Disabled") }),
  Schema.Struct({
    _tag: Schema.Literal("Unverified"),
    reason: Schema.Union([
      Schema.Literals([
        "timeout",
        "unreachable",
        "invalid_response",
        "provider_error",
        "secret_unavailable"
      ]),
      Schema.TemplateLiteral(["http_", Schema.Number])
    ])
  })
])

const fields = {
  id: Schema.String,
  /** The form it was sent to (contract §10); `default` for the single-form variables. */
  form: Schema.String,
  receivedAt: Schema.String,
  /** Why the first attempt failed, as the log line said it. */
  reason: Schema.String,
  permanent: Schema.Boolean,
  language: Schema.Literals(languages),
  replyTo: Schema.Struct({ name: Schema.String, address: Schema.String }),
  subject: Schema.NullOr(Schema.String),
  body: Schema.String,
  extras: Schema.Array(Schema.Tuple([Schema.String, Schema.String])),
  captcha: Verdict
}

/** Version 1, written before unknown outcomes existed. */
const QueueItemV1 = Schema.Struct({ v: Schema.Literal(1), ...fields })

/** The fields version 2 added (unknown outcomes, contract §7a). */
const unknownFields = {
  /**
   * An attempt at this ISO time may have reached the owner (contract §7a): the next one
   * waits UNKNOWN_RETRY_MINUTES after it, and its mail is marked a possible duplicate.
   */
  unknownAt: Schema.optionalKey(Schema.String),
  /**
   * Which stored copy of the submission this is: 1 (absent), then one more for each copy an
   * unknown redelivery keeps in its place. SQS's deduplication id is `<id>:<channel>:<copy>`.
   */
  copy: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThan(0))),
  /**
   * The spool's: an attempt began at this ISO time and has not ended (written before DATA),
   * so a server that takes the item over after a crash sends it marked (contract §7a).
   */
  attemptAt: Schema.optionalKey(Schema.String)
}

/** Version 2, written before channels existed: every one of them is owed to mail. */
const QueueItemV2 = Schema.Struct({ v: Schema.Literal(2), ...fields, ...unknownFields })

export const QueueItem = Schema.Struct({
  v: Schema.Literal(3),
  ...fields,
  ...unknownFields,
  /** The channel it is owed to (contract §11); absent: mail. */
  channel: Schema.optionalKey(Schema.Literals(channelKinds)),
  /**
   * Of a message too long for one Slack or Discord post, the parts already delivered:
   * redelivery sends only the rest.
   */
  partsSent: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
  /** Judged spam under `mark` (contract §12): redelivered marked as the first attempt was. */
  spam: Schema.optionalKey(SpamVerdict)
})

export type QueueItem = typeof QueueItem.Type

/** SQS's limit on a message body, which the spool keeps too. */
export const maxItemBytes = 256 * 1024

export const queueItem = (options: {
  readonly id: string
  readonly form: string
  readonly receivedAt: Date
  readonly reason: string
  readonly permanent: boolean
  readonly contact: ContactForm
  readonly captcha: CaptchaVerdict
  /** When the attempt whose outcome is unknown passed the point of no return. */
  readonly unknownAt?: Date
  /** The channel it is owed to; mail when absent. */
  readonly channel?: ChannelKind
  readonly partsSent?: number
  readonly spam?: SpamVerdict
}): QueueItem => {
  const { contact } = options
  return {
    v: 3,
    id: options.id,
    form: options.form,
    receivedAt: options.receivedAt.toISOString(),
    reason: options.reason,
    permanent: options.permanent,
    language: contact.language,
    replyTo: { name: contact.name ?? "", address: contact.email },
    subject: contact.subject ?? null,
    body: contact.body,
    extras: contact.extras,
    captcha: options.captcha,
    ...(options.unknownAt === undefined ? {} : { unknownAt: options.unknownAt.toISOString() }),
    ...(options.channel === undefined || options.channel === "mail"
      ? {}
      : { channel: options.channel }),
    ...(options.partsSent === undefined || options.partsSent === 0
      ? {}
      : { partsSent: options.partsSent }),
    ...(options.spam === undefined ? {} : { spam: options.spam })
  }
}

/** The channel an item is owed to. */
export const channelOf = (item: QueueItem): ChannelKind => item.channel ?? "mail"

/** The stored copy an item is (SQS's deduplication id: `<id>:<channel>:<copy>`). */
export const copyOf = (item: QueueItem): number => item.copy ?? 1

/** When an item may be sent: at once, or UNKNOWN_RETRY_MINUTES after its unknown attempt. */
export const dueAt = (item: QueueItem, unknownRetryMinutes: number): number =>
  item.unknownAt === undefined ? 0 : Date.parse(item.unknownAt) + unknownRetryMinutes * 60_000

/** The form an item holds, as the flow had decoded it. */
export const itemForm = (item: QueueItem): ContactForm => ({
  email: item.replyTo.address,
  body: item.body,
  ...(item.subject === null ? {} : { subject: item.subject }),
  ...(item.replyTo.name === "" ? {} : { name: item.replyTo.name }),
  language: item.language,
  extras: item.extras
})

/**
 * The item as one JSON document. SQS refuses U+FFFE, U+FFFF and lone surrogates in a
 * message (moto does not), and validation refuses them in every field (contract §7a),
 * so no item holds one; the control characters SQS refuses too are JSON escapes already.
 */
export const encodeItem = (item: QueueItem): string => JSON.stringify(item)

const decodeJson = Schema.decodeUnknownResult(
  Schema.fromJsonString(Schema.Union([QueueItem, QueueItemV2, QueueItemV1]))
)

/** An item back from its JSON, of any version, as the latest; `undefined` for no item. */
export const decodeItem = (body: string): QueueItem | undefined =>
  Result.match(decodeJson(body), {
    onFailure: () => undefined,
    onSuccess: (item): QueueItem => (item.v === 3 ? item : { ...item, v: 3 })
  })
