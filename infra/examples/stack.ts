// A stack of a site's own with the contact-form backend in it: the ContactForm construct
// (imported from infra/index.ts, the construct's stable entry) serving two forms of two
// sites from one deployment (contract §10), each delivering to mail and one channel
// (contract §11): acme's submissions go to its inbox and its Slack, globex's to its inbox
// and its CRM's webhook. Mail goes out through the SES API as the verified domain; the
// secrets (the captcha keys, Slack's webhook URL, the webhook's signing secret) are
// created in Secrets Manager beforehand, by name.
import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib"
import type { Construct } from "constructs"
import { ContactForm } from "../index.js"

export interface ExampleStackProps extends StackProps {
  /** Absolute path of the zip `npm run build` writes (dist/lambda.zip). */
  readonly codePath: string
}

export class ExampleStack extends Stack {
  readonly contactForm: ContactForm

  constructor(scope: Construct, id: string, props: ExampleStackProps) {
    super(scope, id, props)
    this.contactForm = new ContactForm(this, "ContactForm", {
      codePath: props.codePath,
      mail: {
        from: "Web forms <forms@agency.example>",
        transport: "ses",
        ses: { identity: "agency.example" }
      },
      forms: {
        acme: {
          to: "Owner <owner@acme.example>",
          successUrl: "https://acme.example/thanks",
          successUrls: { de: "https://acme.example/de/danke" },
          origins: ["https://acme.example"],
          fallbackEmail: "info@acme.example",
          subjectPrefix: "[ACME] ",
          channels: ["mail", "slack"],
          slackSecretId: "acme-slack"
        },
        globex: {
          to: "sales@globex.example",
          successUrl: "https://globex.example/thanks",
          origins: ["https://globex.example"],
          fallbackEmail: "info@globex.example",
          channels: ["mail", "webhook"],
          webhookUrl: "https://crm.globex.example/hooks/contact",
          webhookSecretId: "globex-webhook",
          // Globex's sales team would rather never see what the judgement calls spam.
          spamPolicy: "drop"
        }
      },
      captcha: { provider: "turnstile", secretName: "turnstile-keys" },
      // Duplicates caught whichever Lambda environment a repeat reaches (contract §9).
      store: true,
      alarms: { email: "ops@agency.example" }
    })
    for (const form of ["acme", "globex"]) {
      new CfnOutput(this, `${form}FormUrl`, { value: this.contactForm.formUrl(form) })
    }
  }
}
