/**
 * MailService: one message to the site owner over SMTP (Amazon SES by default), with the
 * TLS rules, per-step timeouts and transient retries of SPEC section 5. The overall
 * MAIL_TIMEOUT_MS deadline and the 535 secret refresh are the flow's (src/program.ts).
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import Mail from "nodemailer/lib/mailer"
import { encodeWord } from "nodemailer/lib/mime-funcs"
import SMTPTransport from "nodemailer/lib/smtp-transport"
import { AppConfigTag } from "../config/app-config"
import { MailAuthRejected, MailRejected, MailUnavailable } from "../domain/errors"
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

/** A failure worth another attempt: a 4xx reply, a dropped connection, a step timing out. */
class MailTransient extends Data.TaggedError("MailTransient")<{ readonly reason: string }> {}

/** Two more attempts at most; the flow's deadline cuts the backoff short when time runs out. */
export const transientRetry = Schedule.exponential(Duration.millis(200), 2).pipe(
  Schedule.intersect(Schedule.recurs(2))
)

interface SmtpError {
  readonly code?: string
  /** The system error under nodemailer's own code (ESOCKET), such as ECONNRESET. */
  readonly originalCode?: string
  readonly responseCode?: number
}

/**
 * The relay closing the connection on us: nodemailer says ECONNECTION when it notices the
 * close, or ESOCKET (ECONNRESET, EPIPE) when it was writing at that moment. Which one comes
 * first is a race; it is one fault and one reason.
 */
const droppedByPeer = new Set(["ECONNRESET", "EPIPE"])

const smtpError = (error: unknown): SmtpError =>
  typeof error === "object" && error !== null ? (error as SmtpError) : {}

const classify = (
  error: unknown
): MailAuthRejected | MailRejected | MailTransient | MailUnavailable => {
  const { code, originalCode, responseCode } = smtpError(error)
  // A 4xx reply is temporary whatever the command. nodemailer tags a refused AUTH as EAUTH
  // even for SES's "454 Temporary authentication failure": a retry may cure that, a fresh
  // secret will not.
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 500)
    return new MailTransient({ reason: `reply_${responseCode}` })
  if (code === "EAUTH" || responseCode === 535)
    return new MailAuthRejected({ code: responseCode ?? 535 })
  if (responseCode !== undefined && responseCode >= 500)
    return new MailRejected({ code: responseCode })
  if (code === "ESOCKET" && originalCode !== undefined && droppedByPeer.has(originalCode))
    return new MailTransient({ reason: "connection" })
  switch (code) {
    case "ECONNECTION":
    case "ETIMEDOUT":
    case "ESOCKET":
    case "EPROTOCOL":
    case "EDNS":
      return new MailTransient({ reason: code.toLowerCase().slice(1) })
    case "ETLS":
      // A certificate or STARTTLS failure will fail the same way again.
      return new MailUnavailable({ reason: "tls" })
    default:
      return new MailUnavailable({
        reason: code === undefined ? "unknown" : code.toLowerCase().slice(1)
      })
  }
}

/**
 * nodemailer passes a valid RFC 2047 encoded-word in a subject through, as if we had encoded
 * it: every mail client would then show a visitor's `=?UTF-8?Q?…?=` decoded, line breaks and
 * all, which the one-line rule refused. Such a subject is encoded here, whole: it reads as typed.
 */
const literalSubject = (subject: string): string =>
  subject.includes("=?") ? encodeWord(subject, "Q", 52) : subject

/** The service over any nodemailer transporter (SMTP in production). */
export const mailServiceFor = (transporter: Transporter): MailServiceApi => {
  const attempt = (mail: OutgoingMail, credentials: SmtpCredentials | undefined) =>
    Effect.tryPromise({
      try: (signal) => {
        const options: Mail.Options & { signal: AbortSignal } = {
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
        return transporter.sendMail(options)
      },
      catch: classify
    })

  return MailService.of({
    send: Effect.fn("MailService.send")(
      function* (mail: OutgoingMail, credentials: SmtpCredentials | undefined) {
        yield* attempt(mail, credentials)
      },
      Effect.retry({ schedule: transientRetry, while: (e) => e._tag === "MailTransient" }),
      Effect.catchTag("MailTransient", (e) =>
        Effect.fail(new MailUnavailable({ reason: e.reason }))
      )
    )
  })
}

export type Transporter = Pick<Mail, "sendMail">

/** The production layer: nodemailer's SMTP transport, built once per process. */
export const SmtpMail = Layer.scoped(
  MailService,
  Effect.gen(function* () {
    const { smtp } = yield* AppConfigTag
    // Each step (connect, greeting, TLS, each command) gets a share of the whole budget,
    // so that a hung step still leaves time for a retry.
    const stepMs = Math.max(1_000, Math.floor(smtp.timeoutMs / 4))
    const transporter = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const options: SMTPTransport.Options = {
          host: smtp.host,
          port: smtp.port,
          secure: smtp.implicitTls,
          // smtp:// must upgrade with STARTTLS, unless plain SMTP to loopback was allowed.
          requireTLS: !smtp.implicitTls && !smtp.allowInsecure,
          ignoreTLS: smtp.allowInsecure,
          tls: {
            minVersion: "TLSv1.2",
            ...(smtp.ca === undefined ? {} : { ca: Redacted.value(smtp.ca) })
          },
          connectionTimeout: stepMs,
          greetingTimeout: stepMs,
          socketTimeout: stepMs,
          dnsTimeout: stepMs,
          // Lambda freezes between invocations: no pooled connections to go stale.
          pool: false,
          disableFileAccess: true,
          disableUrlAccess: true
        }
        // What nodemailer.createTransport does for a non-pooled SMTP transport, without
        // importing (and bundling) every other transport nodemailer offers.
        return new Mail(new SMTPTransport(options), options)
      }),
      (t) => Effect.sync(() => t.close())
    )
    return mailServiceFor(transporter)
  })
)
