/**
 * The SES v2 API (SPEC section 8): `SendEmail` with the raw message nodemailer builds, so
 * the headers and encodings are exactly those of the SMTP path; signed with the function's
 * own role, so no SMTP secret and no IAM user exist. The SDK retries what is worth it
 * within the flow's MAIL_TIMEOUT_MS; the errors are classified here.
 */
import type { SESv2Client } from "@aws-sdk/client-sesv2"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import Mail from "nodemailer/lib/mailer"
import SESTransport from "nodemailer/lib/ses-transport"
import { AppConfigTag } from "../config/app-config"
import { MailRejected, MailUnavailable } from "../domain/errors"
import { MailService, mailServiceFor, type TransportRules } from "./mail"

/** SPEC section 8: what only the owner can fix. Any other error passes, or may. */
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

interface SdkError {
  readonly name?: string
  readonly $metadata?: { readonly httpStatusCode?: number }
}

const classify = (error: unknown): MailRejected | MailUnavailable => {
  const { $metadata, name = "" } =
    typeof error === "object" && error !== null ? (error as SdkError) : {}
  if (permanent.has(name)) return new MailRejected({ reason: `ses_${snake(name)}` })
  const status = $metadata?.httpStatusCode
  if (name === "AbortError" || name === "TimeoutError") {
    return new MailUnavailable({ reason: "ses_timeout" })
  }
  if (status !== undefined && status >= 500 && !/Exception$/.test(name)) {
    return new MailUnavailable({ reason: `ses_http_${status}` })
  }
  // Throttling, limits, the service's own errors, networks, and whatever else: transient.
  return new MailUnavailable({ reason: name === "" ? "ses_unreachable" : `ses_${snake(name)}` })
}

export const sesRules: TransportRules = { classify }

/** The production layer: one SES v2 client per process, its module loaded with this one. */
export const SesMail = Layer.scoped(
  MailService,
  Effect.gen(function* () {
    const config = yield* AppConfigTag
    const { SESv2Client: Client, SendEmailCommand } = yield* Effect.promise(
      () => import("@aws-sdk/client-sesv2")
    )
    // Three attempts (the SDK's default: throttling and 5xx backed off), each step a share
    // of MAIL_TIMEOUT_MS, which bounds them all. AWS_ENDPOINT_URL_SESV2 is the SDK's own.
    const stepMs = Math.max(1_000, Math.floor(config.smtp.timeoutMs / 4))
    const client: SESv2Client = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new Client({
            ...(config.secrets.region === undefined ? {} : { region: config.secrets.region }),
            maxAttempts: 3,
            requestHandler: { connectionTimeout: stepMs, requestTimeout: stepMs }
          })
      ),
      (c) => Effect.sync(() => c.destroy())
    )
    const { transport } = config
    const configurationSet = transport.kind === "ses" ? transport.configurationSet : undefined
    // A transporter per attempt: nodemailer's SES transport calls `send` without options,
    // and this one passes the attempt's abort signal on to the SDK.
    const transporter = (signal: AbortSignal) =>
      new Mail(
        new SESTransport({
          SES: {
            sesClient: {
              config: client.config,
              send: (command: Parameters<SESv2Client["send"]>[0]) =>
                client.send(command, { abortSignal: signal })
            },
            SendEmailCommand
          }
        })
      )
    return mailServiceFor(
      transporter,
      sesRules,
      configurationSet === undefined ? {} : { ses: { ConfigurationSetName: configurationSet } }
    )
  })
)
