/**
 * The mail transport (contract §8): SMTP (section 5), or the SES v2 API signed with the
 * function's own role. With `ses`, an SMTP variable would be silently ignored: it is a
 * configuration error instead, named with the others.
 */
import type { MailTransport } from "./app-config"
import { all, type ValueOf, written } from "./env"
import { oneLineText, oneOf, orDefault, orNothing } from "./readers"

const smtpOnly = ["SMTP_URL", "SMTP_SECRET_ID", "SMTP_ALLOW_INSECURE", "SMTP_TLS_CA_FILE"] as const

export const transportVariables = all({
  kind: oneOf("MAIL_TRANSPORT", ["smtp", "ses"] as const, orDefault("smtp")),
  configurationSet: oneLineText("SES_CONFIGURATION_SET", orNothing),
  // As written: SMTP_SECRET_ID="" (no SMTP secret) is what `ses` wants, and passes.
  smtpVariables: all<Record<string, string | undefined>>(
    Object.fromEntries(smtpOnly.map((name) => [name, written(name)]))
  )
})

type TransportVariables = ValueOf<typeof transportVariables>

export const transportProblems = (t: TransportVariables): ReadonlyArray<string> =>
  t.kind === "ses"
    ? Object.entries(t.smtpVariables)
        .filter(([, value]) => value !== undefined && value !== "")
        .map(
          ([name]) =>
            `${name}: not used with MAIL_TRANSPORT=ses (it would be ignored); leave it empty`
        )
    : t.configurationSet !== undefined
      ? ["SES_CONFIGURATION_SET: only used with MAIL_TRANSPORT=ses"]
      : []

export const transportConfig = (t: TransportVariables): MailTransport =>
  t.kind === "ses" ? { kind: "ses", configurationSet: t.configurationSet } : { kind: "smtp" }
