// The stack's channels (contract §11) and spam (§12) parameters, as CloudFormation deploys
// them: what each accepts, what reaches both functions' environment, the secrets each role
// may read (exactly those named), the Rules that refuse a channel without its settings; and
// cdk-nag's AwsSolutions pack on the stack, every suppression with its reason. One synthesis.
import { join } from "node:path"
import { App } from "aws-cdk-lib"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { readConfig } from "../../src/config/read-config"
import { channelKinds } from "../../src/domain/channels"
import { ContactFormStack } from "../stack.js"
import { deployWith, iamGlobMatches, resolveIntrinsic, type Values } from "./intrinsics.js"
import {
  acknowledgments,
  asList,
  nagFindings,
  onlyId,
  roleOf,
  standInZip,
  statementsOf,
  workDir
} from "./support.js"

const work = workDir("contact-form-channels-")
const codePath = standInZip(join(work, "lambda.zip"))
const app = new App({ outdir: join(work, "cdk.out") })
const stack = new ContactFormStack(app, "ContactFormTest", { codePath })
const template = app.synth().getStackArtifact(stack.artifactId).template
type Resources = Parameters<typeof statementsOf>[0]
const resources: Resources = template.Resources
const parameters: Record<
  string,
  { Type: string; Default?: unknown; AllowedValues?: string[]; AllowedPattern?: string }
> = template.Parameters

const handlerId = onlyId(resources, "AWS::Lambda::Function", (p) => p.Handler === "index.handler")
const redeliveryId = onlyId(
  resources,
  "AWS::Lambda::Function",
  (p) => p.Handler === "index.redeliver"
)
const webRole = roleOf(resources, handlerId)
const redeliveryRole = roleOf(resources, redeliveryId)

const sample: Values = {
  ...Object.fromEntries(
    Object.entries(parameters).flatMap(([name, p]) =>
      p.Default === undefined ? [] : [[name, String(p.Default)]]
    )
  ),
  MailFrom: "Web contact form <noreply@example.com>",
  MailTo: "owner@example.com",
  SuccessUrl: "https://www.example.com/thanks",
  FallbackEmail: "owner@example.com",
  "AWS::Partition": "aws",
  "AWS::Region": "eu-west-1",
  "AWS::AccountId": "123456789012"
}
const ses: Values = { ...sample, MailTransport: "ses", SesIdentity: "example.com" }
const kmsKey = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
const secret = (name: string, account = "123456789012") =>
  `arn:aws:secretsmanager:eu-west-1:${account}:secret:${name}-AbC123`

const deployed = (values: Values) => deployWith(template, values)

/** The secrets a role may read once deployed with `values`, matched as IAM matches ARNs. */
const readable = (values: Values, roleId: string) => {
  const deployment = deployed(values).template.Resources as Resources
  const patterns = statementsOf(deployment, roleId)
    .filter((s) => asList(s.Action).some((a) => a.startsWith("secretsmanager:")))
    .flatMap((s) => asList(s.Resource))
    .map((r) => resolveIntrinsic(r, values))
  return {
    count: patterns.length,
    can: (name: string, account?: string) =>
      patterns.some((p) => iamGlobMatches(p, secret(name, account)))
  }
}

/** A function's environment variable as deployed with `values`. */
const variable = (values: Values, fnId: string, name: string) => {
  const fn = deployed(values).template.Resources[fnId] as {
    Properties: { Environment: { Variables: Record<string, unknown> } }
  }
  return resolveIntrinsic(fn.Properties.Environment.Variables[name], values)
}

const pattern = (name: string) => new RegExp(parameters[name]?.AllowedPattern ?? "(?!)")

describe("the channels' and spam's parameters", () => {
  it("declares Channels as a list of the channels table's kinds, mail alone by default", () => {
    expect(parameters.Channels).toMatchObject({
      Type: "CommaDelimitedList",
      Default: "mail",
      AllowedValues: [...channelKinds]
    })
  })

  it("takes an https URL for WebhookUrl, or nothing", () => {
    const url = pattern("WebhookUrl")
    for (const good of ["", "https://crm.example.com/hooks/contact"])
      expect(url.test(good)).toBe(true)
    for (const bad of ["http://crm.example.com/hook", "javascript:alert(1)", "crm.example.com"]) {
      expect(url.test(bad), bad).toBe(false)
    }
  })

  it("takes secret names without a wildcard for every channel secret, and Akismet's", () => {
    for (const name of [
      "WebhookSecretName",
      "SlackSecretName",
      "DiscordSecretName",
      "AkismetSecretName"
    ]) {
      expect(parameters[name]).toMatchObject({ Type: "String", Default: "" })
      for (const good of ["", "acme-slack", "a/b_c+d=e.f@g-h"])
        expect(pattern(name).test(good)).toBe(true)
      for (const bad of ["*", "acme-*", "ac?me", "acme slack", "a,b"]) {
        expect(pattern(name).test(bad), `${name}=${bad}`).toBe(false)
      }
    }
    const names = pattern("ChannelSecretNames")
    const ten = Array.from({ length: 10 }, (_, i) => `hook-${i + 1}`)
    for (const good of ["", "acme-slack", ten.join(",")]) expect(names.test(good)).toBe(true)
    for (const bad of [[...ten, "hook-11"].join(","), "a,,b", "a, b", "hook-*", "a,"]) {
      expect(names.test(bad), bad).toBe(false)
    }
  })

  it("declares SpamPolicy (mark by default, drop, off) and SpamThreshold, 1 to 100, 5 by default", () => {
    expect(parameters.SpamPolicy).toMatchObject({
      Default: "mark",
      AllowedValues: ["mark", "drop", "off"]
    })
    expect(parameters.SpamThreshold?.Default).toBe("5")
    const threshold = pattern("SpamThreshold")
    for (const good of ["1", "5", "10", "99", "100", "007"])
      expect(threshold.test(good), good).toBe(true)
    for (const bad of ["", "0", "101", "1000", "2.5", "-1", "ten", " 5"]) {
      expect(threshold.test(bad), bad).toBe(false)
    }
  })

  it("shows them in groups of their own in the console's parameter form", () => {
    const groups: { Label: { default: string }; Parameters: string[] }[] =
      template.Metadata["AWS::CloudFormation::Interface"].ParameterGroups
    const of = (label: string) => groups.find((g) => g.Label.default === label)?.Parameters
    expect(of("Channels")).toEqual([
      "Channels",
      "WebhookUrl",
      "WebhookSecretName",
      "SlackSecretName",
      "DiscordSecretName",
      "ChannelSecretNames"
    ])
    expect(of("Spam")).toEqual(["SpamPolicy", "SpamThreshold", "AkismetSecretName"])
  })
})

describe("what reaches the functions", () => {
  const set: Values = {
    ...sample,
    Channels: "mail,webhook,slack",
    WebhookUrl: "https://crm.example.com/hook",
    WebhookSecretName: "hook",
    SlackSecretName: "slack",
    SpamPolicy: "drop",
    SpamThreshold: "8",
    AkismetSecretName: "akismet"
  }
  it.each([handlerId, redeliveryId])(
    "%s gets the channels and spam settings as written",
    (fnId) => {
      expect(variable(sample, fnId, "CHANNELS")).toBe("mail")
      expect(variable(set, fnId, "CHANNELS")).toBe("mail,webhook,slack")
      expect(variable(set, fnId, "WEBHOOK_URL")).toBe("https://crm.example.com/hook")
      expect(variable(set, fnId, "WEBHOOK_SECRET_ID")).toBe("hook")
      expect(variable(set, fnId, "SLACK_SECRET_ID")).toBe("slack")
      expect(variable(set, fnId, "DISCORD_SECRET_ID")).toBe("")
      expect(variable(set, fnId, "SPAM_POLICY")).toBe("drop")
      expect(variable(set, fnId, "SPAM_THRESHOLD")).toBe("8")
      expect(variable(set, fnId, "AKISMET_SECRET_ID")).toBe("akismet")
      expect(variable(set, fnId, "CHANNEL_TIMEOUT_MS")).toBe("3000")
    }
  )
})

describe("the secrets each role may read", () => {
  const channels: Values = {
    ...sample,
    WebhookSecretName: "hook",
    SlackSecretName: "slack",
    DiscordSecretName: "disc"
  }

  it("grants no channel secret, and no Akismet secret, when none is named", () => {
    // The web function: the captcha secret and the SMTP secret; redelivery: the SMTP secret.
    expect(readable(sample, webRole).count).toBe(2)
    expect(readable(sample, redeliveryRole).count).toBe(1)
    expect(readable(ses, redeliveryRole).count).toBe(0)
  })

  it.each([
    ["the web function", webRole, 2],
    ["the redelivery function", redeliveryRole, 1]
  ] as const)("lets %s read exactly the channel secrets named", (_, role, before) => {
    const { count, can } = readable(channels, role)
    expect(count).toBe(before + 3)
    for (const name of ["hook", "slack", "disc"]) expect(can(name), name).toBe(true)
    for (const other of ["hook-old", "slac", "disc2"]) expect(can(other), other).toBe(false)
    expect(can("hook", "210987654321")).toBe(false)
    // One named alone: only that one.
    const one = readable({ ...sample, SlackSecretName: "slack" }, role)
    expect(one.count).toBe(before + 1)
    expect(one.can("slack")).toBe(true)
  })

  it.each([
    ["the web function", webRole],
    ["the redelivery function", redeliveryRole]
  ] as const)("lets %s read every channel secret ChannelSecretNames lists", (_, role) => {
    const ten = Array.from({ length: 10 }, (_, i) => `form-hook-${i + 1}`)
    const { can } = readable({ ...sample, ChannelSecretNames: ten.join(",") }, role)
    for (const name of ten) expect(can(name), name).toBe(true)
    expect(can("form-hook-11")).toBe(false)
  })

  it("lets only the web function read Akismet's secret: it judges, redelivery does not", () => {
    const values = { ...sample, AkismetSecretName: "akismet" }
    expect(readable(values, webRole).can("akismet")).toBe(true)
    expect(readable(values, webRole).count).toBe(3)
    expect(readable(values, redeliveryRole).can("akismet")).toBe(false)
  })

  it("lets redelivery under ses read the channel secrets alone, and decrypt them with the key", () => {
    const values = { ...ses, ...channels, MailTransport: "ses", SecretsKmsKeyArn: kmsKey }
    expect(readable(values, redeliveryRole).count).toBe(3)
    const decrypting = (v: Values) =>
      Object.values(deployed(v).template.Resources as Resources)
        .filter((r) => r.Type === "AWS::IAM::Policy" && JSON.stringify(r).includes("kms:Decrypt"))
        .flatMap((r) => asList(r.Properties?.Roles))
    expect(decrypting(values)).toContainEqual({ Ref: redeliveryRole })
    expect(decrypting({ ...ses, SecretsKmsKeyArn: kmsKey })).not.toContainEqual({
      Ref: redeliveryRole
    })
  })
})

describe("what the application makes of the environment the stack writes", () => {
  const queueId = onlyId(
    resources,
    "AWS::SQS::Queue",
    (p) => p.FifoQueue === true && p.RedrivePolicy !== undefined
  )
  const configWith = (values: Values) => {
    const deployment: Values = {
      ...values,
      "AWS::StackName": "ContactFormTest",
      "AWS::StackId":
        "arn:aws:cloudformation:eu-west-1:123456789012:stack/ContactFormTest/51af3dc0-da77-11e4-872e-1234567db123",
      [queueId]: "https://sqs.eu-west-1.amazonaws.com/123456789012/ContactFormTest-FifoQueue.fifo"
    }
    const fn = deployed(deployment).template.Resources[handlerId] as {
      Properties: { Environment: { Variables: Record<string, unknown> } }
    }
    const env = Object.fromEntries(
      Object.entries(fn.Properties.Environment.Variables).map(([name, value]) => [
        name,
        resolveIntrinsic(value, deployment)
      ])
    )
    const result = Effect.runSync(
      Effect.result(readConfig({ ...env, AWS_REGION: "eu-west-1" }, { runtime: "lambda" }))
    )
    expect(Result.isFailure(result) ? result.failure.problems : []).toEqual([])
    return Result.getOrThrow(result)
  }

  it("is accepted with the defaults, and reads the secrets the roles may read", () => {
    const config = configWith(sample)
    const form = config.forms.get("default")
    expect(form?.channels).toEqual([{ kind: "mail" }])
    expect(readable(sample, webRole).can(form?.captchaSecretId ?? "")).toBe(true)
    expect(form?.spam).toEqual({ policy: "mark", threshold: 5 })
  })

  it("is accepted with channels and spam settings, each channel reading its granted secret", () => {
    const values = {
      ...sample,
      Channels: "mail,slack,webhook",
      SlackSecretName: "slack",
      WebhookUrl: "https://crm.example.com/hook",
      WebhookSecretName: "hook",
      SpamPolicy: "drop",
      SpamThreshold: "8"
    }
    const form = configWith(values).forms.get("default")
    expect(form?.channels).toEqual([
      { kind: "mail" },
      { kind: "slack", secretId: "slack" },
      { kind: "webhook", url: "https://crm.example.com/hook", secretId: "hook" }
    ])
    expect(form?.spam).toEqual({ policy: "drop", threshold: 8 })
    for (const role of [webRole, redeliveryRole]) {
      for (const name of ["slack", "hook"]) expect(readable(values, role).can(name)).toBe(true)
    }
  })
})

describe("the Rules on the channels of the form at /contact", () => {
  const refused = (values: Values) => deployed(values).refused

  it("refuses a channel without its settings, and takes it with them", () => {
    expect(refused({ ...sample, Channels: "mail,slack" })).toEqual([
      "Channels lists slack: give SlackSecretName"
    ])
    expect(refused({ ...sample, Channels: "mail,slack", SlackSecretName: "slack" })).toEqual([])
    expect(refused({ ...sample, Channels: "discord" })).toEqual([
      "Channels lists discord: give DiscordSecretName"
    ])
    const webhook = { ...sample, Channels: "mail,webhook", WebhookSecretName: "hook" }
    expect(refused(webhook)).toEqual([
      "Channels lists webhook: give WebhookUrl and WebhookSecretName"
    ])
    expect(refused({ ...webhook, WebhookUrl: "https://crm.example.com/hook" })).toEqual([])
  })

  it("leaves the forms of Forms to the application: without a form at /contact, no rule", () => {
    const forms = {
      ...sample,
      Forms:
        '{"acme":{"to":"a@acme.example","successUrl":"https://acme.example","fallbackEmail":"a@acme.example"}}',
      MailTo: "",
      SuccessUrl: "",
      FallbackEmail: ""
    }
    expect(refused({ ...forms, Channels: "mail,slack" })).toEqual([])
  })
})

describe("cdk-nag's AwsSolutions pack on the stack", () => {
  it("finds nothing that is not acknowledged, warnings included", () => {
    expect(nagFindings(app)).toEqual([])
  })

  it("acknowledges only what a contact form needs, each with its reason in the code", () => {
    const acks = acknowledgments(app)
    for (const ack of acks) expect(ack.reason.length, ack.id).toBeGreaterThan(40)
    expect([...new Set(acks.map((a) => a.id))].sort()).toEqual([
      "AwsSolutions-APIG4",
      "AwsSolutions-DDB3",
      "AwsSolutions-SNS2",
      "CloudFormation-Validate::W2509",
      "CloudFormation-Validate::W9052"
    ])
    // The routes are public by design, one acknowledgment each, and nothing else is.
    const routes = acks.filter((a) => a.id === "AwsSolutions-APIG4")
    expect(routes).toHaveLength(12)
    for (const route of routes)
      expect(route.path).toMatch(/\/Default\/Api\/(POST|GET|OPTIONS|ANY)--/)
    expect(routes[0]?.reason).toMatch(/public by design.*captcha.*rate limit.*throttling/)
  })
})
