/**
 * The spam judgement of contract §12: the signals' table (signals.ts) asked about one
 * submission, after validation and the captcha, before delivery. Local and synchronous:
 * Akismet, when on, is asked beforehand (akismet.ts) and its answer passed in.
 *
 * Its cost is all in the first call of a process: reading the disposable list (~0.5 ms) and,
 * for a text that may hold a link, compiling linkify-it's expressions (~5 ms). Called once
 * beside the captcha's round trip (the form is decoded by then), that compiling happens while
 * the process waits on the network; the call after the captcha, with Akismet's answer, then
 * costs a fraction of a millisecond.
 */

import type { SpamVerdict } from "../domain/spam-verdict"
import { type Evidence, type SignalName, type SpamForm, signals } from "./signals"

export interface SpamJudgement extends SpamVerdict {
  readonly reasons: ReadonlyArray<SignalName>
  /** The score reached the threshold. */
  readonly spam: boolean
}

/**
 * The score (the weights of the signals that fired), the reasons (their names, in the
 * table's order) and whether the score reaches `threshold`. `elapsedMs` is the form's `_t`
 * (readElapsed); `akismetSpam` is true only when Akismet was asked and said spam.
 */
export const judge = (
  form: SpamForm,
  elapsedMs: number | undefined,
  threshold: number,
  akismetSpam = false
): SpamJudgement => {
  const evidence: Evidence = { form, elapsedMs, akismetSpam }
  const fired = signals.filter((signal) => signal.fires(evidence))
  const score = fired.reduce((sum, signal) => sum + signal.weight, 0)
  return { score, reasons: fired.map((signal) => signal.name), spam: score >= threshold }
}
