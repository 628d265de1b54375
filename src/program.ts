/**
 * The form flow, and nothing else (SPEC section 2): honeypot → validation → captcha →
 * secrets → mail. No HTTP, no AWS events, no process.env: the edge (src/http/) turns
 * requests into a Submission and the outcome or typed error into answers.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { AppConfigTag } from "./config/app-config"
import { MailUnavailable, type Outcome } from "./domain/errors"
import { type Fields, isHoneypot } from "./domain/fields"
import { decodeForm } from "./domain/form"
import type { Language } from "./domain/languages"
import { composeMail } from "./domain/mail"
import { CaptchaService } from "./services/captcha"
import { MailService } from "./services/mail"
import { SecretsService } from "./services/secrets"

export interface Submission {
  /** The parsed body's fields, in submission order. */
  readonly fields: Fields
  /** A supported language, already resolved by the edge. */
  readonly language: Language
}

const honeypot: Outcome = { _tag: "Honeypot" }

// Untraced: the flow is pure CPU between I/O calls, and a traced Effect.fn (a stack capture
// and a span per call) costs more than the rest of a warm request (README, Performance).
// The service methods it calls keep their spans: they wrap network I/O.
export const submit = Effect.fnUntraced(function* (submission: Submission) {
  if (isHoneypot(submission.fields)) return honeypot

  const config = yield* AppConfigTag
  const captcha = yield* CaptchaService
  const secrets = yield* SecretsService
  const mailer = yield* MailService

  const form = yield* decodeForm(submission.fields, {
    captchaField: captcha.tokenField,
    language: submission.language
  })
  const verdict = yield* captcha.verify(form.captchaToken)
  const mail = composeMail(config, form, verdict)

  // MAIL_TIMEOUT_MS bounds the whole delivery: attempts, backoff and the one refresh of a
  // rotated SMTP secret after a 535 (so rotation needs no cold start).
  yield* secrets.smtp().pipe(
    Effect.flatMap((credentials) => mailer.send(mail, credentials)),
    Effect.catchTag("MailAuthRejected", () =>
      secrets.smtp({ refresh: true }).pipe(Effect.flatMap((fresh) => mailer.send(mail, fresh)))
    ),
    Effect.timeoutFail({
      duration: Duration.millis(config.smtp.timeoutMs),
      onTimeout: () => new MailUnavailable({ reason: "timeout" })
    })
  )
  const sent: Outcome = { _tag: "Sent", captcha: verdict }
  return sent
})
