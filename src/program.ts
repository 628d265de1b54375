/**
 * The form flow, and nothing else (SPEC sections 2, 7 and 9): honeypot → validation →
 * duplicate → captcha → secrets → mail → queue. No HTTP, no AWS events, no process.env: the edge (src/http/)
 * turns requests into a Submission and the outcome or typed error into answers.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { FormConfig } from "./config/app-config"
import { deliver, startDelivery } from "./delivery"
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
import { QueueService } from "./services/queue"
import { SubmissionMemory } from "./services/submissions"

export interface Submission {
  /** The parsed body's fields, in submission order. */
  readonly fields: Fields
  /** A supported language, already resolved by the edge. */
  readonly language: Language
  /** The form it was sent to (SPEC section 10): its recipients, sender, captcha secret. */
  readonly form: FormConfig
}

const honeypot: Outcome = { _tag: "Honeypot" }

/** Delivery failed: the submission goes to the queue, when there is one (SPEC section 7). */
const keep = (
  failure: DeliveryFailure,
  submission: { readonly id: string; readonly form: ContactForm; readonly captcha: CaptchaVerdict },
  formId: string,
  receivedAt: Date
) =>
  Effect.gen(function* () {
    const queue = yield* QueueService
    if (!queue.enabled) return yield* Effect.fail(failure)
    const reason = deliveryReason(failure)
    const permanent = isPermanent(failure)
    yield* queue
      .enqueue(
        queueItem({
          id: submission.id,
          form: formId,
          receivedAt,
          reason,
          permanent,
          contact: submission.form,
          captcha: submission.captcha
        })
      )
      .pipe(
        Effect.mapError(
          (queueFailure) => new DeliveryNotKept({ delivery: failure, queue: queueFailure })
        )
      )
    const kept: Accepted = {
      _tag: permanent ? "Kept" : "Queued",
      id: submission.id,
      captcha: submission.captcha,
      reason
    }
    return kept
  })

// Untraced: the flow is pure CPU between I/O calls, and a traced Effect.fn (a stack capture
// and a span per call) costs more than the rest of a warm request (README, Performance).
// The service methods it calls keep their spans: they wrap network I/O.
export const submit = Effect.fnUntraced(function* (submission: Submission) {
  if (isHoneypot(submission.fields)) return honeypot

  const settings = submission.form
  const captcha = yield* CaptchaService
  const memory = yield* SubmissionMemory

  const form = yield* decodeForm(submission.fields, {
    captchaField: captcha.tokenField,
    language: submission.language
  })

  // A token the captcha refuses outright opens nothing; any other starts the delivery's I/O
  // beside the verification, used only once the verdict lets the form through.
  const hopeless = captcha.tokenField !== undefined && tokenProblem(form.captchaToken) !== undefined
  const accept = Effect.gen(function* () {
    const send = hopeless ? deliver : yield* startDelivery
    const verdict = yield* captcha.verify(form.captchaToken, settings.captchaSecretId)
    // The id exists before the first attempt: the mail and a queued item carry the same one.
    const accepted = { id: crypto.randomUUID(), form, captcha: verdict }
    const receivedAt = new Date(yield* Clock.currentTimeMillis)
    const sent: Accepted = { _tag: "Sent", id: accepted.id, captcha: verdict }
    const failed = (failure: DeliveryFailure) => keep(failure, accepted, settings.id, receivedAt)
    return yield* send(composeMail(settings, accepted)).pipe(
      Effect.as(sent),
      Effect.catchTags({
        SecretUnavailable: failed,
        MailAuthRejected: failed,
        MailRejected: failed,
        MailUnavailable: failed
      })
    )
  }).pipe(Effect.scoped)

  // SPEC section 9: a repeat answers as the first one did. No key without a real token: a
  // missing or placeholder one goes straight to the captcha, which refuses it.
  if (hopeless) return yield* accept
  const token = captcha.tokenField === undefined ? null : (form.captchaToken ?? null)
  return yield* memory.once(submissionKey(settings.id, token, form), accept)
})
