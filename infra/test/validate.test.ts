// The construct's props checked when the construct is built (synth time), as the
// application checks its variables at cold start: every problem at once, each named by its
// prop, never a deploy that fails later or a function that fails every cold start. Nothing
// is synthesized here: the construct throws before.
import { join } from "node:path"
import { App, Stack } from "aws-cdk-lib"
import { HttpApi } from "aws-cdk-lib/aws-apigatewayv2"
import type * as logs from "aws-cdk-lib/aws-logs"
import * as sns from "aws-cdk-lib/aws-sns"
import { describe, expect, it } from "vitest"
import { ContactForm, type ContactFormProps, type SpamPolicy } from "../index.js"
import { standInZip, workDir } from "./support.js"

const work = workDir("contact-form-validate-")
const codePath = standInZip(join(work, "lambda.zip"), { "forms.json": "{}" })

const valid: ContactFormProps = {
  codePath,
  mail: { from: "Contact <noreply@example.com>" },
  defaultForm: {
    to: "owner@example.com",
    successUrl: "https://www.example.com/thanks",
    fallbackEmail: "owner@example.com"
  }
}
const acme = {
  to: "acme@example.com",
  successUrl: "https://acme.example/thanks",
  fallbackEmail: "acme@example.com"
}

/** The problems the construct reports for `props`, one per line; none when it builds. */
const problemsOf = (props: ContactFormProps, scope?: (stack: Stack) => ContactFormProps) => {
  const stack = new Stack(new App(), "Check")
  try {
    new ContactForm(stack, "Form", scope === undefined ? props : scope(stack))
    return []
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const [head, ...lines] = message.split("\n")
    expect(head).toBe("ContactForm Check/Form: invalid props")
    return lines.map((line) => line.replace(/^- /, ""))
  }
}

describe("the construct's props", () => {
  it("builds with the least a deployment needs", () => {
    expect(problemsOf(valid)).toEqual([])
  })

  it("reports every problem at once, each named by its prop", () => {
    const { defaultForm: _, ...withoutDefaultForm } = valid
    const problems = problemsOf({
      ...withoutDefaultForm,
      codePath: "dist/lambda.zip",
      mail: { from: "nobody", transport: "ses" },
      spam: { threshold: 0 },
      logs: { retention: 42 as logs.RetentionDays }
    })
    expect(problems).toEqual([
      "codePath: must be the absolute path of a .zip (dist/lambda.zip)",
      "mail.from: must be an address",
      "mail.ses: is required with transport ses: the verified identity to send as",
      "defaultForm: is required unless forms or formsFile lists the forms",
      "spam.threshold: must be a whole number from 1 to 100",
      expect.stringMatching(/^logs\.retention: must be one of 1, 3, 5, 7, 14, 30, /)
    ])
  })

  it.each<[string, Partial<ContactFormProps>, string]>([
    [
      "a zip that is not there",
      { codePath: join(work, "missing.zip") },
      "codePath: names no file: run `npm run build` first"
    ],
    [
      "SMTP settings beside ses",
      {
        mail: {
          from: "a@b.c",
          transport: "ses",
          ses: { identity: "example.com" },
          smtp: { url: "smtps://relay.example.com" }
        }
      },
      "mail.smtp: applies to transport smtp only"
    ],
    [
      "SES settings beside smtp",
      { mail: { from: "a@b.c", ses: { identity: "example.com" } } },
      "mail.ses: applies to transport ses only"
    ],
    [
      "a wildcard identity",
      { mail: { from: "a@b.c", transport: "ses", ses: { identity: "*.example.com" } } },
      "mail.ses.identity: must be a domain or an address"
    ],
    [
      "an unknown channel",
      { channels: { kinds: ["mail", "sms" as "mail"] } },
      "channels.kinds: must list only mail, webhook, slack, discord"
    ],
    [
      "a channel twice",
      { channels: { kinds: ["mail", "mail"] } },
      "channels.kinds: lists mail twice"
    ],
    ["no channel", { channels: { kinds: [] } }, "channels.kinds: must name at least one channel"],
    [
      "slack without its secret",
      { channels: { kinds: ["mail", "slack"] } },
      "channels.kinds: the slack channel needs channels.slackSecretName"
    ],
    [
      "a plain http webhook",
      { channels: { webhookUrl: "http://crm.example.com/hook" } },
      "channels.webhookUrl: must be an https URL"
    ],
    [
      "a wildcard in a channel secret",
      { channels: { discordSecretName: "disc-*" } },
      "channels.discordSecretName: must be a secret's name (letters, digits and /_+=.@-, no wildcard)"
    ],
    [
      "a list where a name goes",
      { formSecretNames: { channels: ["a,b"] } },
      "formSecretNames.channels[0]: must be a secret's name (letters, digits and /_+=.@-, no wildcard)"
    ],
    [
      "a spam policy of its own",
      { spam: { policy: "quarantine" as SpamPolicy } },
      "spam.policy: must be one of mark, drop, off"
    ],
    [
      "a fractional threshold",
      { spam: { threshold: 2.5 } },
      "spam.threshold: must be a whole number from 1 to 100"
    ],
    [
      "a threshold above 100",
      { spam: { threshold: 101 } },
      "spam.threshold: must be a whole number from 1 to 100"
    ],
    [
      "a wildcard Akismet secret",
      { spam: { akismetSecretName: "akismet?" } },
      "spam.akismetSecretName: must be a secret's name (letters, digits and /_+=.@-, no wildcard)"
    ],
    [
      "a rate limit above 10,000",
      { limits: { rateLimitPerMinute: 10_001 } },
      "limits.rateLimitPerMinute: must be a whole number from 0 to 10000"
    ],
    [
      "a key alias for a key",
      { secrets: { kmsKeyArn: "alias/contact" } },
      "secrets.kmsKeyArn: must be a KMS key's ARN"
    ],
    [
      "an AWS namespace",
      { metricsNamespace: "AWS/Lambda" },
      "metricsNamespace: must be a CloudWatch namespace of your own"
    ],
    [
      "an origin with a path",
      { allowedOrigins: ["https://www.example.com/contact"] },
      "allowedOrigins[0]: must be an origin, e.g. https://www.example.com"
    ],
    [
      "a file not in the zip",
      { formsFile: "other.json" },
      "formsFile: must name a JSON file at the zip's root (`npm run build -- --forms <file>`)"
    ],
    [
      "forms twice",
      { forms: { acme }, formsFile: "forms.json" },
      "formsFile: excludes forms: give one list of forms"
    ],
    [
      "a form id with capitals",
      { forms: { Acme: acme } },
      "forms.Acme: a form id is 1 to 40 of a-z, 0-9 and -"
    ],
    [
      "a form without its recipient",
      { forms: { acme: { ...acme, to: undefined as unknown as string } } },
      "forms.acme.to: is required"
    ],
    [
      "a form's webhook without its URL",
      { forms: { acme: { ...acme, channels: ["mail", "webhook"], webhookSecretId: "hook" } } },
      "forms.acme.channels: the webhook channel needs webhookUrl (or channels.webhookUrl)"
    ],
    [
      "a form's threshold of 0",
      { forms: { acme: { ...acme, spamThreshold: 0 } } },
      "forms.acme.spamThreshold: must be a whole number from 1 to 100"
    ],
    [
      "a form's wildcard captcha secret",
      { forms: { acme: { ...acme, captchaSecretId: "frc-*" } } },
      "forms.acme.captchaSecretId: must be a secret's name"
    ],
    ["FORMS that is not JSON", { forms: "acme: {}" }, "forms: must be JSON"],
    [
      "a JSON form's spam policy of its own",
      { forms: JSON.stringify({ acme: { ...acme, spamPolicy: "quarantine" } }) },
      "forms.acme.spamPolicy: must be one of mark, drop, off"
    ]
  ])("refuses %s", (_, patch, problem) => {
    expect(problemsOf({ ...valid, ...patch })).toEqual([problem])
  })

  it("lets a form inherit a channel's settings from the deployment's", () => {
    const channels = { webhookUrl: "https://crm.example.com/hook", webhookSecretName: "hook" }
    const forms = { acme: { ...acme, channels: ["mail", "webhook"] as const } }
    expect(
      problemsOf({
        ...valid,
        forms: { acme: { ...forms.acme, channels: [...forms.acme.channels] } },
        channels
      })
    ).toEqual([])
  })

  it("refuses throttling on the user's API, and an email beside the user's topic: those are theirs", () => {
    expect(
      problemsOf(valid, (stack) => ({
        ...valid,
        api: { httpApi: new HttpApi(stack, "Api"), throttle: { rateLimit: 5, burstLimit: 10 } },
        alarms: { email: "ops@example.com", topic: new sns.Topic(stack, "Topic") }
      }))
    ).toEqual([
      "alarms.email: subscribe it to your own topic (alarms.topic) yourself",
      "api.throttle: applies to the construct's own API only: throttle your stage yourself"
    ])
  })
})
