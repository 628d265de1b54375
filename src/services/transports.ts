/**
 * The mail transport MAIL_TRANSPORT names (contract §8), imported when the runtime is
 * built: an SMTP deployment never loads the SES client, and an SES one not nodemailer's SMTP
 * transport. A new transport is a case here and a file of its own.
 */
import * as Effect from "effect/Effect"
import { absurd } from "effect/Function"
import * as Layer from "effect/Layer"
import { AppConfigTag } from "../config/app-config"
import type { MailService } from "./mail"
import type { SecretsService } from "./secrets"

type TransportLayer = Layer.Layer<MailService, never, AppConfigTag | SecretsService>

export const MailLive: TransportLayer = Layer.unwrap(
  Effect.flatMap(AppConfigTag, ({ transport }): Effect.Effect<TransportLayer> => {
    switch (transport.kind) {
      case "smtp":
        return Effect.promise(() => import("./smtp")).pipe(Effect.map((m) => m.SmtpMail))
      case "ses":
        return Effect.promise(() => import("./ses")).pipe(Effect.map((m) => m.SesMail))
      default:
        return absurd(transport)
    }
  })
)
