/**
 * Slack's incoming webhook (contract §11): Block Kit messages in which the visitor's text
 * is only ever `plain_text` (Slack parses no mention, link or formatting in it; `emoji:
 * false` keeps `:name:` as typed), our own mrkdwn only fixed labels, escaped anyway. A long
 * form goes over several messages, each saying "part i of n" and the submission's id; a copy
 * sent again is marked in its first block.
 */
import * as Effect from "effect/Effect"
import { sendParts } from "./deliver"
import { retryAfterMs } from "./post"
import { checkedUrl } from "./receiver"
import {
  type Budget,
  type Chunk,
  duplicatePlaceholder,
  fieldsOf,
  type Label,
  labelText,
  pack,
  partOf,
  partsPlaceholder
} from "./split"
import type { ChannelAttempt, ChannelSend, ChannelSubmission } from "./submission"

/** Slack's Block Kit reference: at most 50 blocks in a message. */
export const slackMaxBlocks = 50
/** Slack's Block Kit reference (section block): a section's text is at most 3,000 characters. */
export const slackMaxSectionText = 3_000
/** Slack's Block Kit reference (header block): a header's text is at most 150 characters. */
export const slackMaxHeaderText = 150
/**
 * Undocumented: Slack refuses blocks with `msg_blocks_too_long` at about 13,000 characters in
 * all, containers counted as users measure it (slackapi/bolt-js issues 2509 and 2867). We
 * count the blocks' whole JSON text and keep it within 12,000, to leave room.
 */
export const slackMaxBlocksJson = 12_000

/** `&`, `<` and `>`, which Slack's mrkdwn and its fallback text read as markup. */
export const escapeMrkdwn = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const plain = (text: string) => ({ type: "plain_text", text, emoji: false }) as const

const labelBlock = (label: Label, continued: boolean) => ({
  type: "context",
  elements: [
    "own" in label
      ? { type: "mrkdwn", text: `*${escapeMrkdwn(labelText(label, continued))}*` }
      : plain(labelText(label, continued))
  ]
})

const pieceBlock = (piece: string) => ({ type: "section", text: plain(piece) })

/** The two blocks every message opens with: what it is, and which submission. */
const headBlocks = (
  submission: ChannelSubmission,
  index: number,
  count: number,
  possibleDuplicate: string | undefined
) => [
  {
    type: "header",
    text: plain(
      `${possibleDuplicate === undefined ? "" : "Possible duplicate: "}${submission.spam === undefined ? "" : "[Spam?] "}Contact form message, ${partOf(index, count)}`
    )
  },
  {
    type: "context",
    elements: [
      plain(
        `Submission ${submission.id}, form ${submission.form}, received ${submission.receivedAt}` +
          (possibleDuplicate === undefined
            ? ""
            : `. An attempt at ${possibleDuplicate} may have posted this already.`)
      )
    ]
  }
]

/** A block's share of the blocks' JSON: its own text and the comma before it. */
const jsonCost = (block: unknown) => JSON.stringify(block).length + 1

const budgetFor = (submission: ChannelSubmission): Budget => ({
  slots: slackMaxBlocks - 2,
  room:
    slackMaxBlocksJson -
    2 -
    headBlocks(submission, partsPlaceholder, partsPlaceholder, duplicatePlaceholder).reduce(
      (sum, block) => sum + jsonCost(block),
      0
    ),
  labelSlots: 1,
  labelCost: (label, continued) => jsonCost(labelBlock(label, continued)),
  pieceCost: (piece) => jsonCost(pieceBlock(piece)),
  maxPieceUnits: slackMaxSectionText,
  pieceFits: (piece) => piece.length <= slackMaxSectionText
})

const chunkBlocks = (chunk: Chunk) => [
  labelBlock(chunk.label, chunk.continued),
  ...chunk.pieces.map(pieceBlock)
]

/** The messages that carry `submission`, in order. */
export const slackMessages = (submission: ChannelSubmission): ReadonlyArray<object> => {
  const parts = pack(fieldsOf(submission), budgetFor(submission))
  return parts.map((chunks, index) => ({
    text: escapeMrkdwn(`Contact form message ${submission.id} (${partOf(index, parts.length)})`),
    blocks: [
      ...headBlocks(submission, index, parts.length, submission.possibleDuplicate),
      ...chunks.flatMap(chunkBlocks)
    ],
    unfurl_links: false,
    unfurl_media: false
  }))
}

export const slackSend: ChannelSend = Effect.fn("SlackChannel.send")(function* (
  attempt: ChannelAttempt
) {
  const url = yield* checkedUrl(attempt)
  const bodies = slackMessages(attempt.submission).map((message) => JSON.stringify(message))
  return yield* sendParts({
    parts: bodies.length,
    fromPart: attempt.fromPart,
    timeoutMs: attempt.timeoutMs,
    request: (index) => ({ url, headers: {}, body: bodies[index] ?? "" }),
    lostAnswer: "unknown",
    retryHint: (answer, now) => retryAfterMs(answer.retryAfter, now)
  })
})
