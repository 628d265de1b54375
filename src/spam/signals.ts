/**
 * The spam signals of contract §12, one row each: a name (what the owner reads in the mail's
 * header and footer), a weight, and the test that fires it. The judgement (judge.ts) adds the
 * weights of the rows that fire; the rows' order is the order of the reasons.
 *
 * The weights, against the default threshold of 5: each signal of our own weighs 3, so one
 * alone is a hint and never marks a message (a customer pastes three links, writes from a
 * throwaway address to keep their own private, or submits a prepared text within 3 s), while
 * any two together (6) do: a bot that fills the form instantly AND links, a link in the name
 * AND a throwaway address. Akismet weighs 5, enough alone at the default: it is the one
 * signal that knows human-written cold outreach, which none of ours can see, and it is only
 * asked when the owner turned it on. An owner who raises the threshold to 6 asks Akismet for
 * a second opinion of ours.
 */
import type { ContactForm } from "../domain/form"
import { isDisposableEmail } from "./disposable"
import { countLinks, holdsLinkOrEmail } from "./links"

/** More URLs than this in the name, subject and message together fire `links`. */
export const LINK_LIMIT = 2

/** A submit sooner than this after the page loaded fires `fast_submit` (`_t`, in ms). */
export const FAST_SUBMIT_MS = 3_000

/** The default SPAM_THRESHOLD: a message whose score reaches it is spam. */
export const DEFAULT_SPAM_THRESHOLD = 5

/** The fields a judgement reads. */
export type SpamForm = Pick<ContactForm, "email" | "body" | "subject" | "name">

/** What the signals are asked about one submission. */
export interface Evidence {
  readonly form: SpamForm
  /** The form's `_t`: ms from the page's load to the submit; undefined when not sent. */
  readonly elapsedMs: number | undefined
  /** Akismet's answer when it was asked and answered: true for spam. */
  readonly akismetSpam: boolean
}

export interface Signal {
  readonly name: string
  readonly weight: number
  readonly fires: (evidence: Evidence) => boolean
}

const linksOf = (form: SpamForm): number =>
  countLinks(form.body) + countLinks(form.subject ?? "") + countLinks(form.name ?? "")

/** The table. A new signal is a row here and its tests. */
export const signals = [
  { name: "links", weight: 3, fires: ({ form }) => linksOf(form) > LINK_LIMIT },
  { name: "name_link", weight: 3, fires: ({ form }) => holdsLinkOrEmail(form.name ?? "") },
  { name: "disposable_email", weight: 3, fires: ({ form }) => isDisposableEmail(form.email) },
  {
    name: "fast_submit",
    weight: 3,
    // Without `_t` (a form without our script, or one that stripped it) there is no timing.
    fires: ({ elapsedMs }) => elapsedMs !== undefined && elapsedMs < FAST_SUBMIT_MS
  },
  { name: "akismet", weight: 5, fires: ({ akismetSpam }) => akismetSpam }
] as const satisfies ReadonlyArray<Signal>

export type SignalName = (typeof signals)[number]["name"]

/**
 * The `_t` field's value as milliseconds: a non-negative decimal, as `performance.now()`
 * differences are written. Anything else (absent, empty, edited) is no timing at all, so
 * `fast_submit` is not judged rather than judged on a value our script did not write.
 */
export const readElapsed = (value: string | undefined): number | undefined =>
  value !== undefined && /^\d{1,12}(?:\.\d{1,12})?$/.test(value) ? Number(value) : undefined
