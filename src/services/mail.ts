/**
 * MailService: one message to the site owner, by SMTP (src/services/smtp.ts, contract §5) or through the SES v2 API (src/services/ses.ts, section 8); src/services/transports.ts
 * loads the one MAIL_TRANSPORT names. Each transport owns what it sends with: SMTP its secret,
 * the refresh of that secret after a 535 and its sessions; SES its client. The retries, the
 * MAIL_TIMEOUT_MS deadline and the point of no return (contract §7a) are theirs too, over
 * the shared attempts of src/services/mail-attempts.ts.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type {
  MailAuthRejected,
  MailRejected,
  MailUnavailable,
  MailUnknown,
  SecretUnavailable
} from "../domain/errors"
import type { OutgoingMail } from "../domain/mail"

export type MailFailure =
  | SecretUnavailable
  | MailAuthRejected
  | MailRejected
  | MailUnavailable
  | MailUnknown

export interface MailServiceApi {
  /**
   * Begins one delivery now, in the caller's scope (SMTP: its secret and attempt 1's session,
   * connect/STARTTLS/AUTH, so they overlap the captcha; SES: nothing to begin). The send it
   * returns sends with the transport's retries and, for SMTP, the one refresh of a rotated
   * secret after a 535, all bounded by MAIL_TIMEOUT_MS from when it is called (a timeout past
   * the point of no return is MailUnknown, contract §7a). A start never sent is closed with
   * the scope (SMTP: QUIT).
   */
  readonly start: Effect.Effect<
    (mail: OutgoingMail) => Effect.Effect<void, MailFailure>,
    never,
    Scope.Scope
  >
}

export class MailService extends Context.Service<MailService, MailServiceApi>()(
  "contact-form/MailService"
) {}

/**
 * The form flow begins its delivery beside the captcha (README, Performance): an early
 * failure (the secret, the session) is the send's, met only when the flow gets there.
 */
export const startDelivery = MailService.use((mailer) => mailer.start)

/** The whole delivery at once, where there is no captcha to overlap (redelivery). */
export const deliver = (mail: OutgoingMail): Effect.Effect<void, MailFailure, MailService> =>
  Effect.scoped(Effect.flatMap(startDelivery, (send) => send(mail)))
