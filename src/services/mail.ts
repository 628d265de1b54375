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
import type * as Scope from "effect/Scope"
import type Mail from "nodemailer/lib/mailer"
import { encodeWord } from "nodemailer/lib/mime-funcs"
import { AppConfigTag } from "../config/app-config"
import { type MailAuthRejected, type MailRejected, MailUnavailable } from "../domain/errors"
import type { OutgoingMail } from "../domain/mail"
import type { SmtpCredentials } from "./secrets"

/** Attempt 1, begun early (SMTP: the session opened); it sends only when asked to. */
export interface EarlyAttempt {
  readonly transmit: (
    mail: OutgoingMail
  ) => Effect.Effect<void, MailAuthRejected | MailRejected | MailTransient | MailUnavailable>
}

export interface MailServiceApi {
  /**
   * Begins attempt 1 now, before the mail exists (SMTP: connect, STARTTLS, AUTH), so that
   * it overlaps the captcha's verification; closed with the scope if never used. Optional:
   * a transport without a session to open (SES, the tests' doubles) has none.
   */
  readonly open?: (
    credentials: SmtpCredentials | undefined
  ) => Effect.Effect<EarlyAttempt, never, Scope.Scope>
  /** Sends with retries; `early`, when given, is attempt 1. */
  readonly send: (
    mail: OutgoingMail,
    credentials: SmtpCredentials | undefined,
    early?: EarlyAttempt
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

/**
 * What a transport makes of its own errors. Only a `MailTransient` is tried again, so a
 * transport whose client retries by itself (SES's SDK) never returns one.
 */
export interface TransportRules {
  readonly classify: (
    error: unknown
  ) => MailAuthRejected | MailRejected | MailTransient | MailUnavailable
}

/** Two more attempts at most; the flow's deadline cuts the backoff short when time runs out. */
const transientRetry = Schedule.exponential(Duration.millis(200), 2).pipe(
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
type ExtraOptions = Readonly<Record<string, unknown>>

/** The message for every transport: the owner, the visitor as Reply-To, our own id header. */
export const messageOptions = (mail: OutgoingMail): Mail.Options => ({
  from: mail.from,
  to: [...mail.to],
  replyTo: mail.replyTo,
  subject: literalSubject(mail.subject),
  text: mail.text,
  // SES replaces Message-ID with its own: this is the id an owner can trust.
  headers: { "X-Contact-Submission-Id": mail.id }
})

/**
 * `first`, then `again` after each transient failure, as `transientRetry` allows; a
 * transient failure left over is unavailability.
 */
export const withAttempts = <E extends { readonly _tag: string }>(
  first: Effect.Effect<void, E | MailTransient>,
  again: Effect.Effect<void, E | MailTransient>
): Effect.Effect<void, E | MailUnavailable> => {
  let attempts = 0
  return Effect.suspend(() => (attempts++ === 0 ? first : again)).pipe(
    Effect.retry({
      schedule: transientRetry,
      while: (e) => e._tag === "MailTransient"
    }),
    Effect.catchIf(
      (e): e is MailTransient => e._tag === "MailTransient",
      (e) => Effect.fail(new MailUnavailable({ reason: e.reason }))
    )
  )
}

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
          ...messageOptions(mail),
          signal,
          ...(credentials === undefined
            ? {}
            : { auth: { user: credentials.user, pass: Redacted.value(credentials.pass) } })
        }
        return transporter(signal).sendMail(options)
      },
      catch: rules.classify
    })

  // No `open`, so no attempt begun early: every attempt is the same call.
  return MailService.of({
    send: Effect.fn("MailService.send")(function* (
      mail: OutgoingMail,
      credentials: SmtpCredentials | undefined
    ) {
      const again = attempt(mail, credentials)
      yield* withAttempts(again, again)
    })
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
