/** SMTP (Amazon SES's by default): nodemailer's connection, contract §5's TLS, timeouts, retries. */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import Mail from "nodemailer/lib/mailer"
import type MailMessage from "nodemailer/lib/mailer/mail-message"
import type SMTPConnection from "nodemailer/lib/smtp-connection"
import { AppConfigTag } from "../config/app-config"
import { MailAuthRejected, MailRejected, MailUnavailable, MailUnknown } from "../domain/errors"
import type { OutgoingMail } from "../domain/mail"
import { MailService } from "./mail"
import {
  type AttemptFailure,
  type DeliveryClock,
  MailTransient,
  type TransportRules
} from "./mail-attempts"
import { messageOptions } from "./message"
import { SecretsService, type SmtpCredentials } from "./secrets"
import { smtpDelivery } from "./smtp-delivery"
import { openSession, type Session, type Transmission } from "./smtp-session"

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

const classify = (error: unknown, pastNoReturn: number | undefined): AttemptFailure => {
  const { code, originalCode, responseCode } = smtpError(error)
  // After the end of DATA only a reply to `.` is an answer; a timeout, a dropped connection
  // or our own deadline leaves the relay holding the message, maybe (contract §7a).
  if (pastNoReturn !== undefined && responseCode === undefined) {
    const what = code === "ETIMEDOUT" || code === "EABORT" ? "timeout" : "connection"
    return new MailUnknown({ reason: `smtp_unknown_${what}`, at: pastNoReturn })
  }
  // A 4xx reply is temporary whatever the command. nodemailer tags a refused AUTH as EAUTH
  // even for SES's "454 Temporary authentication failure": a retry may cure that, a fresh
  // secret will not.
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 500)
    return new MailTransient({ reason: `smtp_reply_${responseCode}` })
  if (code === "EAUTH" || responseCode === 535)
    return new MailAuthRejected({ code: responseCode ?? 535 })
  if (responseCode !== undefined && responseCode >= 500)
    return new MailRejected({ reason: `smtp_rejected_${responseCode}` })
  if (code === "ESOCKET" && originalCode !== undefined && droppedByPeer.has(originalCode))
    return new MailTransient({ reason: "smtp_connection" })
  switch (code) {
    case "ECONNECTION":
    case "ETIMEDOUT":
    case "ESOCKET":
    case "EPROTOCOL":
    case "EDNS":
      return new MailTransient({ reason: `smtp_${code.toLowerCase().slice(1)}` })
    case "ETLS":
      // A certificate or STARTTLS failure will fail the same way again.
      return new MailUnavailable({ reason: "smtp_tls", permanent: true })
    default:
      return new MailUnavailable({
        reason: `smtp_${code === undefined ? "unknown" : code.toLowerCase().slice(1)}`
      })
  }
}

export const smtpRules: TransportRules = { classify }

/** A nodemailer transport that sends each message on the session it is given. */
const onSession = (mail: MailMessage, done: (error: Error | null, info?: unknown) => void) => {
  const { session, transmission } = mail.data as { session: Session; transmission: Transmission }
  const envelope = mail.message.getEnvelope()
  session.transmit(envelope, mail.message.createReadStream(), transmission).then(
    (info) => done(null, { ...info, envelope, messageId: mail.message.messageId() }),
    (error: Error) => done(error)
  )
}

/**
 * The production layer: each attempt an SMTP session (src/services/smtp-session.ts) that
 * nodemailer's Mail composes the message for, as its own SMTP transport would; the secret,
 * its refresh and the deadline are SMTP's delivery (src/services/smtp-delivery.ts). Attempt
 * 1's session is opened when the delivery starts, beside the captcha.
 */
export const SmtpMail = Layer.effect(
  MailService,
  Effect.gen(function* () {
    const { smtp } = yield* AppConfigTag
    const secrets = yield* SecretsService
    // Each step (connect, greeting, TLS, each command) gets a share of the whole budget,
    // so that a hung step still leaves time for a retry.
    const stepMs = Math.max(1_000, Math.floor(smtp.timeoutMs / 4))
    const options: SMTPConnection.Options = {
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
      dnsTimeout: stepMs
    }
    const composer = new Mail(
      { name: "SMTP session", version: "1", send: onSession },
      { disableFileAccess: true, disableUrlAccess: true }
    )

    const open = (credentials: SmtpCredentials | undefined) =>
      Effect.tryPromise<Session, AttemptFailure>({
        try: (signal) =>
          openSession(
            options,
            credentials === undefined
              ? undefined
              : { user: credentials.user, pass: Redacted.value(credentials.pass) },
            signal
          ),
        catch: (error) => classify(error, undefined)
      })
    const transmit = (session: Session, mail: OutgoingMail, clock: DeliveryClock) =>
      Effect.tryPromise({
        try: (signal) => {
          const pastNoReturn = () => {
            clock.pastNoReturnAt = Date.now()
          }
          const transmission: Transmission = { signal, deadline: clock.deadline, pastNoReturn }
          // Read back by `onSession`: nodemailer hands a transport the options it was given.
          const options: Mail.Options & { session: Session; transmission: Transmission } = {
            ...messageOptions(mail),
            session,
            transmission
          }
          return composer.sendMail(options)
        },
        catch: (error) => {
          const failure = classify(error, clock.pastNoReturnAt)
          // A reply to `.` is an answer: this attempt delivered nothing.
          if (failure._tag !== "MailUnknown") clock.pastNoReturnAt = undefined
          return failure
        }
      }).pipe(Effect.ensuring(Effect.sync(session.close)))
    const fresh = (
      mail: OutgoingMail,
      credentials: SmtpCredentials | undefined,
      clock: DeliveryClock
    ) => Effect.flatMap(open(credentials), (session) => transmit(session, mail, clock))

    return smtpDelivery(secrets, smtp.timeoutMs, {
      attempt: fresh,
      begin: (credentials) =>
        Effect.gen(function* () {
          let opened: Session | undefined
          const session = yield* open(credentials).pipe(
            Effect.tap((s) =>
              Effect.sync(() => {
                opened = s
              })
            ),
            Effect.forkScoped
          )
          // Unused (the captcha refused, or the flow failed first): closed with the request.
          yield* Effect.addFinalizer(() => Effect.sync(() => opened?.quit()))
          // A session that died while it waited (its idle timeout, a step's share of
          // MAIL_TIMEOUT_MS, can be shorter than a slow captcha's answer; or the relay hung
          // up) was never attempt 1: a fresh session is, as it would have been without it.
          return {
            transmit: (mail, clock) =>
              Effect.flatMap(Fiber.join(session), (s) =>
                s.usable() ? transmit(s, mail, clock) : fresh(mail, credentials, clock)
              )
          }
        })
    })
  })
)
