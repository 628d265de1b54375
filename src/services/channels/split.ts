/**
 * A submission's fields as a chat message shows them, and their packing into as many
 * messages as a chat's limits need (contract §11: a long form goes whole, in order, over
 * several). A value is never cut silently: it is split into pieces, at a line or word
 * boundary where one is near, and a field that goes on in the next message names itself
 * again, "(continued)". The packing does not depend on the possible-duplicate mark, so
 * that a redelivery's parts are the parts the first attempt counted.
 */
import { type ChannelSubmission, verdictText } from "./submission"

/** A label: ours (fixed English words, as the mail's footer) or the visitor's (an extra's name). */
export type Label = { readonly own: string } | { readonly visitor: string }

export interface Field {
  readonly label: Label
  readonly value: string
}

/** Nothing to show: Discord refuses a field whose value is blank once trimmed, and so may Slack. */
const blank = (value: string | undefined): boolean => value === undefined || value.trim() === ""

/**
 * The fields in the order a reader wants them: who, about what, the message, the rest. A
 * field the visitor left blank (spaces in an optional field) is left out, as it shows nothing.
 */
export const fieldsOf = (submission: ChannelSubmission): ReadonlyArray<Field> => {
  const { contact } = submission
  const own = (label: string, value: string | undefined): ReadonlyArray<Field> =>
    value === undefined || blank(value) ? [] : [{ label: { own: label }, value }]
  return [
    ...own("Name", contact.name),
    ...own("Email", contact.email),
    ...own("Subject", contact.subject),
    ...own("Message", contact.body),
    ...contact.extras
      .filter(([, value]) => !blank(value))
      .map(([name, value]): Field => ({ label: { visitor: name }, value })),
    ...own("Language", contact.language),
    ...own("Captcha", verdictText(submission.captcha))
  ]
}

export const labelText = (label: Label, continued: boolean): string =>
  `${"own" in label ? label.own : label.visitor}${continued ? " (continued)" : ""}`

/** A field's pieces within one message; `continued` when an earlier message began it. */
export interface Chunk {
  readonly label: Label
  readonly continued: boolean
  readonly pieces: ReadonlyArray<string>
}

/** What one message may hold besides its own header, in the chat's units. */
export interface Budget {
  /** Blocks (Slack) or embed fields (Discord) for the fields. */
  readonly slots: number
  /** The rest of the message's size, as `labelCost` and `pieceCost` count it. */
  readonly room: number
  /** Slots a label takes by itself (a Slack block; 0 where the first piece carries it). */
  readonly labelSlots: number
  readonly labelCost: (label: Label, continued: boolean) => number
  /** A piece's cost; `first` when it opens its chunk. */
  readonly pieceCost: (piece: string, first: boolean) => number
  /** The longest a piece may be in UTF-16 units before any escaping (its limit). */
  readonly maxPieceUnits: number
  /** Whether a piece keeps within its own limit (after escaping). */
  readonly pieceFits: (piece: string) => boolean
}

/** A piece shorter than this is not worth opening a chunk for at the end of a message. */
const minPieceUnits = 200

/** The ends of `text`'s characters (never between a surrogate pair's halves), up to `max` units. */
const characterEnds = (text: string, max: number): ReadonlyArray<number> => {
  const ends = [0]
  for (let at = 0; at < text.length; ) {
    const code = text.codePointAt(at) ?? 0
    at += code > 0xffff ? 2 : 1
    if (at > max) break
    ends.push(at)
  }
  return ends
}

/**
 * The longest prefix of `text` that `fits` (monotone: a shorter prefix of one that fits
 * fits too), moved back to the last line break, or else the last space, in its second half.
 */
export const longestPiece = (
  text: string,
  maxUnits: number,
  fits: (piece: string) => boolean
): string => {
  const ends = characterEnds(text, maxUnits)
  let low = 0
  let high = ends.length - 1
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (fits(text.slice(0, ends[middle]))) low = middle
    else high = middle - 1
  }
  const end = ends[low] ?? 0
  if (end === text.length || end === 0) return text.slice(0, end)
  const head = text.slice(0, end)
  const line = head.lastIndexOf("\n")
  if (line + 1 >= end / 2) return text.slice(0, line + 1)
  const space = Math.max(head.lastIndexOf(" "), head.lastIndexOf("\t"))
  return space + 1 >= end / 2 ? text.slice(0, space + 1) : head
}

/** The fields packed into messages, in order; concatenating a field's pieces gives it back. */
export const pack = (
  fields: ReadonlyArray<Field>,
  budget: Budget
): ReadonlyArray<ReadonlyArray<Chunk>> => {
  const parts: Array<ReadonlyArray<Chunk>> = []
  let part: Array<Chunk> = []
  let slots = 0
  let used = 0
  const flush = () => {
    parts.push(part)
    part = []
    slots = 0
    used = 0
  }
  // A piece that does not fit where it would go: a new message, unless this one is empty.
  const take = (rest: string, room: number, slotsLeft: number, first: boolean) => {
    const piece =
      slotsLeft < 1
        ? ""
        : longestPiece(
            rest,
            budget.maxPieceUnits,
            (p) => budget.pieceFits(p) && budget.pieceCost(p, first) <= room
          )
    if (piece === rest || piece.length >= minPieceUnits) return piece
    // An empty message takes what fits, one character at least, so that packing ends.
    return slots > 0 ? "" : piece || Array.from(rest)[0] || rest
  }
  for (const field of fields) {
    let rest = field.value
    let continued = false
    while (rest !== "") {
      const labelCost = budget.labelCost(field.label, continued)
      const first = take(
        rest,
        budget.room - used - labelCost,
        budget.slots - slots - budget.labelSlots,
        true
      )
      if (first === "") {
        flush()
        continue
      }
      const pieces = [first]
      rest = rest.slice(first.length)
      used += labelCost + budget.pieceCost(first, true)
      slots += budget.labelSlots + 1
      while (rest !== "") {
        const next = take(rest, budget.room - used, budget.slots - slots, false)
        if (next === "") break
        pieces.push(next)
        rest = rest.slice(next.length)
        used += budget.pieceCost(next, false)
        slots += 1
      }
      part.push({ label: field.label, continued, pieces })
      if (rest !== "") {
        flush()
        continued = true
      }
    }
  }
  if (part.length > 0) flush()
  return parts
}

/** "part i of n" as every message of a submission says it. */
export const partOf = (index: number, count: number) => `part ${index + 1} of ${count}`

/** The possible-duplicate time a message is packed for: an ISO time is this long. */
export const duplicatePlaceholder = "0000-00-00T00:00:00.000Z"
/** The part numbers a message is packed for (no form needs a thousand messages). */
export const partsPlaceholder = 999
