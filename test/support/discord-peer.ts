/**
 * A Discord webhook (the `discord` channel) (contract §11) on 127.0.0.1, port 0, with the limits a delivery must keep and the
 * checks of what a visitor could make it do. Scripted behaviours: see channel-peers.ts.
 *
 * Lengths are counted in UTF-16 code units (JavaScript's `length`), the stricter reading: a
 * message that fits here fits at the service, whichever way it counts.
 */
import { randomBytes } from "node:crypto"
import { STATUS_CODES } from "node:http"
import { bodyAnswer, ChannelPeerBase, type PeerAnswer, type PeerRequest } from "./channel-peers"
import { arrayAt, isObject, type JsonObject, parseObject, stringAt } from "./json-shapes"

/** Execute Webhook's documented limits, and its rate limit per webhook. */
export const discordLimits = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  username: 80,
  embedTotal: 6000,
  ratePerWindow: 5,
  windowMs: 2000
} as const

interface FormError {
  readonly path: ReadonlyArray<string | number>
  readonly code: string
  readonly message: string
}

/** Discord's `errors` object: the path's keys nested, `_errors` at the end. */
const formErrors = (errors: ReadonlyArray<FormError>): JsonObject => {
  const root: Record<string, unknown> = {}
  for (const error of errors) {
    let node = root
    for (const key of error.path) {
      const next = node[String(key)]
      const child: Record<string, unknown> = isObject(next) ? { ...next } : {}
      node[String(key)] = child
      node = child
    }
    const list = Array.isArray(node._errors) ? node._errors : []
    node._errors = [...list, { code: error.code, message: error.message }]
  }
  return root
}

const tooLong = (path: FormError["path"], max: number): FormError => ({
  path,
  code: "BASE_TYPE_MAX_LENGTH",
  message: `Must be ${max} or fewer in length.`
})

const required = (path: FormError["path"]): FormError => ({
  path,
  code: "BASE_TYPE_REQUIRED",
  message: "This field is required"
})

/** A string field: absent is fine unless required; present, a string within max. */
const lengthErrors = (
  object: JsonObject,
  key: string,
  path: FormError["path"],
  max: number,
  needed = false
): FormError[] => {
  const value = object[key]
  // Discord trims what it shows: a value of spaces is as absent as an empty one.
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === ""))
    return needed ? [required([...path, key])] : []
  if (typeof value !== "string")
    return [
      {
        path: [...path, key],
        code: "STRING_TYPE_CONVERT",
        message: "Could not interpret as string."
      }
    ]
  return value.length > max ? [tooLong([...path, key], max)] : []
}

/** The characters of an embed that count towards the 6,000. */
export const discordEmbedLength = (embed: unknown): number => {
  if (!isObject(embed)) return 0
  const length = (object: unknown, key: string) =>
    isObject(object) ? (stringAt(object, key)?.length ?? 0) : 0
  const fields = arrayAt(embed, "fields") ?? []
  return (
    length(embed, "title") +
    length(embed, "description") +
    fields.reduce<number>((sum, field) => sum + length(field, "name") + length(field, "value"), 0) +
    length(embed.footer, "text") +
    length(embed.author, "name")
  )
}

const embedErrors = (embed: unknown, index: number): FormError[] => {
  const path = ["embeds", index]
  if (!isObject(embed))
    return [
      { path, code: "MODEL_TYPE_CONVERT", message: "Only dictionaries may be used in a ModelType" }
    ]
  const fields = arrayAt(embed, "fields") ?? []
  return [
    ...lengthErrors(embed, "title", path, discordLimits.title),
    ...lengthErrors(embed, "description", path, discordLimits.description),
    ...(fields.length > discordLimits.fields
      ? [tooLong([...path, "fields"], discordLimits.fields)]
      : []),
    ...fields.flatMap((field, at) =>
      isObject(field)
        ? [
            ...lengthErrors(field, "name", [...path, "fields", at], discordLimits.fieldName, true),
            ...lengthErrors(field, "value", [...path, "fields", at], discordLimits.fieldValue, true)
          ]
        : [required([...path, "fields", at])]
    ),
    ...(isObject(embed.footer)
      ? lengthErrors(embed.footer, "text", [...path, "footer"], discordLimits.footerText, true)
      : []),
    ...(isObject(embed.author)
      ? lengthErrors(embed.author, "name", [...path, "author"], discordLimits.authorName, true)
      : [])
  ]
}

/** Discord's 400 for a message it would refuse; undefined when it would post it. */
export const discordProblem = (message: JsonObject | undefined): JsonObject | undefined => {
  if (message === undefined)
    return { message: "The request body contains invalid JSON.", code: 50109 }
  const embeds = arrayAt(message, "embeds") ?? []
  const username = stringAt(message, "username")
  const errors: FormError[] = [
    ...lengthErrors(message, "content", [], discordLimits.content),
    ...(username !== undefined && (username.length < 1 || username.length > discordLimits.username)
      ? [
          {
            path: ["username"],
            code: "BASE_TYPE_BAD_LENGTH",
            message: `Must be between 1 and ${discordLimits.username} in length.`
          }
        ]
      : []),
    ...(embeds.length > discordLimits.embeds ? [tooLong(["embeds"], discordLimits.embeds)] : []),
    ...embeds.flatMap(embedErrors)
  ]
  const total = embeds.reduce<number>((sum, embed) => sum + discordEmbedLength(embed), 0)
  if (total > discordLimits.embedTotal)
    errors.push({
      path: ["embeds"],
      code: "MAX_EMBED_SIZE_EXCEEDED",
      message: `Embed size exceeds maximum size of ${discordLimits.embedTotal}`
    })
  if (errors.length > 0)
    return { message: "Invalid Form Body", code: 50035, errors: formErrors(errors) }
  if ((stringAt(message, "content") ?? "") === "" && embeds.length === 0)
    return { message: "Cannot send an empty message", code: 50006 }
  return undefined
}

/** `allowed_mentions: {"parse": []}` (empty `users`/`roles` and `replied_user: false` too). */
export const discordMentionsBlocked = (message: unknown): boolean => {
  if (!isObject(message) || !isObject(message.allowed_mentions)) return false
  const allowed = message.allowed_mentions
  const empty = (key: string) => {
    const value = allowed[key]
    return value === undefined || (Array.isArray(value) && value.length === 0)
  }
  return (
    Array.isArray(allowed.parse) &&
    allowed.parse.length === 0 &&
    empty("users") &&
    empty("roles") &&
    (allowed.replied_user === undefined || allowed.replied_user === false) &&
    Object.keys(allowed).every((key) => ["parse", "users", "roles", "replied_user"].includes(key))
  )
}

const discordErrors: Readonly<Record<number, JsonObject>> = {
  401: { message: "401: Unauthorized", code: 0 },
  404: { message: "Unknown Webhook", code: 10015 }
}

export interface DiscordMessageReceived {
  readonly message: JsonObject
  readonly raw: string
  /** `?wait=true`: answered 200 with the message. */
  readonly wait: boolean
  /** `allowed_mentions` is `{"parse": []}`: no mention in it pings anyone. */
  readonly allowedMentionsBlocked: boolean
  /** The message id the peer gave it. */
  readonly id: string
}

export interface DiscordRejection {
  readonly status: number
  readonly body: JsonObject
  readonly raw: string
}

export interface DiscordPeerOptions {
  /** The rate limit's clock, in milliseconds; `Date.now` by default. */
  readonly now?: () => number
}

/** Discord's epoch (2015-01-01), from which its snowflake ids count. */
const DISCORD_EPOCH = 1_420_070_400_000n

export class DiscordPeer extends ChannelPeerBase {
  readonly webhookId = "1300000000000000001"
  readonly token = randomBytes(51).toString("base64url")
  readonly #now: () => number
  readonly #received: DiscordMessageReceived[] = []
  readonly #rejected: DiscordRejection[] = []
  readonly #bucket = randomBytes(16).toString("hex")
  #windowEnds = Number.NEGATIVE_INFINITY
  #used = 0
  #sequence = 0n

  private constructor(options: DiscordPeerOptions) {
    super()
    this.#now = options.now ?? Date.now
  }

  static async start(options: DiscordPeerOptions = {}): Promise<DiscordPeer> {
    const peer = new DiscordPeer(options)
    await peer.listen()
    return peer
  }

  /** The webhook's URL: the value of `DISCORD_WEBHOOK_URL`. */
  get url(): string {
    return `${this.origin}/api/webhooks/${this.webhookId}/${this.token}`
  }

  /** The messages Discord would have posted, in order (`hang`/`drop` ones included). */
  get received(): ReadonlyArray<DiscordMessageReceived> {
    return this.#received
  }

  get rejected(): ReadonlyArray<DiscordRejection> {
    return this.#rejected
  }

  protected act(request: PeerRequest): PeerAnswer {
    const match = /^\/api(?:\/v\d+)?\/webhooks\/([^/]+)\/([^/]+)\/?$/.exec(request.pathname)
    if (match?.[1] !== this.webhookId) return this.statusAnswer(404, {})
    if (match[2] !== this.token)
      return bodyAnswer(401, { message: "Invalid Webhook Token", code: 50027 })
    if (request.method !== "POST")
      return bodyAnswer(405, { message: "405: Method Not Allowed", code: 0 })
    const now = this.#now()
    if (now >= this.#windowEnds) {
      this.#windowEnds = now + discordLimits.windowMs
      this.#used = 0
    }
    if (this.#used >= discordLimits.ratePerWindow) return this.#rateLimited(now)
    this.#used++
    const limits = this.#limitHeaders(now)
    const json = /^application\/json\s*(;|$)/i.test(request.headers["content-type"] ?? "")
    const message = json ? parseObject(request.raw) : {}
    const problem = discordProblem(message)
    if (problem !== undefined || message === undefined) {
      const body = problem ?? { message: "Cannot send an empty message", code: 50006 }
      this.#rejected.push({ status: 400, body, raw: request.raw })
      return bodyAnswer(400, body, limits)
    }
    const id = String(((BigInt(Math.floor(now)) - DISCORD_EPOCH) << 22n) + this.#sequence++)
    const wait = request.query.get("wait") === "true"
    this.#received.push({
      message,
      raw: request.raw,
      wait,
      allowedMentionsBlocked: discordMentionsBlocked(message),
      id
    })
    if (!wait) return { status: 204, headers: limits }
    return bodyAnswer(200, this.#posted(message, id, now), limits)
  }

  protected statusAnswer(status: number, headers: Readonly<Record<string, string>>): PeerAnswer {
    if (status === 429) {
      const hint = Number(headers["retry-after"] ?? "1")
      return bodyAnswer(
        429,
        {
          message: "You are being rate limited.",
          retry_after: Number.isFinite(hint) ? hint : 1,
          global: false
        },
        headers
      )
    }
    const body = discordErrors[status] ?? {
      message: `${status}: ${STATUS_CODES[status] ?? ""}`,
      code: 0
    }
    return bodyAnswer(status, body, headers)
  }

  #limitHeaders(now: number): Record<string, string> {
    return {
      "x-ratelimit-bucket": this.#bucket,
      "x-ratelimit-limit": String(discordLimits.ratePerWindow),
      "x-ratelimit-remaining": String(discordLimits.ratePerWindow - this.#used),
      "x-ratelimit-reset": (this.#windowEnds / 1000).toFixed(3),
      "x-ratelimit-reset-after": ((this.#windowEnds - now) / 1000).toFixed(3)
    }
  }

  /** Discord's 429: `retry_after` in seconds (a float), `Retry-After` whole seconds. */
  #rateLimited(now: number): PeerAnswer {
    const seconds = (this.#windowEnds - now) / 1000
    const body = {
      message: "You are being rate limited.",
      retry_after: Number(seconds.toFixed(3)),
      global: false
    }
    this.#rejected.push({ status: 429, body, raw: "" })
    return bodyAnswer(429, body, {
      ...this.#limitHeaders(now),
      "retry-after": String(Math.max(1, Math.ceil(seconds))),
      "x-ratelimit-scope": "user"
    })
  }

  /** The message object `?wait=true` answers with. */
  #posted(message: JsonObject, id: string, now: number): JsonObject {
    return {
      id,
      type: 0,
      content: stringAt(message, "content") ?? "",
      channel_id: "1300000000000000002",
      author: {
        id: this.webhookId,
        username: stringAt(message, "username") ?? "Contact form",
        discriminator: "0000",
        avatar: null,
        bot: true
      },
      attachments: [],
      embeds: arrayAt(message, "embeds") ?? [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: new Date(now).toISOString(),
      edited_timestamp: null,
      flags: 0,
      components: [],
      webhook_id: this.webhookId
    }
  }
}

export const startDiscordPeer = (options?: DiscordPeerOptions): Promise<DiscordPeer> =>
  DiscordPeer.start(options)

export type DiscordMarkdownKind =
  | "bold"
  | "italic"
  | "underline"
  | "strike"
  | "spoiler"
  | "code"
  | "quote"
  | "heading"
  | "subtext"
  | "link"

export type DiscordMentionKind = "everyone" | "here" | "user" | "role" | "channel"

export interface DiscordHazard<Kind extends string> {
  readonly kind: Kind
  /** `content`, `embeds[0].description`, `embeds[0].fields[2].value`… */
  readonly where: string
  readonly match: string
}

export interface DiscordHazards {
  /** Formatting Discord would apply: never blocked by anything but escaping. */
  readonly markdown: ReadonlyArray<DiscordHazard<DiscordMarkdownKind>>
  /** Mentions as written (in embeds they render but never ping). */
  readonly mentions: ReadonlyArray<DiscordHazard<DiscordMentionKind>>
  /** `allowed_mentions: {"parse": []}`: none of `mentions` pings anyone. */
  readonly mentionsBlocked: boolean
}

const DISCORD_MARKDOWN: ReadonlyArray<readonly [DiscordMarkdownKind, RegExp]> = [
  ["bold", /\*\*(?=\S)[\s\S]+?\*\*/g],
  ["italic", /(?<!\*)\*[^\s*](?:[^*\n]*?[^\s*])?\*(?!\*)/g],
  ["italic", /(?<![_\w])_[^\s_](?:[^_\n]*?[^\s_])?_(?![_\w])/g],
  ["underline", /__(?=\S)[\s\S]+?__/g],
  ["strike", /~~(?=\S)[\s\S]+?~~/g],
  ["spoiler", /\|\|[\s\S]+?\|\|/g],
  ["code", /`[^`]+`/g],
  ["quote", /^ *>{1,3} /gm],
  ["heading", /^#{1,3} +\S/gm],
  ["subtext", /^-# +\S/gm],
  ["link", /\[[^\]\n]+\]\(\s*<?[a-z][a-z0-9+.-]*:[^)\s]*>?\s*\)/gi]
]

const DISCORD_MENTIONS: ReadonlyArray<readonly [DiscordMentionKind, RegExp]> = [
  ["everyone", /@everyone/g],
  ["here", /@here/g],
  ["user", /<@!?\d+>/g],
  ["role", /<@&\d+>/g],
  ["channel", /<#\d+>/g]
]

/** The texts of a message that Discord renders as markdown, each with where it is. */
const discordTexts = (message: JsonObject): Array<{ where: string; text: string }> => {
  const out: Array<{ where: string; text: string }> = []
  const add = (where: string, object: unknown, key: string) => {
    const text = isObject(object) ? stringAt(object, key) : undefined
    if (text !== undefined) out.push({ where, text })
  }
  add("content", message, "content")
  ;(arrayAt(message, "embeds") ?? []).forEach((embed, index) => {
    if (!isObject(embed)) return
    const at = `embeds[${index}]`
    add(`${at}.title`, embed, "title")
    add(`${at}.description`, embed, "description")
    ;(arrayAt(embed, "fields") ?? []).forEach((field, f) => {
      add(`${at}.fields[${f}].name`, field, "name")
      add(`${at}.fields[${f}].value`, field, "value")
    })
    add(`${at}.footer.text`, embed.footer, "text")
    add(`${at}.author.name`, embed.author, "name")
  })
  return out
}

/**
 * What in the message's texts Discord would format or read as a mention, unescaped (a
 * character after `\` is escaped; `@\u200beveryone` is no mention), whoever wrote it: the
 * peer cannot tell the visitor's text from the template. Markdown and mentions apart, because
 * `allowed_mentions` stops mentions pinging but leaves markdown as it is.
 */
export const discordHazards = (message: unknown): DiscordHazards => {
  if (!isObject(message)) return { markdown: [], mentions: [], mentionsBlocked: false }
  const markdown: Array<DiscordHazard<DiscordMarkdownKind>> = []
  const mentions: Array<DiscordHazard<DiscordMentionKind>> = []
  for (const { where, text } of discordTexts(message)) {
    // An escaped character becomes two NULs: positions stay, nothing matches it.
    const masked = text.replace(/\\[\s\S]/g, "\u0000\u0000")
    const shown = (match: RegExpMatchArray) =>
      text.slice(match.index ?? 0, (match.index ?? 0) + match[0].length)
    for (const [kind, pattern] of DISCORD_MARKDOWN)
      for (const match of masked.matchAll(pattern))
        markdown.push({ kind, where, match: shown(match) })
    for (const [kind, pattern] of DISCORD_MENTIONS)
      for (const match of masked.matchAll(pattern))
        mentions.push({ kind, where, match: shown(match) })
  }
  return { markdown, mentions, mentionsBlocked: discordMentionsBlocked(message) }
}
