/**
 * MailService: one message to the site owner, by SMTP (src/services/smtp.ts, SPEC section
 * 5) or through the SES v2 API (src/services/ses.ts, section 8). Both build the message with
 * nodemailer, so its headers and encodings are the same whichever transport carries it.
 * Only the configured transport is loaded (`MailLive`). The overall MAIL_TIMEOUT_MS deadline
 * and the 535 secret refresh are the delivery step's (src/delivery.ts); the point of no
 * return (SPEC section 7a) is each transport's own, told to the delivery's `DeliveryClock`.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type Mail from "nodemailer/lib/mailer"
import { AppConfigTag } from "../config/app-config"
import {
  type MailAuthRejected,
  type MailRejected,
  MailUnavailable,
  type MailUnknown
} from "../domain/errors"
import type { OutgoingMail } from "../domain/mail"
import { messageOptions } from "./message"
import type { SmtpCredentials } from "./secrets"

/**
 * One delivery's time and its point of no return (SPEC section 7a). `deadline`: when
 * MAIL_TIMEOUT_MS, counted from the start of the delivery, is spent (epoch ms). A transport
 * sets `pastNoReturnAt` when the attempt in hand may have delivered (the end of DATA; SES:
 * the request left) and clears it when a definite answer says it did not; the delivery's
 * deadline reads it to tell an unknown outcome from a plain timeout.
 */
export interface DeliveryClock {
  readonly deadline: number
  pastNoReturnAt: number | undefined
}

/** What an attempt can end with; only a `MailTransient` is tried again. */
export type AttemptFailure =
  | MailAuthRejected
  | MailRejected
  | MailTransient
  | MailUnavailable
  | MailUnknown

/** Attempt 1, begun early (SMTP: the session opened); it sends only when asked to. */
export interface EarlyAttempt {
  readonly transmit: (
    mail: OutgoingMail,
    clock: DeliveryClock
  ) => Effect.Effect<void, AttemptFailure>
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
  /** Sends with retries within `clock`; `early`, when given, is attempt 1. */
  readonly send: (
    mail: OutgoingMail,
    credentials: SmtpCredentials | undefined,
    clock: DeliveryClock,
    early?: EarlyAttempt
  ) => Effect.Effect<void, MailAuthRejected | MailRejected | MailUnavailable | MailUnknown>
}

export class MailService extends Context.Service<MailService, MailServiceApi>()(
  "contact-form/MailService"
) {}

/** A failure worth another attempt of ours: a 4xx reply, a dropped connection. */
export class MailTransient extends Data.TaggedError("MailTransient")<{
  readonly reason: string
}> {}

/**
 * What a transport makes of its own errors; `pastNoReturn`: the attempt had passed the
 * point of no return when it failed, so a failure without a definite answer is unknown.
 */
export interface TransportRules {
  readonly classify: (error: unknown, pastNoReturn: number | undefined) => AttemptFailure
}

/** Backed off; the flow's deadline cuts the backoff short when time runs out. */
const transientBackoff = Schedule.exponential(Duration.millis(200), 2)

export type Transporter = Pick<Mail, "sendMail">

/**
 * `first`, then `again` after each transient failure, as `transientRetry` allows while at
 * least `minimumMs` of the clock is left; a transient failure left over is unavailability.
 */
export const withAttempts = (
  first: Effect.Effect<void, AttemptFailure>,
  again: Effect.Effect<void, AttemptFailure>,
  clock: DeliveryClock,
  minimumMs = 0
): Effect.Effect<void, MailAuthRejected | MailRejected | MailUnavailable | MailUnknown> => {
  let attempts = 0
  return Effect.suspend(() => (attempts++ === 0 ? first : again)).pipe(
    // Two more attempts at most, while time is left.
    Effect.retry({
      schedule: transientBackoff,
      times: 2,
      while: (e) =>
        e._tag === "MailTransient" &&
        Effect.map(Clock.currentTimeMillis, (now) => clock.deadline - now > minimumMs)
    }),
    Effect.catchTag("MailTransient", (e) => Effect.fail(new MailUnavailable({ reason: e.reason })))
  )
}

/**
 * The service over a nodemailer transporter that passes the point of no return the moment
 * it sends (SES: the request is on its way). The transporter is asked per attempt, with that
 * attempt's abort signal. `minimumMs`: no attempt starts with less time left than that (what
 * a connection may take to open: a timeout after it is the request's, so unknown).
 */
export const mailServiceFor = (
  transporter: (signal: AbortSignal, clock: DeliveryClock) => Transporter,
  rules: TransportRules,
  options: { readonly extra?: Readonly<Record<string, unknown>>; readonly minimumMs?: number } = {}
): MailServiceApi => {
  const attempt = (
    mail: OutgoingMail,
    credentials: SmtpCredentials | undefined,
    clock: DeliveryClock
  ) =>
    Effect.tryPromise({
      try: (signal) => {
        const message: Mail.Options & { signal: AbortSignal } = {
          ...options.extra,
          ...messageOptions(mail),
          signal,
          ...(credentials === undefined
            ? {}
            : { auth: { user: credentials.user, pass: Redacted.value(credentials.pass) } })
        }
        return transporter(signal, clock).sendMail(message)
      },
      catch: (error) => {
        const failure = rules.classify(error, clock.pastNoReturnAt)
        // Any answer but an unknown one says this attempt delivered nothing.
        if (failure._tag !== "MailUnknown") clock.pastNoReturnAt = undefined
        return failure
      }
    })

  // No `open`, so no attempt begun early: every attempt is the same call.
  return MailService.of({
    send: Effect.fn("MailService.send")(function* (mail, credentials, clock) {
      const again = attempt(mail, credentials, clock)
      yield* withAttempts(again, again, clock, options.minimumMs)
    })
  })
}

/**
 * The layer MAIL_TRANSPORT names, imported when the runtime is built: an SMTP deployment
 * never loads the SES client, and an SES one not nodemailer's SMTP transport.
 */
export const MailLive = Layer.unwrap(
  Effect.flatMap(AppConfigTag, (config) =>
    config.transport.kind === "ses"
      ? Effect.promise(() => import("./ses")).pipe(Effect.map((m) => m.SesMail))
      : Effect.promise(() => import("./smtp")).pipe(Effect.map((m) => m.SmtpMail))
  )
)
