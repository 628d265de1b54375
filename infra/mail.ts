// How the functions send mail (contract §5 and §8), as the stack's parameters: the
// MailTransport parameter, the settings of each transport, and the rules CloudFormation
// checks between them. One template serves both transports: which one applies is decided
// at deploy time by the construct's conditions (infra/delivery.ts), so switching is a
// parameter change, not another synthesis.
//
// - smtp (the default): SMTP_URL with the credentials in the SMTP secret; the roles read
//   that secret.
// - ses: the SES v2 API, signed with the function's own role; the roles may send as one
//   verified identity (and with one configuration set), and read no SMTP secret.
import { CfnParameter, Fn, type Stack } from "aws-cdk-lib"
import { DEFAULT_SMTP_SECRET_NAME } from "./delivery.js"
import { CONFIGURATION_SET, orEmpty, SECRET_NAME, SES_IDENTITY } from "./patterns.js"
import { isEmpty, rule } from "./rules.js"

export const declareMail = (stack: Stack) => {
  const mailTransport = new CfnParameter(stack, "MailTransport", {
    type: "String",
    default: "smtp",
    allowedValues: ["smtp", "ses"],
    description:
      "MAIL_TRANSPORT: smtp (SmtpUrl, with the credentials in the SMTP secret) or ses (the SES v2 API with the functions' own role: no SMTP secret, no IAM user)"
  })
  const sesIdentity = new CfnParameter(stack, "SesIdentity", {
    type: "String",
    default: "",
    allowedPattern: orEmpty(SES_IDENTITY),
    constraintDescription: "SesIdentity must be a domain (example.com) or an address",
    description:
      "The verified SES identity MailFrom belongs to, a domain (example.com) or an address (noreply@example.com): the functions may send as it (required with MailTransport=ses)"
  })
  const sesConfigurationSet = new CfnParameter(stack, "SesConfigurationSet", {
    type: "String",
    default: "",
    allowedPattern: orEmpty(CONFIGURATION_SET),
    description:
      "SES_CONFIGURATION_SET: the configuration set to send with (MailTransport=ses only; optional; empty = none)"
  })
  const smtpUrl = new CfnParameter(stack, "SmtpUrl", {
    type: "String",
    default: "",
    allowedPattern: "^$|^smtps?://\\S+$",
    description:
      "SMTP_URL: smtps:// or smtp:// (STARTTLS), MailTransport=smtp only (optional; empty = SES SMTP in the stack's region)"
  })
  const smtpSecretName = new CfnParameter(stack, "SmtpSecretName", {
    type: "String",
    default: DEFAULT_SMTP_SECRET_NAME,
    allowedPattern: SECRET_NAME,
    description:
      'SMTP_SECRET_ID: name of the secret {"SMTP_USERNAME","SMTP_PASSWORD"} (MailTransport=smtp only)'
  })

  // CloudFormation Rules, checked before any change is made: ses cannot work without an
  // identity to grant on, and settings that the chosen transport would ignore are refused,
  // as the application refuses them at cold start (contract §8): a relay URL or a configuration
  // set that silently does nothing is worse than a failed deploy. (The SMTP secret's name
  // has a default, so it cannot be required empty; under ses it is simply unused. Rules
  // cannot name conditions, hence the Equals written again.)
  rule(stack, "SesSettings", Fn.conditionEquals(mailTransport.valueAsString, "ses"), [
    [
      Fn.conditionNot(isEmpty(sesIdentity)),
      "MailTransport=ses needs SesIdentity: the verified SES domain or address that MailFrom belongs to"
    ],
    [isEmpty(smtpUrl), "SmtpUrl must be empty with MailTransport=ses: it would be ignored"]
  ])
  rule(
    stack,
    "SmtpSettings",
    Fn.conditionNot(Fn.conditionEquals(mailTransport.valueAsString, "ses")),
    [
      [
        isEmpty(sesConfigurationSet),
        "SesConfigurationSet must be empty with MailTransport=smtp: only the SES API applies it"
      ]
    ]
  )

  return { mailTransport, sesIdentity, sesConfigurationSet, smtpUrl, smtpSecretName }
}

export type Mail = ReturnType<typeof declareMail>
