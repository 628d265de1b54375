/**
 * The SES v2 API (contract §8): `SendEmail` with the raw message nodemailer builds, so
 * the headers and encodings are exactly those of the SMTP path; signed with the function's
 * own role, so no SMTP secret and no IAM user exist. Our attempts, not the SDK's, retry
 * what certainly sent nothing, within MAIL_TIMEOUT_MS of the send; the errors are
 * classified here, each attempt's point of no return being the moment its request left.
 */
import type { SESv2Client } from "@aws-sdk/client-sesv2"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import Mail from "nodemailer/lib/mailer"
import SESTransport from "nodemailer/lib/ses-transport"
import { AppConfigTag } from "../config/app-config"
import { MailRejected, MailUnknown } from "../domain/errors"
import { awsFailure } from "./aws-error"
import { MailService } from "./mail"
import {
  type AttemptFailure,
  type DeliveryClock,
  MailTransient,
  mailServiceFor,
  type TransportRules
} from "./mail-attempts"

/** contract §8: what only the owner can fix. Any other error passes, or may. */
const permanent = new Set([
  "MessageRejected",
  "MailFromDomainNotVerifiedException",
  "AccountSuspendedException",
  "SendingPausedException",
  "NotFoundException",
  "BadRequestException",
  "AccessDeniedException",
  // Missing or invalid credentials: the role, not the moment.
  "CredentialsProviderError",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "InvalidSignatureException",
  "SignatureDoesNotMatch"
])

/** `MailFromDomainNotVerifiedException` → `mail_from_domain_not_verified`. */
const snake = (name: string): string =>
  name
    .replace(/Exception$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()

const classify = (error: unknown, pastNoReturn: number | undefined): AttemptFailure => {
  const { name, status, neverLeft, dropped } = awsFailure(error)
  if (permanent.has(name)) return new MailRejected({ reason: `ses_${snake(name)}` })
  // SES answered: whatever it said, it sent nothing (contract §8). Throttling, limits,
  // its own errors and whatever else: transient.
  if (status !== undefined) {
    return new MailTransient({
      reason:
        status >= 500 && !/Exception$/.test(name) ? `ses_http_${status}` : `ses_${snake(name)}`
    })
  }
  if (neverLeft) return new MailTransient({ reason: "ses_unreachable" })
  // SendEmail has no idempotency key: a request that left without an answer may have been
  // sent, and is never sent again within the request (contract §7a).
  if (pastNoReturn !== undefined) {
    return new MailUnknown({
      reason: dropped ? "ses_unknown_connection" : "ses_unknown_timeout",
      at: pastNoReturn
    })
  }
  return new MailTransient({ reason: "ses_unreachable" })
}

export const sesRules: TransportRules = { classify }

/** The production layer: one SES v2 client per process, its module loaded with this one. */
export const SesMail = Layer.effect(
  MailService,
  Effect.gen(function* () {
    const config = yield* AppConfigTag
    const { SESv2Client: Client, SendEmailCommand } = yield* Effect.promise(
      () => import("@aws-sdk/client-sesv2")
    )
    // One attempt per call: the SDK would also retry a request that left and timed out or
    // lost its connection, a second copy (contract §7a); ours retry only what SES
    // answered or what never connected. Connecting may take a share of MAIL_TIMEOUT_MS; the
    // answer what is left of it (the delivery's deadline ends the wait first). No attempt
    // starts with less than a connection's share left, so a timeout at the deadline is
    // always one of a request that left. AWS_ENDPOINT_URL_SESV2 is the SDK's own.
    const stepMs = Math.max(1_000, Math.floor(config.smtp.timeoutMs / 4))
    const client: SESv2Client = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new Client({
            ...(config.secrets.region === undefined ? {} : { region: config.secrets.region }),
            maxAttempts: 1,
            requestHandler: {
              connectionTimeout: stepMs,
              requestTimeout: config.smtp.timeoutMs + 1_000
            }
          })
      ),
      (c) => Effect.sync(() => c.destroy())
    )
    const { transport } = config
    const configurationSet = transport.kind === "ses" ? transport.configurationSet : undefined
    // A transporter per attempt: nodemailer's SES transport calls `send` without options,
    // and this one passes the attempt's abort signal on to the SDK.
    const transporter = (signal: AbortSignal, clock: DeliveryClock) =>
      new Mail(
        new SESTransport({
          SES: {
            sesClient: {
              config: client.config,
              send: (command: Parameters<SESv2Client["send"]>[0]) => {
                // contract §7a: the moment SendEmail is sent is the point of no return.
                clock.pastNoReturnAt = Date.now()
                return client.send(command, { abortSignal: signal })
              }
            },
            SendEmailCommand
          }
        })
      )
    return mailServiceFor(transporter, sesRules, {
      kind: "ses",
      timeoutMs: config.smtp.timeoutMs,
      minimumMs: stepMs,
      ...(configurationSet === undefined
        ? {}
        : { extra: { ses: { ConfigurationSetName: configurationSet } } })
    })
  })
)
