// How the functions send mail (SPEC sections 5 and 8), in one place: the MailTransport
// parameter and the settings of each transport, the rules CloudFormation checks between
// them, what each transport puts in the functions' environment, and what it lets their
// roles do. One template serves both transports: which one applies is decided at deploy
// time by conditions, so switching is a parameter change, not another synthesis.
//
// - smtp (the default): SMTP_URL with the credentials in the SMTP secret; the roles read
//   that secret.
// - ses: the SES v2 API, signed with the function's own role; the roles may send as one
//   verified identity (and with one configuration set), and read no SMTP secret.
import { CfnCondition, CfnParameter, Fn, type Stack, Token } from "aws-cdk-lib"
import * as iam from "aws-cdk-lib/aws-iam"
import { SECRET_NAME, secretArn } from "./permissions.js"
import { isEmpty, rule } from "./rules.js"

// A domain (example.com, mail.example.com) or an address of one (noreply@example.com), as
// SES names identities. Never `*` nor `?`: the value ends up in an IAM resource ARN, where
// they are wildcards and would let the role send as every identity of the account.
const SES_IDENTITY =
  "^$|^([A-Za-z0-9!#$%&'+/=^_{|}~.-]+@)?([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\\.)+[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$"
// What SES accepts as a configuration set's name.
const CONFIGURATION_SET = "^$|^[A-Za-z0-9_-]{1,64}$"

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
    allowedPattern: SES_IDENTITY,
    constraintDescription: "SesIdentity must be a domain (example.com) or an address",
    description:
      "The verified SES identity MailFrom belongs to, a domain (example.com) or an address (noreply@example.com): the functions may send as it (required with MailTransport=ses)"
  })
  const sesConfigurationSet = new CfnParameter(stack, "SesConfigurationSet", {
    type: "String",
    default: "",
    allowedPattern: CONFIGURATION_SET,
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
    default: "smtp-ses-credentials",
    allowedPattern: SECRET_NAME,
    description:
      'SMTP_SECRET_ID: name of the secret {"SMTP_USERNAME","SMTP_PASSWORD"} (MailTransport=smtp only)'
  })

  const usesSes = new CfnCondition(stack, "UsesSes", {
    expression: Fn.conditionEquals(mailTransport.valueAsString, "ses")
  })
  // The complement of UsesSes rather than an Equals on "smtp", so that exactly one of the
  // two holds whatever AllowedValues grows into.
  const usesSmtp = new CfnCondition(stack, "UsesSmtp", { expression: Fn.conditionNot(usesSes) })
  const hasSesConfigurationSet = new CfnCondition(stack, "HasSesConfigurationSet", {
    expression: Fn.conditionAnd(usesSes, Fn.conditionNot(isEmpty(sesConfigurationSet)))
  })

  // CloudFormation Rules, checked before any change is made: ses cannot work without an
  // identity to grant on, and settings that the chosen transport would ignore are refused,
  // as the application refuses them at cold start (SPEC 8): a relay URL or a configuration
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

  return {
    mailTransport,
    sesIdentity,
    sesConfigurationSet,
    smtpUrl,
    smtpSecretName,
    usesSes,
    usesSmtp,
    hasSesConfigurationSet
  }
}

export type Mail = ReturnType<typeof declareMail>

// With ses, SMTP_URL and SMTP_SECRET_ID are passed empty: the application refuses either
// set beside MAIL_TRANSPORT=ses, and an empty SMTP_SECRET_ID means "no SMTP secret".
export const mailEnvironment = (mail: Mail): Record<string, string> => ({
  MAIL_TRANSPORT: mail.mailTransport.valueAsString,
  SES_CONFIGURATION_SET: mail.sesConfigurationSet.valueAsString,
  SMTP_URL: unlessSes(mail, mail.smtpUrl.valueAsString),
  SMTP_SECRET_ID: unlessSes(mail, mail.smtpSecretName.valueAsString)
})

const unlessSes = (mail: Mail, value: string) =>
  Token.asString(Fn.conditionIf(mail.usesSes.logicalId, "", value))

// What a role needs to send mail with the chosen transport, the same for both functions:
// one policy that always exists and holds the one statement the transport needs. Always
// there, and created inside the role, so that the function (which depends on its role and
// everything in it) never starts before it may send; a policy with a condition could not
// be depended on (cfn-lint E3005).
export const grantMail = (stack: Stack, role: iam.Role, mail: Mail) => {
  const ses = new iam.PolicyStatement({
    sid: "SendWithSes",
    // SendEmail is the action the SES v2 SendEmail call is authorized as, raw content
    // included; SendRawEmail beside it, the pair that SES's policy examples and
    // aws-cdk-lib's own EmailIdentity.grantSendEmail grant for sending as an identity.
    actions: ["ses:SendEmail", "ses:SendRawEmail"],
    resources: [
      stack.formatArn({
        service: "ses",
        resource: "identity",
        resourceName: mail.sesIdentity.valueAsString
      }),
      // SES authorizes a send with a configuration set on that set as well.
      Token.asString(
        Fn.conditionIf(
          mail.hasSesConfigurationSet.logicalId,
          stack.formatArn({
            service: "ses",
            resource: "configuration-set",
            resourceName: mail.sesConfigurationSet.valueAsString
          }),
          Fn.ref("AWS::NoValue")
        )
      )
    ]
  })
  const smtpSecret = new iam.PolicyStatement({
    sid: "ReadSmtpSecret",
    actions: ["secretsmanager:GetSecretValue"],
    resources: [secretArn(stack, mail.smtpSecretName.valueAsString)]
  })
  return new iam.CfnPolicy(role, "MailPolicy", {
    policyName: "send-contact-form-mail",
    roles: [role.roleName],
    policyDocument: {
      Version: "2012-10-17",
      Statement: [
        Fn.conditionIf(mail.usesSes.logicalId, ses.toStatementJson(), smtpSecret.toStatementJson())
      ]
    }
  })
}
