/**
 * SMTP's delivery (contract §5 and §7a), whatever carries its attempts: the SMTP secret,
 * attempt 1 begun with it at once (so that the secret and the session overlap the captcha),
 * the retries, the one refresh of a rotated secret after a 535, within MAIL_TIMEOUT_MS. The
 * wire (src/services/smtp.ts: nodemailer's sessions; the tests: a scripted relay) only
 * begins and makes attempts.
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import type { OutgoingMail } from "../domain/mail"
import { MailService, type MailServiceApi } from "./mail"
import {
  type AttemptFailure,
  type DeliveryClock,
  type EarlyAttempt,
  withAttempts,
  withinDeadline
} from "./mail-attempts"
import type { SecretsServiceApi, SmtpCredentials } from "./secrets"

/** How SMTP attempts are made; `credentials` is `undefined` when SMTP needs no AUTH. */
export interface SmtpWire {
  /** Attempt 1, begun now (a session opened), and closed with the scope if never used. */
  readonly begin: (
    credentials: SmtpCredentials | undefined
  ) => Effect.Effect<EarlyAttempt, never, Scope.Scope>
  /** Any other attempt, from its beginning. */
  readonly attempt: (
    mail: OutgoingMail,
    credentials: SmtpCredentials | undefined,
    clock: DeliveryClock
  ) => Effect.Effect<void, AttemptFailure>
}

interface Begun {
  readonly credentials: SmtpCredentials | undefined
  readonly early: EarlyAttempt
}

export const smtpDelivery = (
  secrets: SecretsServiceApi,
  timeoutMs: number,
  wire: SmtpWire
): MailServiceApi =>
  MailService.of({
    start: Effect.gen(function* () {
      // Failures wait in the fiber: a refused captcha, not an early failure, is the answer.
      const begun = yield* secrets.smtp().pipe(
        Effect.flatMap(
          (credentials): Effect.Effect<Begun, never, Scope.Scope> =>
            Effect.map(wire.begin(credentials), (early) => ({ credentials, early }))
        ),
        Effect.forkScoped
      )
      return Effect.fn("MailService.send")(function* (mail: OutgoingMail) {
        yield* withinDeadline("smtp", timeoutMs, (clock) =>
          Fiber.join(begun).pipe(
            Effect.flatMap(({ credentials, early }) =>
              withAttempts(
                early.transmit(mail, clock),
                wire.attempt(mail, credentials, clock),
                clock
              )
            ),
            // The secret was rotated since it was cached: once with the current one.
            Effect.catchTag("MailAuthRejected", () =>
              Effect.flatMap(secrets.smtp({ refresh: true }), (fresh) => {
                const again = wire.attempt(mail, fresh, clock)
                return withAttempts(again, again, clock)
              })
            )
          )
        )
      })
    })
  })
