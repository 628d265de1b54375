/**
 * The form flow, and nothing else (SPEC sections 2, 7 and 9): honeypot → validation →
 * duplicate → captcha → secrets → mail → queue. No HTTP, no AWS events, no process.env: the edge (src/http/)
 * turns requests into a Submission and the outcome or typed error into answers.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { AppConfigTag, type FormConfig } from "./config/app-config"
import { tokenFieldOf } from "./domain/captcha-providers"
import {
  type Accepted,
  type CaptchaVerdict,
  type DeliveryFailure,
  DeliveryNotKept,
  deliveryReason,
  isPermanent,
  type Outcome
} from "./domain/errors"
import { type Fields, isHoneypot } from "./domain/fields"
import { type ContactForm, decodeForm } from "./domain/form"
import { queueItem } from "./domain/item"
import type { Language } from "./domain/languages"
import { composeMail } from "./domain/mail"
import { submissionKey } from "./domain/submission-key"
import { tokenProblem } from "./domain/token"
import { CaptchaService } from "./services/captcha"
import { deliver, startDelivery } from "./services/mail"
import { QueueService } from "./services/queue"
import { type Reached, type Recovery, SharedClaims } from "./services/shared-claims"
import { SubmissionMemory } from "./services/submissions"
import { VerdictMemory } from "./services/verdicts"

export interface Submission {
  /** The parsed body's fields, in submission order. */
  readonly fields: Fields
  /** A supported language, already resolved by the edge. */
  readonly language: Language
  /** The form it was sent to (SPEC section 10): its recipients, sender, captcha secret. */
  readonly form: FormConfig
}

const honeypot: Outcome = { _tag: "Honeypot" }
const verifiedBefore: CaptchaVerdict = { _tag: "Verified" }

interface AcceptedSubmission {
  readonly id: string
  readonly form: ContactForm
  readonly captcha: CaptchaVerdict
}

/**
 * Delivery failed: the submission goes to the queue, when there is one (SPEC section 7).
 * An unknown outcome (SPEC section 7a) is kept marked, and without a queue it is answered
 * as one: the owner has probably received it, and it is never sent again from here.
 */
const keep = (
  failure: DeliveryFailure,
  submission: AcceptedSubmission,
  formId: string,
  receivedAt: Date
) =>
  Effect.gen(function* () {
    const queue = yield* QueueService
    const reason = deliveryReason(failure)
    const unknownAt = failure._tag === "MailUnknown" ? new Date(failure.at) : undefined
    const about = { id: submission.id, captcha: submission.captcha }
    const unknown = (why: string): Accepted => ({ _tag: "Unknown", ...about, reason: why })
    if (!queue.enabled) {
      return unknownAt === undefined ? yield* Effect.fail(failure) : unknown(reason)
    }
    const permanent = isPermanent(failure)
    const item = queueItem({
      id: submission.id,
      form: formId,
      receivedAt,
      reason,
      permanent,
      contact: submission.form,
      captcha: submission.captcha,
      ...(unknownAt === undefined ? {} : { unknownAt })
    })
    const stored = yield* Effect.result(queue.enqueue(item))
    if (Result.isFailure(stored)) {
      const problem = stored.failure
      // Never answered: the queue may hold it, so the visitor is never told "not kept".
      if (problem._tag === "QueueUnanswered") return unknown(`${reason}+queue_unanswered`)
      if (unknownAt !== undefined) return unknown(`${reason}+queue_${problem.problem}`)
      return yield* new DeliveryNotKept({ delivery: failure, queue: problem })
    }
    const kept: Accepted = { _tag: permanent ? "Kept" : "Queued", ...about, reason }
    return kept
  })

// Untraced: the flow is pure CPU between I/O calls, and a traced Effect.fn (a stack capture
// and a span per call) costs more than the rest of a warm request (README, Performance).
// The service methods it calls keep their spans: they wrap network I/O.
export const submit = Effect.fnUntraced(function* (submission: Submission) {
  if (isHoneypot(submission.fields)) return honeypot

  const settings = submission.form
  const config = yield* AppConfigTag
  const captcha = yield* CaptchaService
  const memory = yield* SubmissionMemory
  const verdicts = yield* VerdictMemory
  const claims = yield* SharedClaims

  // The form's provider names the one field that carries its token (contract §4).
  const tokenField = tokenFieldOf(settings.captchaProvider)
  const form = yield* Effect.fromResult(
    decodeForm(submission.fields, { captchaField: tokenField, language: submission.language })
  )

  // A token the captcha refuses outright opens nothing; any other starts the delivery's I/O
  // beside the verification, used only once the verdict lets the form through.
  const hopeless = tokenField !== undefined && tokenProblem(form.captchaToken) !== undefined
  const token = tokenField === undefined ? null : (form.captchaToken ?? null)
  const { key, id } = submissionKey(
    Redacted.value(config.submissionIdKey),
    settings.id,
    token,
    form
  )
  // SPEC section 9: a token whose submission was not accepted keeps its verdict, so sending
  // again delivers rather than hearing from the provider that the token is spent. Only a
  // failure writes one, and only a verdict used reads one back: the happy path asks once.
  const remembered = token === null || hopeless ? undefined : token
  let recalled = false
  // How far it got, for a shared claim settled after a failure (contract §9): a refusal
  // (not the store being down) is what a repeat of it gets too.
  let reached: Reached = {}
  const verify = captcha
    .verify(settings.captchaProvider, form.captchaToken, settings.captchaSecretId)
    .pipe(
      Effect.tapError((e) =>
        Effect.sync(() => {
          if (e._tag !== "ReplayUnchecked") reached = { refusal: e }
        })
      )
    )
  const verdictOf =
    remembered === undefined
      ? verify
      : Effect.flatMap(verdicts.recall(settings.id, remembered), (known) => {
          recalled = known !== undefined
          return known === undefined ? verify : Effect.succeed(known)
        })
  const accept = (recovery: Recovery) =>
    Effect.gen(function* () {
      const send = hopeless ? deliver : yield* startDelivery
      // Taking over a claim its process left (contract §9): that process passed the captcha
      // with this very submission if the provider now says the token is spent.
      const verdict =
        recovery.verdict ??
        (yield* recovery.earlierAttemptAt === undefined
          ? verdictOf
          : Effect.catchTag(verdictOf, "AlreadyReceived", () => Effect.succeed(verifiedBefore)))
      reached = { verdict }
      // The id exists before the first attempt: the mail and a queued item carry the same one,
      // and so does every process that receives this submission (SPEC section 7a).
      const accepted = { id, form, captcha: verdict }
      const receivedAt = new Date(yield* Clock.currentTimeMillis)
      const sent: Accepted = { _tag: "Sent", id, captcha: verdict }
      const failed = (failure: DeliveryFailure) => keep(failure, accepted, settings.id, receivedAt)
      const mail = composeMail(settings, {
        ...accepted,
        ...(recovery.earlierAttemptAt === undefined ? {} : { earlier: recovery.earlierAttemptAt })
      })
      const outcome = yield* send(mail).pipe(
        Effect.as(sent),
        Effect.catchTags({
          SecretUnavailable: failed,
          MailAuthRejected: failed,
          MailRejected: failed,
          MailUnavailable: failed,
          MailUnknown: failed
        }),
        // Neither delivered nor kept: the next try of this token goes on this verdict.
        Effect.tapError(() =>
          remembered === undefined
            ? Effect.void
            : verdicts.remember(settings.id, remembered, verdict)
        )
      )
      if (recalled && remembered !== undefined) yield* verdicts.spend(settings.id, remembered)
      return outcome
    }).pipe(Effect.scoped)

  // SPEC section 9: a repeat answers as the first one did, in this process and, through the
  // store, in any other. No key without a real token: a missing or placeholder one goes
  // straight to the captcha, which refuses it.
  if (hopeless) return yield* accept({})
  return yield* memory.once(
    key,
    claims.guard(`${settings.id}#${key}`, id, accept, () => reached)
  )
})
