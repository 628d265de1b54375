/**
 * One mail to the owner, the step the form flow and redelivery share (SPEC sections 5, 7):
 * the SMTP secret, the transport, and the one refresh of a rotated secret after a 535.
 * The form flow begins it early (`startDelivery`), beside the captcha: the secret and
 * attempt 1's session are under way while the verdict is awaited, and nothing is sent
 * before the flow asks. An early failure is the delivery's, met when the flow gets there.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import { AppConfigTag } from "./config/app-config"
import { MailUnavailable, MailUnknown } from "./domain/errors"
import type { OutgoingMail } from "./domain/mail"
import { type DeliveryClock, type EarlyAttempt, MailService } from "./services/mail"
import { SecretsService, type SmtpCredentials } from "./services/secrets"

interface Early {
  readonly credentials: SmtpCredentials | undefined
  readonly attempt: EarlyAttempt | undefined
}

/**
 * Starts the SMTP secret's fetch and attempt 1 now, in the caller's scope (which closes an
 * unused session), and returns the send. MAIL_TIMEOUT_MS bounds the send from when it is
 * called: attempts, backoff and the refresh (what ran before only shortens it). Time running
 * out while an attempt is past its point of no return is an unknown outcome (SPEC 7a).
 */
export const startDelivery = Effect.gen(function* () {
  const config = yield* AppConfigTag
  const secrets = yield* SecretsService
  const mailer = yield* MailService
  const early = yield* secrets.smtp().pipe(
    Effect.flatMap(
      (credentials): Effect.Effect<Early, never, Scope.Scope> =>
        mailer.open === undefined
          ? Effect.succeed({ credentials, attempt: undefined })
          : Effect.map(mailer.open(credentials), (attempt) => ({ credentials, attempt }))
    ),
    Effect.forkScoped
  )
  const { kind } = config.transport
  return (mail: OutgoingMail) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const clock: DeliveryClock = {
        deadline: now + config.smtp.timeoutMs,
        pastNoReturnAt: undefined
      }
      return Fiber.join(early).pipe(
        Effect.flatMap(({ credentials, attempt }) =>
          mailer.send(mail, credentials, clock, attempt)
        ),
        Effect.catchTag("MailAuthRejected", () =>
          secrets
            .smtp({ refresh: true })
            .pipe(Effect.flatMap((fresh) => mailer.send(mail, fresh, clock)))
        ),
        Effect.timeoutOrElse({
          duration: Duration.millis(config.smtp.timeoutMs),
          orElse: () =>
            Effect.fail(
              clock.pastNoReturnAt === undefined
                ? new MailUnavailable({ reason: `${kind}_timeout` })
                : new MailUnknown({ reason: `${kind}_unknown_timeout`, at: clock.pastNoReturnAt })
            )
        })
      )
    })
})

/** The whole delivery at once (redelivery: there is no captcha to overlap). */
export const deliver = (mail: OutgoingMail) =>
  Effect.scoped(Effect.flatMap(startDelivery, (send) => send(mail)))
