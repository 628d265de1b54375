/** The one AWS_REGION rule of the configuration. */
import * as Result from "effect/Result"
import { all, andThen, orNone, problem, written } from "./env"
import { awsRegion, orNothing } from "./readers"

export const defaultSmtpSecretId = "smtp-ses-credentials"

/**
 * AWS_REGION, required exactly when AWS is reached: a secret is read (SMTP_SECRET_ID not
 * empty, or a captcha configured), SMTP_URL is left to its SES default, an SQS queue is
 * named, the mail goes through the SES API, or STORE_TABLE names the shared store. Lambda always sets it; a server with its own relay, no SMTP secret and no captcha
 * never talks to AWS. It is judged from the other variables as written, so that it is
 * listed even when they fail.
 */
export const region = all({
  region: awsRegion("AWS_REGION", orNothing),
  smtpSecretId: orNone("SMTP_SECRET_ID", defaultSmtpSecretId),
  captchaProvider: written("CAPTCHA_PROVIDER"),
  smtpUrl: written("SMTP_URL"),
  queueUrl: written("QUEUE_URL"),
  transport: written("MAIL_TRANSPORT"),
  storeTable: written("STORE_TABLE")
}).pipe(
  andThen(({ region, ...uses }) =>
    region === undefined &&
    (uses.smtpSecretId !== undefined ||
      uses.captchaProvider !== "none" ||
      uses.smtpUrl === undefined ||
      uses.queueUrl !== undefined ||
      uses.transport === "ses" ||
      uses.storeTable !== undefined)
      ? problem(
          ["AWS_REGION"],
          "is required (Lambda sets it) to read the secrets, for the default SMTP_URL, for QUEUE_URL, for MAIL_TRANSPORT=ses and for STORE_TABLE"
        )
      : Result.succeed(region)
  )
)
