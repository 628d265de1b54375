/**
 * SMTP (Amazon SES's SMTP endpoint by default): nodemailer's SMTP transport with the TLS
 * rules, per-step timeouts and transient retries of SPEC section 5.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import Mail from "nodemailer/lib/mailer"
import SMTPTransport from "nodemailer/lib/smtp-transport"
import { AppConfigTag } from "../config/app-config"
import { MailAuthRejected, MailRejected, MailUnavailable } from "../domain/errors"
import { MailService, MailTransient, mailServiceFor, type TransportRules } from "./mail"

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

export const smtpRules: TransportRules = { classify, retries: true }

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
    return mailServiceFor(() => transporter, smtpRules)
  })
)
