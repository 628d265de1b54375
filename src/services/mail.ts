/**
 * MailService: one message to the site owner, by SMTP (src/services/smtp.ts, SPEC section
 * 5) or through the SES v2 API (src/services/ses.ts, section 8). Both build the message with
 * nodemailer, so its headers and encodings are the same whichever transport carries it.
 * Only the configured transport is loaded (`MailLive`). The overall MAIL_TIMEOUT_MS deadline
 * and the 535 secret refresh are the delivery step's (src/delivery.ts).
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type Mail from "nodemailer/lib/mailer"
import { encodeWord } from "nodemailer/lib/mime-funcs"
import { AppConfigTag } from "../config/app-config"
import { type MailAuthRejected, type MailRejected, MailUnavailable } from "../domain/errors"
import type { OutgoingMail } from "../domain/mail"
import type { SmtpCredentials } from "./secrets"

export interface MailServiceApi {
  readonly send: (
    mail: OutgoingMail,
    credentials: SmtpCredentials | undefined
  ) => Effect.Effect<void, MailAuthRejected | MailRejected | MailUnavailable>
}

export class MailService extends Context.Tag("contact-form/MailService")<
  MailService,
  MailServiceApi
>() {}

/** A failure worth another attempt of ours: a 4xx reply, a dropped connection. */
export class MailTransient extends Data.TaggedError("MailTransient")<{
  readonly reason: string
}> {}

/** What a transport makes of its own errors, and whether we retry (SES's SDK retries itself). */
export interface TransportRules {
  readonly classify: (
    error: unknown
  ) => MailAuthRejected | MailRejected | MailTransient | MailUnavailable
  readonly retries: boolean
}

/** Two more attempts at most; the flow's deadline cuts the backoff short when time runs out. */
export const transientRetry = Schedule.exponential(Duration.millis(200), 2).pipe(
  Schedule.intersect(Schedule.recurs(2))
)

/**
 * nodemailer passes a valid RFC 2047 encoded-word in a subject through, as if we had encoded
 * it: every mail client would then show a visitor's `=?UTF-8?Q?…?=` decoded, line breaks and
 * all, which the one-line rule refused. Such a subject is encoded here, whole: it reads as typed.
 */
const literalSubject = (subject: string): string =>
  subject.includes("=?") ? encodeWord(subject, "Q", 52) : subject

export type Transporter = Pick<Mail, "sendMail">

/** Options a transport adds to each message (SES's configuration set). */
export type ExtraOptions = Readonly<Record<string, unknown>>

/**
 * The service over a nodemailer transporter: the same message for every transport. The
 * transporter is asked per attempt, with that attempt's abort signal.
 */
export const mailServiceFor = (
  transporter: (signal: AbortSignal) => Transporter,
  rules: TransportRules,
  extra: ExtraOptions = {}
): MailServiceApi => {
  const attempt = (mail: OutgoingMail, credentials: SmtpCredentials | undefined) =>
    Effect.tryPromise({
      try: (signal) => {
        const options: Mail.Options & { signal: AbortSignal } = {
          ...extra,
          from: mail.from,
          to: [...mail.to],
          replyTo: mail.replyTo,
          subject: literalSubject(mail.subject),
          text: mail.text,
          // SES replaces Message-ID with its own: this is the id an owner can trust.
          headers: { "X-Contact-Submission-Id": mail.id },
          signal,
          ...(credentials === undefined
            ? {}
            : { auth: { user: credentials.user, pass: Redacted.value(credentials.pass) } })
        }
        return transporter(signal).sendMail(options)
      },
      catch: rules.classify
    })

  return MailService.of({
    send: Effect.fn("MailService.send")(
      function* (mail: OutgoingMail, credentials: SmtpCredentials | undefined) {
        yield* attempt(mail, credentials)
      },
      Effect.retry({
        schedule: transientRetry,
        while: (e) => rules.retries && e._tag === "MailTransient"
      }),
      Effect.catchTag("MailTransient", (e) =>
        Effect.fail(new MailUnavailable({ reason: e.reason }))
      )
    )
  })
}

/**
 * The layer MAIL_TRANSPORT names, imported when the runtime is built: an SMTP deployment
 * never loads the SES client, and an SES one not nodemailer's SMTP transport.
 */
export const MailLive = Layer.unwrapEffect(
  Effect.flatMap(AppConfigTag, (config) =>
    config.transport.kind === "ses"
      ? Effect.promise(() => import("./ses")).pipe(Effect.map((m) => m.SesMail))
      : Effect.promise(() => import("./smtp")).pipe(Effect.map((m) => m.SmtpMail))
  )
)
