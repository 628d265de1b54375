// The one-command deployment: the ContactForm construct (infra/construct.ts) in a stack of
// its own, every setting a CloudFormation parameter (infra/parameters.ts), so the template
// is environment-agnostic and `cdk deploy --parameters` configures it. A thin wrapper:
// parameters in, the construct's props out, and the outputs the owner.s runbook (docs/operations.md) uses.
//
// The construct's id is "Default", which CDK leaves out of logical ids: every resource
// keeps the id it had when the stack built them itself, so that an existing stack updates
// in place (infra/test/upgrade.test.ts).
import AdmZip from "adm-zip"
import { Aws, CfnOutput, Fn, Stack, type StackProps, Token, Validations } from "aws-cdk-lib"
import type { Construct } from "constructs"
import type { CaptchaProvider } from "../src/domain/captcha-providers.js"
import type { ChannelKind } from "../src/domain/channels.js"
import { ContactForm } from "./construct.js"
import { deployTime, deployTimeList } from "./parameter-kinds.js"
import { declareParameters, type Parameters } from "./parameters.js"
import type { ContactFormProps } from "./props.js"
import type { SpamPolicy } from "./spam.js"

export interface ContactFormStackProps extends StackProps {
  /** Absolute path of the Lambda zip (`dist/lambda.zip`); deployed as is, never rebundled. */
  readonly codePath: string
}

// A parameter that holds a whole number or "" (String, so that empty means unset).
const number = (value: string) => Token.asNumber(value)

/** The construct's props, each from its parameter. */
const propsOf = (p: Parameters, codePath: string): ContactFormProps => ({
  codePath,
  mail: {
    from: p.mailFrom.valueAsString,
    subjectPrefix: p.subjectPrefix.valueAsString,
    transport: deployTime<"smtp" | "ses">(p.mail.mailTransport),
    smtp: { url: p.mail.smtpUrl.valueAsString, secretName: p.mail.smtpSecretName.valueAsString },
    ses: {
      identity: p.mail.sesIdentity.valueAsString,
      configurationSet: p.mail.sesConfigurationSet.valueAsString
    }
  },
  defaultForm: {
    to: p.mailTo.valueAsString,
    successUrl: p.successUrl.valueAsString,
    successUrls: {
      de: p.successUrlDe.valueAsString,
      fr: p.successUrlFr.valueAsString,
      es: p.successUrlEs.valueAsString,
      it: p.successUrlIt.valueAsString,
      nl: p.successUrlNl.valueAsString,
      pt: p.successUrlPt.valueAsString,
      pl: p.successUrlPl.valueAsString
    },
    fallbackEmail: p.fallbackEmail.valueAsString,
    fallbackPhone: p.fallbackPhone.valueAsString
  },
  forms: p.forms.forms.valueAsString,
  // Without a JSON file in the zip FormsFile can only be empty: FORMS_FILE is left out.
  ...(p.forms.hasFormsFile ? { formsFile: p.forms.formsFile.valueAsString } : {}),
  formSecretNames: {
    captcha: [p.forms.captchaSecretNames.valueAsString],
    channels: [p.channels.channelSecretNames.valueAsString]
  },
  allowedOrigins: [p.allowedOrigins.valueAsString],
  captcha: {
    provider: deployTime<CaptchaProvider>(p.captchaProvider),
    secretName: p.captchaSecretName.valueAsString,
    verifyUrl: p.captchaVerifyUrl.valueAsString
  },
  channels: {
    kinds: deployTimeList<ChannelKind>(p.channels.channels),
    webhookUrl: p.channels.webhookUrl.valueAsString,
    webhookSecretName: p.channels.webhookSecretName.valueAsString,
    slackSecretName: p.channels.slackSecretName.valueAsString,
    discordSecretName: p.channels.discordSecretName.valueAsString
  },
  spam: {
    policy: deployTime<SpamPolicy>(p.spam.spamPolicy),
    threshold: number(p.spam.spamThreshold.valueAsString),
    akismetSecretName: p.spam.akismetSecretName.valueAsString
  },
  store: Fn.conditionEquals(p.store.valueAsString, "on"),
  secrets: {
    kmsKeyArn: p.secretsKmsKeyArn.valueAsString,
    ttlSeconds: number(p.secretsTtlSeconds.valueAsString)
  },
  limits: {
    maxBodyBytes: number(p.maxBodyBytes.valueAsString),
    rateLimitPerMinute: number(p.rateLimitPerMinute.valueAsString),
    trustProxyHops: number(p.trustProxyHops.valueAsString)
  },
  api: {
    throttle: {
      rateLimit: p.throttleRateLimit.valueAsNumber,
      burstLimit: p.throttleBurstLimit.valueAsNumber
    }
  },
  logs: {
    level: deployTime<"debug" | "info" | "warn" | "error">(p.logLevel),
    retention: p.logRetentionDays.valueAsNumber,
    // Named after the stack, so that `aws logs tail` can be written down before deploying.
    groupName: `/aws/lambda/${Aws.STACK_NAME}`
  },
  alarms: { email: p.alarmEmail.valueAsString },
  // One namespace per stack, so that two sites in one account do not add up.
  metricsNamespace: `ContactForm/${Aws.STACK_NAME}`,
  // Stacks deployed before the FIFO queues still hold the standard pair (docs/operations.md, "Upgrade from standard queues").
  legacyQueues: true
})

export class ContactFormStack extends Stack {
  readonly contactForm: ContactForm

  constructor(scope: Construct, id: string, props: ContactFormStackProps) {
    super(scope, id, props)
    const p = declareParameters(this, jsonFilesAtRoot(props.codePath))
    const form = new ContactForm(this, "Default", propsOf(p, props.codePath))
    this.contactForm = form
    // CDK's own template check gives up on the many conditions of the per-slot grants
    // (budget exhausted, a warning): cfn-lint checks the whole template in the tests.
    Validations.of(this).acknowledge({
      id: "CloudFormation-Validate::W9052",
      reason:
        "the per-slot secret grants' conditions exceed the built-in validator's budget; cfn-lint checks the whole template in infra/test"
    })

    const output = (id: string, value: string, description?: string) =>
      new CfnOutput(this, id, { value, ...(description === undefined ? {} : { description }) })
    output("ContactUrl", form.contactUrl, "POST the form here")
    output(
      "FormSnippet",
      form.formSnippet,
      "The HTML form's opening tag and the captcha widget (replace YOUR_SITEKEY; with altcha, serve the widget's altcha.js from the site)"
    )
    // `<id>` is a placeholder: CloudFormation cannot list the ids, which live in the Forms
    // JSON (or the FormsFile), not in the template.
    output("FormUrl", form.formUrl("<id>"), "POST the form <id> of Forms here (replace <id>)")
    output("FunctionName", form.handler.functionName)
    output("LogGroupName", form.logGroup.logGroupName)
    // What the owner's runbook (docs/operations.md) needs: the queues to look into and redrive, and
    // where the redelivery function logs.
    output("QueueUrl", form.queue.queueUrl)
    output("QueueArn", form.queue.queueArn)
    output("DeadLetterQueueUrl", form.deadLetterQueue.queueUrl)
    output("DeadLetterQueueArn", form.deadLetterQueue.queueArn)
    // The standard pair of earlier versions, to drain and then remove (docs/operations.md, "Upgrade from standard queues").
    const { legacyQueue, legacyDeadLetterQueue } = form
    if (legacyQueue !== undefined && legacyDeadLetterQueue !== undefined) {
      output("LegacyQueueUrl", legacyQueue.queueUrl)
      output("LegacyDeadLetterQueueUrl", legacyDeadLetterQueue.queueUrl)
      output("LegacyDeadLetterQueueArn", legacyDeadLetterQueue.queueArn)
    }
    output("RedeliveryFunctionName", form.redelivery.functionName)
    output("RedeliveryLogGroupName", form.redeliveryLogGroup.logGroupName)
    if (form.accessLogGroup !== undefined) {
      output("ApiAccessLogGroupName", form.accessLogGroup.logGroupName)
    }
  }
}

// The files `npm run build -- --forms` put beside index.mjs, read from the zip itself so
// that FormsFile can only name one the deployed code carries.
const jsonFilesAtRoot = (zipPath: string): string[] =>
  new AdmZip(zipPath)
    .getEntries()
    .map((entry) => entry.entryName)
    .filter((name) => !name.includes("/") && name.endsWith(".json"))
    .sort()
