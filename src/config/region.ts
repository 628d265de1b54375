/** The one AWS_REGION rule of the configuration. */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import { orNone } from "./env"
import { awsRegion, optional } from "./readers"

export const defaultSmtpSecretId = "smtp-ses-credentials"

/**
 * AWS_REGION, required exactly when AWS is reached: a secret is read (SMTP_SECRET_ID not
 * empty, or a captcha configured), SMTP_URL is left to its SES default, an SQS queue is
 * named, or the mail goes through the SES API. Lambda always sets it; a server with its own relay, no SMTP secret and no captcha
 * never talks to AWS. It is judged from the other variables as written, so that it is
 * listed even when they fail.
 */
export const region = Config.all({
  region: optional(awsRegion("AWS_REGION")),
  smtpSecretId: orNone("SMTP_SECRET_ID", defaultSmtpSecretId),
  captchaProvider: optional(Config.string("CAPTCHA_PROVIDER")),
  smtpUrl: optional(Config.string("SMTP_URL")),
  queueUrl: optional(Config.string("QUEUE_URL")),
  transport: optional(Config.string("MAIL_TRANSPORT"))
}).pipe(
  Config.mapOrFail(({ region, ...uses }) =>
    region === undefined &&
    (uses.smtpSecretId !== undefined ||
      uses.captchaProvider !== "none" ||
      uses.smtpUrl === undefined ||
      uses.queueUrl !== undefined ||
      uses.transport === "ses")
      ? Either.left(
          ConfigError.InvalidData(
            ["AWS_REGION"],
            "is required (Lambda sets it) to read the secrets, for the default SMTP_URL, for QUEUE_URL and for MAIL_TRANSPORT=ses"
          )
        )
      : Either.right(region)
  )
)
