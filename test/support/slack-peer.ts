/**
 * A Slack incoming webhook (the `slack` channel) (contract §11) on 127.0.0.1, port 0, with the limits a delivery must keep and the
 * checks of what a visitor could make it do. Scripted behaviours: see channel-peers.ts.
 *
 * Lengths are counted in UTF-16 code units (JavaScript's `length`), the stricter reading: a
 * message that fits here fits at the service, whichever way it counts.
 */
import { randomBytes } from "node:crypto"
import { STATUS_CODES } from "node:http"
import { ChannelPeerBase, type PeerAnswer, type PeerRequest } from "./channel-peers"
import { arrayAt, isObject, type JsonObject, matchesOf, parseObject, stringAt } from "./json-shapes"

/**
 * The limits of Block Kit that a message must keep (documented per block), and the
 * cumulative one users measure (about 13,200 text characters, `msg_blocks_too_long` from
 * chat.postMessage): 13,000 here, over every `text` string of the message, top-level `text`
 * included.
 */
export const slackLimits = {
  blocks: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  blockId: 255,
  totalText: 13000
} as const

export interface SlackRejection {
  readonly status: number
  /** Slack's body: `invalid_payload`, `invalid_blocks`, `no_text`. */
  readonly error: string
  /** What broke which limit, for a test's failure message (Slack says no more than `error`). */
  readonly detail: string
  readonly raw: string
}

/** The sum of every `text` string in the message (text objects, rich text, top level). */
export const slackTextLength = (value: unknown): number => {
  if (Array.isArray(value))
    return value.reduce<number>((sum, each) => sum + slackTextLength(each), 0)
  if (!isObject(value)) return 0
  return Object.entries(value).reduce<number>(
    (sum, [key, each]) =>
      sum + (key === "text" && typeof each === "string" ? each.length : slackTextLength(each)),
    0
  )
}

const textObjectProblem = (
  value: unknown,
  where: string,
  max: number,
  plainOnly = false
): string | undefined => {
  if (!isObject(value)) return `${where}: not a text object`
  const type = value.type
  if (type !== "plain_text" && (plainOnly || type !== "mrkdwn"))
    return `${where}.type: ${String(type)} where ${plainOnly ? "plain_text" : "a text type"} goes`
  const text = stringAt(value, "text")
  if (text === undefined || text.length === 0) return `${where}.text: empty`
  if (text.length > max) return `${where}.text: ${text.length} characters, more than ${max}`
  return undefined
}

const blockProblem = (block: unknown, where: string): string | undefined => {
  if (!isObject(block)) return `${where}: not an object`
  const blockId = block.block_id
  if (
    blockId !== undefined &&
    (typeof blockId !== "string" || blockId.length > slackLimits.blockId)
  )
    return `${where}.block_id: more than ${slackLimits.blockId}`
  switch (block.type) {
    case "section": {
      const fields = block.fields === undefined ? undefined : arrayAt(block, "fields")
      if (block.text === undefined && fields === undefined)
        return `${where}: neither text nor fields`
      if (block.fields !== undefined && fields === undefined) return `${where}.fields: not an array`
      if (fields !== undefined && fields.length > slackLimits.sectionFields)
        return `${where}.fields: ${fields.length} items, more than ${slackLimits.sectionFields}`
      const problems = [
        block.text === undefined
          ? undefined
          : textObjectProblem(block.text, `${where}.text`, slackLimits.sectionText),
        ...(fields ?? []).map((field, index) =>
          textObjectProblem(field, `${where}.fields[${index}]`, slackLimits.fieldText)
        )
      ]
      return problems.find((problem) => problem !== undefined)
    }
    case "header":
      return textObjectProblem(block.text, `${where}.text`, slackLimits.headerText, true)
    case "context": {
      const elements = arrayAt(block, "elements")
      if (elements === undefined || elements.length === 0) return `${where}.elements: empty`
      if (elements.length > slackLimits.contextElements)
        return `${where}.elements: ${elements.length} items, more than ${slackLimits.contextElements}`
      return elements
        .map((element, index) =>
          isObject(element) && element.type === "image"
            ? undefined
            : textObjectProblem(element, `${where}.elements[${index}]`, slackLimits.contextText)
        )
        .find((problem) => problem !== undefined)
    }
    case "divider":
      return undefined
    case "rich_text": {
      const elements = arrayAt(block, "elements")
      return elements === undefined || elements.length === 0
        ? `${where}.elements: empty`
        : undefined
    }
    default:
      return `${where}.type: ${String(block.type)} is not one this peer knows (section, header, context, divider, rich_text)`
  }
}

/** Slack's verdict on a message: undefined when it would be posted. */
export const slackProblem = (
  message: JsonObject | undefined
): { readonly error: string; readonly detail: string } | undefined => {
  if (message === undefined) return { error: "invalid_payload", detail: "not a JSON object" }
  const text = message.text
  if (text !== undefined && typeof text !== "string")
    return { error: "invalid_payload", detail: "text: not a string" }
  const blocks = message.blocks === undefined ? [] : arrayAt(message, "blocks")
  if (blocks === undefined) return { error: "invalid_blocks", detail: "blocks: not an array" }
  if ((text ?? "") === "" && blocks.length === 0)
    return { error: "no_text", detail: "neither text nor blocks" }
  if (blocks.length > slackLimits.blocks)
    return {
      error: "invalid_blocks",
      detail: `blocks: ${blocks.length}, more than ${slackLimits.blocks}`
    }
  const problem = blocks
    .map((block, index) => blockProblem(block, `blocks[${index}]`))
    .find((each) => each !== undefined)
  if (problem !== undefined) return { error: "invalid_blocks", detail: problem }
  const total = slackTextLength(message)
  if (total > slackLimits.totalText)
    return {
      error: "invalid_blocks",
      detail: `${total} text characters in all, more than ${slackLimits.totalText}`
    }
  return undefined
}

/** Slack's bodies for statuses a test scripts without one. */
const slackErrors: Readonly<Record<number, string>> = {
  400: "invalid_payload",
  403: "invalid_token",
  404: "no_service",
  410: "channel_is_archived",
  429: "rate_limited",
  500: "internal_error"
}

export interface SlackMessageReceived {
  readonly message: JsonObject
  readonly raw: string
}

export class SlackPeer extends ChannelPeerBase {
  /** `/services/T…/B…/<secret>`, as Slack's incoming-webhook URLs are. */
  readonly path = `/services/T0PEER0001/B0PEER0001/${randomBytes(12).toString("hex")}`
  readonly #received: SlackMessageReceived[] = []
  readonly #rejected: SlackRejection[] = []

  static async start(): Promise<SlackPeer> {
    const peer = new SlackPeer()
    await peer.listen()
    return peer
  }

  /** The incoming webhook's URL: the value of `SLACK_WEBHOOK_URL`. */
  get url(): string {
    return `${this.origin}${this.path}`
  }

  /** The messages Slack would have posted, in order (`hang`/`drop` ones included). */
  get received(): ReadonlyArray<SlackMessageReceived> {
    return this.#received
  }

  get rejected(): ReadonlyArray<SlackRejection> {
    return this.#rejected
  }

  protected act(request: PeerRequest): PeerAnswer {
    if (request.pathname !== this.path) return this.statusAnswer(404, {})
    if (request.method !== "POST") return { status: 405, headers: { allow: "POST" } }
    const message = parseObject(request.raw)
    const problem = slackProblem(message)
    if (problem !== undefined || message === undefined) {
      const error = problem ?? { error: "invalid_payload", detail: "not a JSON object" }
      this.#rejected.push({ status: 400, ...error, raw: request.raw })
      return this.statusAnswer(400, {}, error.error)
    }
    this.#received.push({ message, raw: request.raw })
    return this.statusAnswer(200, {}, "ok")
  }

  protected statusAnswer(
    status: number,
    headers: Readonly<Record<string, string>>,
    body = slackErrors[status] ?? (STATUS_CODES[status] ?? "").toLowerCase().replaceAll(" ", "_")
  ): PeerAnswer {
    // Slack answers its incoming webhooks in text/html, success and errors alike.
    return { status, headers: { "content-type": "text/html", ...headers }, body }
  }
}

export const startSlackPeer = (): Promise<SlackPeer> => SlackPeer.start()

export type SlackHazardKind =
  /** `<!channel>`, `<!here>`, `<!everyone>` (or bare `@here`… where Slack parses them). */
  | "broadcast"
  | "user"
  | "usergroup"
  | "channel"
  /** `<http…>`, `<http…|label>`, `<mailto:…>`: a link, masked or not. */
  | "link"
  /** Any other `<…>` control sequence (`<!date^…>`). */
  | "control"
  /** `*bold*`, `_italic_`, `~strike~`, `` `code` ``, a `>` quote. */
  | "format"
  /** `unfurl_links` or `unfurl_media` not false. */
  | "unfurl"

export interface SlackHazard {
  readonly kind: SlackHazardKind
  /** `text`, `blocks[2].text`, `blocks[1].fields[0]`, `blocks[3].elements[0].elements[1]`… */
  readonly where: string
  readonly match: string
}

/** One text Slack shows, with how it reads it. */
interface SlackText {
  readonly where: string
  readonly text: string
  /** `mrkdwn` is parsed; `plain_text` is shown as is (only `&amp;`, `&lt;`, `&gt;` decoded). */
  readonly type: "mrkdwn" | "plain_text"
  /** Bare `@here`, `@channel`, `@everyone` become mentions here. */
  readonly bareMentions: boolean
}

/** A rich text element that is a mention or a link in itself. */
interface SlackElement {
  readonly where: string
  readonly kind: SlackHazardKind
  readonly visible: string
}

const textObject = (value: unknown, where: string): SlackText | undefined => {
  if (!isObject(value)) return undefined
  const text = stringAt(value, "text")
  if (text === undefined) return undefined
  if (value.type === "mrkdwn")
    return { where, text, type: "mrkdwn", bareMentions: value.verbatim !== true }
  return { where, text, type: "plain_text", bareMentions: false }
}

/** Rich text: `text` elements are literal; links, mentions and broadcasts are elements. */
const richText = (value: unknown, where: string, out: Array<SlackText | SlackElement>): void => {
  if (!isObject(value)) return
  const elements = arrayAt(value, "elements")
  if (elements !== undefined) {
    for (const [index, each] of elements.entries())
      richText(each, `${where}.elements[${index}]`, out)
    return
  }
  const name = (key: string) => stringAt(value, key) ?? ""
  switch (value.type) {
    case "text":
      out.push({ where, text: name("text"), type: "plain_text", bareMentions: false })
      return
    case "link":
      out.push({ where, kind: "link", visible: stringAt(value, "text") ?? name("url") })
      return
    case "user":
      out.push({ where, kind: "user", visible: `@${name("user_id")}` })
      return
    case "usergroup":
      out.push({ where, kind: "usergroup", visible: `@${name("usergroup_id")}` })
      return
    case "channel":
      out.push({ where, kind: "channel", visible: `#${name("channel_id")}` })
      return
    case "broadcast":
      out.push({ where, kind: "broadcast", visible: `@${name("range")}` })
      return
    case "emoji":
      out.push({ where, text: `:${name("name")}:`, type: "plain_text", bareMentions: false })
      return
  }
}

/** The texts of the blocks, in the order Slack shows them. */
const blockTexts = (message: JsonObject): Array<SlackText | SlackElement> => {
  const out: Array<SlackText | SlackElement> = []
  const push = (text: SlackText | undefined) => {
    if (text !== undefined) out.push(text)
  }
  for (const [index, block] of (arrayAt(message, "blocks") ?? []).entries()) {
    if (!isObject(block)) continue
    const where = `blocks[${index}]`
    if (block.type === "rich_text") {
      richText(block, where, out)
      continue
    }
    push(textObject(block.text, `${where}.text`))
    for (const [at, field] of (arrayAt(block, "fields") ?? []).entries())
      push(textObject(field, `${where}.fields[${at}]`))
    if (block.type === "context")
      for (const [at, element] of (arrayAt(block, "elements") ?? []).entries())
        push(textObject(element, `${where}.elements[${at}]`))
  }
  return out
}

/** The top-level text: mrkdwn unless `mrkdwn: false`; bare mentions with `link_names`. */
const topLevelText = (message: JsonObject): SlackText | undefined => {
  const text = stringAt(message, "text")
  if (text === undefined) return undefined
  const bareMentions =
    message.link_names === true || message.link_names === 1 || message.parse === "full"
  return {
    where: "text",
    text,
    type: message.mrkdwn === false ? "plain_text" : "mrkdwn",
    bareMentions
  }
}

const CONTROL = /<([^<>]*)>/g
const BARE_BROADCAST = /(?<![\w@])@(?:here|channel|everyone)\b/g
/** Slack's formatting: a marker that opens after a boundary and closes before one. */
const SLACK_FORMAT = [
  /(?<![\w*])\*[^\s*](?:[^*\n]*?[^\s*])?\*(?![\w*])/g,
  /(?<![\w_])_[^\s_](?:[^_\n]*?[^\s_])?_(?![\w_])/g,
  /(?<![\w~])~[^\s~](?:[^~\n]*?[^\s~])?~(?![\w~])/g,
  /`[^`\n]+`/g,
  /```[\s\S]*?```/g,
  /^>/gm
]

const controlKind = (inner: string): SlackHazardKind => {
  if (/^!(here|channel|everyone)(\||$)/.test(inner)) return "broadcast"
  if (inner.startsWith("!subteam^")) return "usergroup"
  if (inner.startsWith("@")) return "user"
  if (inner.startsWith("#")) return "channel"
  if (/^[a-z][a-z0-9+.-]*:/i.test(inner)) return "link"
  return "control"
}

/** What a `<…>` control sequence shows. */
const controlVisible = (inner: string): string => {
  const [target = "", label] = inner.split("|", 2)
  if (label !== undefined && label !== "")
    return controlKind(inner) === "broadcast" ? `@${label}` : label
  const kind = controlKind(inner)
  if (kind === "broadcast") return `@${target.slice(1)}`
  if (kind === "usergroup") return `@${target.slice("!subteam^".length)}`
  if (kind === "user" || kind === "channel") return target
  return kind === "link" ? target.replace(/^mailto:/i, "") : ""
}

const decodeEntities = (text: string): string =>
  text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&")

const renderMrkdwn = (text: string): string => {
  let shown = text.replace(CONTROL, (_, inner: string) => controlVisible(inner))
  shown = shown.replace(/```([\s\S]*?)```/g, "$1").replace(/`([^`\n]+)`/g, "$1")
  shown = shown.replace(/^> ?/gm, "")
  for (const marker of ["*", "_", "~"]) {
    const m = marker === "*" ? "\\*" : marker
    shown = shown.replace(
      new RegExp(`(?<![\\w${m}])${m}([^\\s${m}](?:[^${m}\\n]*?[^\\s${m}])?)${m}(?![\\w${m}])`, "g"),
      "$1"
    )
  }
  return decodeEntities(shown)
}

const visibleOf = (part: SlackText | SlackElement): string =>
  "visible" in part
    ? part.visible
    : part.type === "mrkdwn"
      ? renderMrkdwn(part.text)
      : decodeEntities(part.text)

/**
 * The message's text as Slack shows it: the blocks' texts (text, then fields, then context
 * elements, rich text run together), one line each; the top-level `text` when there are no
 * blocks (with blocks it is only the notification's fallback). Formatting markers are
 * removed, links show their label, mentions `@id`, entities are decoded.
 */
export const slackVisibleText = (message: unknown): string => {
  if (!isObject(message)) return ""
  const parts = blockTexts(message)
  if (parts.length === 0) {
    const top = topLevelText(message)
    return top === undefined ? "" : visibleOf(top)
  }
  const lines: string[] = []
  let rich = ""
  for (const part of parts) {
    if (/\.elements\[\d+\]\.elements\[/.test(part.where)) rich += visibleOf(part)
    else {
      if (rich !== "") lines.push(rich)
      rich = ""
      lines.push(visibleOf(part))
    }
  }
  if (rich !== "") lines.push(rich)
  return lines.join("\n")
}

/**
 * What in the message would mention, link or format beyond the text it carries, wherever
 * it comes from (the peer cannot tell the visitor's text from the template; a template has
 * none): in mrkdwn texts (`<…>` sequences, bare `@here` where Slack parses those, formatting),
 * the top-level text included; rich text's link and mention elements; `unfurl_links` and
 * `unfurl_media` not false. `plain_text` objects and rich text's `text` elements are inert.
 */
export const slackHazards = (message: unknown): ReadonlyArray<SlackHazard> => {
  if (!isObject(message)) return []
  const hazards: SlackHazard[] = []
  const top = topLevelText(message)
  for (const part of top === undefined ? blockTexts(message) : [top, ...blockTexts(message)]) {
    if ("visible" in part) {
      hazards.push({ kind: part.kind, where: part.where, match: part.visible })
      continue
    }
    // Control sequences are parsed in the top-level text even with `mrkdwn: false`.
    if (part.type === "mrkdwn" || part.where === "text")
      for (const match of part.text.matchAll(CONTROL))
        hazards.push({ kind: controlKind(match[1] ?? ""), where: part.where, match: match[0] })
    if (part.bareMentions)
      for (const match of matchesOf(part.text, BARE_BROADCAST))
        hazards.push({ kind: "broadcast", where: part.where, match })
    if (part.type === "mrkdwn")
      for (const pattern of SLACK_FORMAT)
        for (const match of matchesOf(part.text, pattern))
          hazards.push({ kind: "format", where: part.where, match })
  }
  for (const flag of ["unfurl_links", "unfurl_media"])
    if (message[flag] !== false)
      hazards.push({ kind: "unfurl", where: flag, match: String(message[flag]) })
  return hazards
}
