/**
 * The form flow, and nothing else (SPEC section 2): honeypot → validation → captcha →
 * secrets → mail. No HTTP, no AWS events, no process.env: the edges (src/http.ts and the
 * adapters) turn requests into a Submission and the outcome or typed error into answers.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { type AppConfig, AppConfigTag } from "./config"
import {
  type CaptchaVerdict,
  type ContactForm,
  decodeForm,
  type Fields,
  isHoneypot,
  type Language,
  MailUnavailable,
  type Outcome,
  withLineBreaks
} from "./domain"
import { CaptchaService } from "./services/captcha"
import { MailService, type OutgoingMail } from "./services/mail"
import { SecretsService } from "./services/secrets"

export interface Submission {
  /** The parsed body's fields, in submission order. */
  readonly fields: Fields
  /** A supported language, already resolved by the edge. */
  readonly language: Language
}

const captchaLine = (verdict: CaptchaVerdict): string => {
  switch (verdict._tag) {
    case "Verified":
      return "Captcha: verified"
    case "Disabled":
      return "Captcha: disabled"
    case "Unverified":
      return `Captcha: NOT verified (${verdict.reason})`
  }
}

/** A multi-line extra value is indented, so that no visitor line can pose as ours. */
const extraLine = ([name, value]: readonly [string, string]): string =>
  `${name}: ${withLineBreaks(value, "\n  ")}`

/** The mail of SPEC section 5, literally. */
export const composeMail = (
  config: AppConfig,
  form: ContactForm,
  verdict: CaptchaVerdict
): OutgoingMail => {
  const unverified = verdict._tag === "Unverified" ? "[unverified] " : ""
  const footer = [
    ...(form.name === undefined ? [] : [`Name: ${form.name}`]),
    `Email: ${form.email}`,
    `Language: ${form.language}`,
    ...form.extras.map(extraLine),
    captchaLine(verdict)
  ]
  return {
    from: config.mailFrom,
    to: config.mailTo,
    replyTo: { name: form.name ?? "", address: form.email },
    subject: `${config.subjectPrefix}${unverified}${form.subject ?? "Contact form message"}`,
    // One rule for line breaks, so the mail shows the breaks the pages show.
    text: withLineBreaks(`${form.body}\n\n--\n${footer.join("\n")}\n`, "\n")
  }
}

const honeypot: Outcome = { _tag: "Honeypot" }
const sent = (captcha: CaptchaVerdict): Outcome => ({ _tag: "Sent", captcha })

// Untraced: the flow is pure CPU between I/O calls, and a traced Effect.fn (a stack capture
// and a span per call) cost 35 µs of a 130 µs warm request (README, Performance). The
// service methods it calls keep their spans: they wrap network I/O.
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
  return sent(verdict)
})
