/**
 * Discord's webhook (contract §11): one embed per message, the visitor's text escaped so
 * that it cannot format, link or mention, and `allowed_mentions: {parse: []}` so that
 * nothing pings anyone whatever slips through. A long form goes over several messages, each
 * saying "part i of n" and the submission's id; `?wait=true` makes Discord answer only once
 * the message is posted. Discord allows 5 messages per 2 s per webhook: a 429's
 * `retry_after` is waited when it fits the budget, otherwise the rest is kept.
 */
import * as Effect from "effect/Effect"
import { sendParts } from "./deliver"
import { type Answer, retryAfterMs } from "./post"
import { checkedUrl } from "./receiver"
import {
  type Budget,
  type Chunk,
  duplicatePlaceholder,
  fieldsOf,
  type Label,
  pack,
  partOf,
  partsPlaceholder
} from "./split"
import type { ChannelAttempt, ChannelSend, ChannelSubmission } from "./submission"

// Discord's developer documentation, "Embed Limits" (characters, counted after escaping).
export const discordMaxTitle = 256
export const discordMaxDescription = 4_096
export const discordMaxFields = 25
export const discordMaxFieldName = 256
export const discordMaxFieldValue = 1_024
export const discordMaxEmbeds = 10
/** Title, description, field names and values, footer and author of all embeds together. */
export const discordMaxTotal = 6_000

/** Inserted where a word would mention: Discord shows it as nothing. */
const zeroWidthSpace = "\u200b"

/**
 * Every character Discord's markdown reads (a backslash makes it literal, `\<` included,
 * which also undoes `<@…>`, `<#…>` and `<t:…>`), a list's `1.`, and `@everyone`/`@here`.
 */
export const escapeDiscord = (text: string): string =>
  text
    .replace(/[\\*_~`|<>#\-+[\]()]/g, "\\$&")
    .replace(/^(\s*\d+)\./gm, "$1\\.")
    .replace(/@(?=everyone|here)/gi, `@${zeroWidthSpace}`)

const fieldName = (label: Label, continued: boolean) =>
  `${"own" in label ? label.own : escapeDiscord(label.visitor)}${continued ? " (continued)" : ""}`

/** The pieces of a field after its first are named by nothing: they read as one text. */
const chunkFields = (chunk: Chunk) =>
  chunk.pieces.map((piece, index) => ({
    name: index === 0 ? fieldName(chunk.label, chunk.continued) : zeroWidthSpace,
    value: escapeDiscord(piece),
    inline: false
  }))

const frame = (
  submission: ChannelSubmission,
  index: number,
  count: number,
  possibleDuplicate: string | undefined
) => ({
  title: `${possibleDuplicate === undefined ? "" : "Possible duplicate: "}${submission.spam === undefined ? "" : "[Spam?] "}Contact form message, ${partOf(index, count)}`,
  ...(possibleDuplicate === undefined
    ? {}
    : { description: `An attempt at ${possibleDuplicate} may have posted this already.` }),
  footer: {
    text: `Submission ${submission.id}, form ${submission.form}, received ${submission.receivedAt}`
  }
})

const frameChars = (f: ReturnType<typeof frame>) =>
  f.title.length + (f.description?.length ?? 0) + f.footer.text.length

const budgetFor = (submission: ChannelSubmission): Budget => ({
  slots: discordMaxFields,
  room:
    discordMaxTotal -
    frameChars(frame(submission, partsPlaceholder, partsPlaceholder, duplicatePlaceholder)),
  labelSlots: 0,
  labelCost: (label, continued) => fieldName(label, continued).length,
  pieceCost: (piece, first) => escapeDiscord(piece).length + (first ? 0 : zeroWidthSpace.length),
  maxPieceUnits: discordMaxFieldValue,
  pieceFits: (piece) => escapeDiscord(piece).length <= discordMaxFieldValue
})

/** The messages that carry `submission`, in order. */
export const discordMessages = (submission: ChannelSubmission): ReadonlyArray<object> => {
  const parts = pack(fieldsOf(submission), budgetFor(submission))
  return parts.map((chunks, index) => ({
    embeds: [
      {
        ...frame(submission, index, parts.length, submission.possibleDuplicate),
        fields: chunks.flatMap(chunkFields)
      }
    ],
    allowed_mentions: { parse: [] }
  }))
}

/** Discord's hint: `retry_after` (seconds) in a 429's JSON, else `Retry-After`. */
const discordHint = (answer: Answer, now: number): number | undefined => {
  try {
    const parsed: unknown = JSON.parse(answer.hintBody ?? "")
    if (typeof parsed === "object" && parsed !== null && "retry_after" in parsed) {
      const seconds = parsed.retry_after
      if (typeof seconds === "number" && seconds >= 0) return Math.ceil(seconds * 1000)
    }
  } catch {
    // Not JSON: the header says it, or nothing does.
  }
  return retryAfterMs(answer.retryAfter, now)
}

export const discordSend: ChannelSend = Effect.fn("DiscordChannel.send")(function* (
  attempt: ChannelAttempt
) {
  const url = yield* checkedUrl(attempt)
  url.searchParams.set("wait", "true")
  const bodies = discordMessages(attempt.submission).map((message) => JSON.stringify(message))
  return yield* sendParts({
    parts: bodies.length,
    fromPart: attempt.fromPart,
    timeoutMs: attempt.timeoutMs,
    request: (index) => ({ url, headers: {}, body: bodies[index] ?? "" }),
    lostAnswer: "unknown",
    retryHint: discordHint
  })
})
