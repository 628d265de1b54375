// The deploy-time settings of the stack: the contract's variables (§6 to §12) as
// CloudFormation parameters, so that one synthesized template serves every site and
// `cdk deploy --parameters` configures it. infra/stack.ts turns them into the construct's
// props; the construct decides by conditions what depends on their values.
import { type Stack, Validations } from "aws-cdk-lib"
import { declareChannels, declareSpam } from "./channel-parameters.js"
import { declareForms } from "./forms.js"
import { declareMail } from "./mail.js"
import { group, required } from "./parameter-kinds.js"
import { pages, settings } from "./parameter-settings.js"
import { declareStore } from "./store.js"

/**
 * @param bundledFiles the JSON files at the root of the zip: what FormsFile may name.
 */
export const declareParameters = (stack: Stack, bundledFiles: ReadonlyArray<string>) => {
  // MailTransport and the settings of each transport, with their rules: infra/mail.ts.
  const mail = declareMail(stack)
  const mailFrom = required(
    stack,
    "MailFrom",
    "MAIL_FROM: sender, an SES-verified identity, e.g. Web contact form <noreply@example.com>",
    "^.*@.*$"
  )
  const page = pages(stack)
  const p = { mailFrom, ...page, ...settings(stack) }
  // Forms, FormsFile and CaptchaSecretNames, with the rules that tie the single-form
  // settings above to them: infra/forms.ts.
  const forms = declareForms(stack, page, bundledFiles)
  const store = declareStore(stack)
  const channels = declareChannels(stack, page)
  const spam = declareSpam(stack)

  // CDK's template check takes every parameter whose name says "Secret" for a password
  // (W2509: no NoEcho). None is: they name secrets; secret values never are parameters.
  Validations.of(stack).acknowledge({
    id: "CloudFormation-Validate::W2509",
    reason: "parameters name Secrets Manager secrets, they hold no secret value"
  })

  stack.templateOptions.metadata = {
    "AWS::CloudFormation::Interface": {
      ParameterGroups: [
        group("Mail", [
          p.mailFrom,
          p.mailTo,
          p.subjectPrefix,
          mail.mailTransport,
          mail.sesIdentity,
          mail.sesConfigurationSet,
          mail.smtpUrl
        ]),
        group("Pages and fallback", [
          p.successUrl,
          p.successUrlDe,
          p.successUrlFr,
          p.successUrlEs,
          p.successUrlIt,
          p.successUrlNl,
          p.successUrlPt,
          p.successUrlPl,
          p.fallbackEmail,
          p.fallbackPhone
        ]),
        group("Several forms", [forms.forms, forms.formsFile, forms.captchaSecretNames]),
        group("Channels", [
          channels.channels,
          channels.webhookUrl,
          channels.webhookSecretName,
          channels.slackSecretName,
          channels.discordSecretName,
          channels.channelSecretNames
        ]),
        group("Spam", [spam.spamPolicy, spam.spamThreshold, spam.akismetSecretName]),
        group("Captcha", [p.captchaProvider, p.captchaVerifyUrl]),
        group("Duplicates and replays", [store]),
        group("Secrets", [
          mail.smtpSecretName,
          p.captchaSecretName,
          p.secretsKmsKeyArn,
          p.secretsTtlSeconds
        ]),
        group("Requests", [
          p.allowedOrigins,
          p.maxBodyBytes,
          p.rateLimitPerMinute,
          p.trustProxyHops,
          p.throttleRateLimit,
          p.throttleBurstLimit
        ]),
        group("Operations", [p.logLevel, p.logRetentionDays, p.alarmEmail])
      ]
    }
  }

  return { ...p, mail, forms, store, channels, spam }
}

export type Parameters = ReturnType<typeof declareParameters>
