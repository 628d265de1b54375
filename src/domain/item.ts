/**
 * A queued item (SPEC section 7): the submission, not the composed mail, so that sender,
 * recipients and prefix come from the configuration in force when it is finally sent.
 * One JSON document of at most 256 KiB, SQS's limit.
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { CaptchaVerdict } from "./errors"
import type { ContactForm } from "./form"
import { languages } from "./languages"

const Verdict = Schema.Union(
  Schema.Struct({ _tag: Schema.Literal("Verified") }),
  Schema.Struct({ _tag: Schema.Literal("Disabled") }),
  Schema.Struct({
    _tag: Schema.Literal("Unverified"),
    reason: Schema.Union(
      Schema.Literal("timeout", "unreachable", "invalid_response", "secret_unavailable"),
      Schema.TemplateLiteral("http_", Schema.Number)
    )
  })
)

export const QueueItem = Schema.Struct({
  v: Schema.Literal(1),
  id: Schema.String,
  /** The form it was sent to (SPEC section 10); `default` for the single-form variables. */
  form: Schema.String,
  receivedAt: Schema.String,
  /** Why the first attempt failed, as the log line said it. */
  reason: Schema.String,
  permanent: Schema.Boolean,
  language: Schema.Literal(...languages),
  replyTo: Schema.Struct({ name: Schema.String, address: Schema.String }),
  subject: Schema.NullOr(Schema.String),
  body: Schema.String,
  extras: Schema.Array(Schema.Tuple(Schema.String, Schema.String)),
  captcha: Verdict
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
}): QueueItem => {
  const { contact } = options
  return {
    v: 1,
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
    captcha: options.captcha
  }
}

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
 * message (moto does not), and validation refuses them in every field (SPEC section 7a),
 * so no item holds one; the control characters SQS refuses too are JSON escapes already.
 */
export const encodeItem = (item: QueueItem): string => JSON.stringify(item)

const decodeJson = Schema.decodeUnknownEither(Schema.parseJson(QueueItem))

/** An item back from its JSON, or `undefined` for a body that is not one (of version 1). */
export const decodeItem = (body: string): QueueItem | undefined =>
  Either.getOrUndefined(decodeJson(body))
