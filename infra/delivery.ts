// How the functions deliver (contract §5, §8, §11), in one place: the mail transport
// (SMTP with its secret, or the SES API with the function's own role), what it puts in the
// functions' environment, and what a role needs to deliver: send mail with the transport,
// and read the secrets of the channels (webhook, Slack, Discord), which both functions
// send to. One template serves both transports when the transport is a parameter's value:
// which one applies is then decided at deploy time, so switching is a parameter change.
import { Stack, Token } from "aws-cdk-lib"
import * as iam from "aws-cdk-lib/aws-iam"
import type { Construct } from "constructs"
import {
  all,
  type Decision,
  equals,
  isDeployTime,
  not,
  notEmpty,
  onlyIf,
  pick,
  pickString
} from "./decision.js"
import { secretArn } from "./permissions.js"
import type { MailProps } from "./props.js"
import { resourcesOf, type SecretGrant } from "./secrets.js"

// The application's default SMTP secret (SMTP_SECRET_ID unset).
export const DEFAULT_SMTP_SECRET_NAME = "smtp-ses-credentials"

export interface Transport {
  readonly usesSes: Decision
  readonly usesSmtp: Decision
  readonly hasSesConfigurationSet: Decision
}

export const transportOf = (scope: Construct, mail: MailProps): Transport => {
  const usesSes = equals(scope, "UsesSes", mail.transport ?? "smtp", "ses")
  // The complement of UsesSes rather than an Equals on "smtp", so that exactly one of the
  // two holds whatever the allowed values grow into.
  const usesSmtp = not(scope, "UsesSmtp", usesSes)
  const set = mail.ses?.configurationSet
  const hasSesConfigurationSet =
    set === undefined
      ? false
      : all(scope, "HasSesConfigurationSet", [
          usesSes,
          isDeployTime(set) ? notEmpty(set) : set !== ""
        ])
  return { usesSes, usesSmtp, hasSesConfigurationSet }
}

// With ses, SMTP_URL and SMTP_SECRET_ID are passed empty (or left out): the application
// refuses either set beside MAIL_TRANSPORT=ses, and an empty SMTP_SECRET_ID means "no
// SMTP secret". A setting left out is not set at all: the application's default applies.
export const transportEnvironment = (mail: MailProps, t: Transport): Record<string, string> => {
  const unlessSes = (value: string) => pickString(t.usesSes, "", value)
  const smtp = mail.smtp
  return {
    ...(mail.transport === undefined ? {} : { MAIL_TRANSPORT: mail.transport }),
    ...(mail.ses?.configurationSet === undefined
      ? {}
      : { SES_CONFIGURATION_SET: mail.ses.configurationSet }),
    ...(smtp?.url === undefined ? {} : { SMTP_URL: unlessSes(smtp.url) }),
    ...(smtp?.secretName === undefined ? {} : { SMTP_SECRET_ID: unlessSes(smtp.secretName) })
  }
}

const sesStatement = (stack: Stack, ses: NonNullable<MailProps["ses"]>, t: Transport) =>
  new iam.PolicyStatement({
    sid: "SendWithSes",
    // SendEmail is the action the SES v2 SendEmail call is authorized as, raw content
    // included; SendRawEmail beside it, the pair that SES's policy examples and
    // aws-cdk-lib's own EmailIdentity.grantSendEmail grant for sending as an identity.
    actions: ["ses:SendEmail", "ses:SendRawEmail"],
    resources: [
      stack.formatArn({ service: "ses", resource: "identity", resourceName: ses.identity }),
      // SES authorizes a send with a configuration set on that set as well.
      ...onlyIf(
        t.hasSesConfigurationSet,
        stack.formatArn({
          service: "ses",
          resource: "configuration-set",
          resourceName: ses.configurationSet ?? ""
        })
      ).map((r) => (typeof r === "string" ? r : Token.asString(r)))
    ]
  }).toStatementJson()

const smtpStatement = (stack: Stack, mail: MailProps) =>
  new iam.PolicyStatement({
    sid: "ReadSmtpSecret",
    actions: ["secretsmanager:GetSecretValue"],
    resources: [secretArn(stack, mail.smtp?.secretName ?? DEFAULT_SMTP_SECRET_NAME)]
  }).toStatementJson()

/** The channels' secrets a role reads, and whether any is named. */
export interface ChannelSecrets {
  readonly grants: ReadonlyArray<SecretGrant>
  readonly any: Decision
}

// What a role needs to deliver, the same for both functions: one policy that always exists
// and holds the statement the transport needs, and the channels' secrets when any is
// named. Always there, and created inside the role, so that the function (which depends on
// its role and everything in it) never starts before it may deliver; a policy with a
// condition could not be depended on (cfn-lint E3005).
export const grantDelivery = (
  role: iam.Role,
  mail: MailProps,
  t: Transport,
  channels: ChannelSecrets
) => {
  const stack = Stack.of(role)
  const ses = mail.ses
  const mailStatement =
    ses === undefined
      ? smtpStatement(stack, mail)
      : pick(t.usesSes, sesStatement(stack, ses, t), smtpStatement(stack, mail))
  const channelStatement = new iam.PolicyStatement({
    sid: "ReadChannelSecrets",
    actions: ["secretsmanager:GetSecretValue"],
    resources: resourcesOf(channels.grants)
  })
  return new iam.CfnPolicy(role, "MailPolicy", {
    policyName: "send-contact-form-mail",
    roles: [role.roleName],
    policyDocument: {
      Version: "2012-10-17",
      Statement: [mailStatement, ...onlyIf(channels.any, channelStatement.toStatementJson())]
    }
  })
}
