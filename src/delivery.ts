/**
 * One mail to the owner, the step the form flow and redelivery share (SPEC sections 5, 7):
 * the SMTP secret, the transport, and the one refresh of a rotated secret after a 535.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { AppConfigTag } from "./config/app-config"
import { MailUnavailable } from "./domain/errors"
import type { OutgoingMail } from "./domain/mail"
import { MailService } from "./services/mail"
import { SecretsService } from "./services/secrets"

/** MAIL_TIMEOUT_MS bounds it all: attempts, backoff and the refresh (no cold start needed). */
export const deliver = (mail: OutgoingMail) =>
  Effect.gen(function* () {
    const config = yield* AppConfigTag
    const secrets = yield* SecretsService
    const mailer = yield* MailService
    yield* secrets.smtp().pipe(
      Effect.flatMap((credentials) => mailer.send(mail, credentials)),
      Effect.catchTag("MailAuthRejected", () =>
        secrets.smtp({ refresh: true }).pipe(Effect.flatMap((fresh) => mailer.send(mail, fresh)))
      ),
      Effect.timeoutFail({
        duration: Duration.millis(config.smtp.timeoutMs),
        onTimeout: () => new MailUnavailable({ reason: `${config.transport.kind}_timeout` })
      })
    )
  })
