/**
 * What every mail transport's delivery is made of (contract §5, §7a and §8): attempts,
 * the retry of a transient failure, the MAIL_TIMEOUT_MS deadline and the point of no return
 * an attempt tells it. Each transport classifies its own errors (`TransportRules`); both
 * build the message with nodemailer, so its headers and encodings are the same whichever
 * transport carries it.
 */
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type Mail from "nodemailer/lib/mailer"
import type { MailTransport } from "../config/app-config"
import {
  type MailAuthRejected,
  type MailRejected,
  MailUnavailable,
  MailUnknown
} from "../domain/errors"
import type { OutgoingMail } from "../domain/mail"
import { MailService, type MailServiceApi } from "./mail"
import { messageOptions } from "./message"
import type { SmtpCredentials } from "./secrets"

/**
 * One delivery's time and its point of no return (contract §7a). `deadline`: when
 * MAIL_TIMEOUT_MS, counted from the start of the send, is spent (epoch ms). A transport
 * sets `pastNoReturnAt` when the attempt in hand may have delivered (the end of DATA; SES:
 * the request left) and clears it when a definite answer says it did not; the deadline
 * reads it to tell an unknown outcome from a plain timeout.
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

/** Backed off; the deadline cuts the backoff short when time runs out. */
const transientBackoff = Schedule.exponential(Duration.millis(200), 2)

export type Transporter = Pick<Mail, "sendMail">

/**
 * `first`, then `again` after each transient failure, as `transientBackoff` allows while at
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
 * `delivery` within MAIL_TIMEOUT_MS from now: its attempts, backoff and whatever else it
 * waits for (SMTP: its secret, the refresh). Time running out while an attempt is past its
 * point of no return is an unknown outcome (contract §7a), otherwise unavailability.
 */
export const withinDeadline = <E>(
  kind: MailTransport["kind"],
  timeoutMs: number,
  delivery: (clock: DeliveryClock) => Effect.Effect<void, E>
): Effect.Effect<void, E | MailUnavailable | MailUnknown> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const clock: DeliveryClock = { deadline: now + timeoutMs, pastNoReturnAt: undefined }
    return delivery(clock).pipe(
      Effect.timeoutOrElse({
        duration: Duration.millis(timeoutMs),
        orElse: () =>
          Effect.fail(
            clock.pastNoReturnAt === undefined
              ? new MailUnavailable({ reason: `${kind}_timeout` })
              : new MailUnknown({ reason: `${kind}_unknown_timeout`, at: clock.pastNoReturnAt })
          )
      })
    )
  })

/**
 * One attempt over a nodemailer transporter that passes the point of no return the moment
 * it sends (SES: the request is on its way), asked per attempt with that attempt's abort
 * signal; `credentials`, when given, authenticate it.
 */
export const transporterAttempt =
  (
    transporter: (signal: AbortSignal, clock: DeliveryClock) => Transporter,
    rules: TransportRules,
    extra: Readonly<Record<string, unknown>> = {}
  ) =>
  (
    mail: OutgoingMail,
    credentials: SmtpCredentials | undefined,
    clock: DeliveryClock
  ): Effect.Effect<void, AttemptFailure> =>
    Effect.tryPromise({
      try: (signal) => {
        const message: Mail.Options & { signal: AbortSignal } = {
          ...extra,
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

/**
 * The service over such a transporter, with nothing to begin early and nothing to
 * authenticate with (SES: the function's own role). `minimumMs`: no attempt starts with less
 * time left than that (what a connection may take to open: a timeout after it is the
 * request's, so unknown).
 */
export const mailServiceFor = (
  transporter: (signal: AbortSignal, clock: DeliveryClock) => Transporter,
  rules: TransportRules,
  options: {
    readonly kind: MailTransport["kind"]
    readonly timeoutMs: number
    readonly extra?: Readonly<Record<string, unknown>>
    readonly minimumMs?: number
  }
): MailServiceApi => {
  const attempt = transporterAttempt(transporter, rules, options.extra)
  const send = Effect.fn("MailService.send")(function* (mail: OutgoingMail) {
    yield* withinDeadline(options.kind, options.timeoutMs, (clock) => {
      const again = attempt(mail, undefined, clock)
      return withAttempts(again, again, clock, options.minimumMs)
    })
  })
  return MailService.of({ start: Effect.succeed(send) })
}
