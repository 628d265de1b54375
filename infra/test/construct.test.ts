// The ContactForm construct with typed props, as a CDK user adds it to a stack of their
// own: what it decides in the code leaves no condition in the template; the secrets it
// grants come from the props and the forms it can read; it adds its routes to the user's
// API when given one; two of them share a stack. One app, synthesized once, a stack per case.
import { join } from "node:path"
import { isDeepStrictEqual } from "node:util"
import { App, Stack } from "aws-cdk-lib"
import { HttpApi } from "aws-cdk-lib/aws-apigatewayv2"
import * as sns from "aws-cdk-lib/aws-sns"
import { describe, expect, it } from "vitest"
import { ContactForm, type ContactFormProps } from "../index.js"
import { APP_TIMEOUTS_MS } from "../timeouts.js"
import { iamGlobMatches, resolveIntrinsic } from "./intrinsics.js"
import {
  asList,
  onlyId,
  roleOf,
  standInZip,
  statementsOf,
  variablesOf,
  workDir
} from "./support.js"

const work = workDir("contact-form-construct-")
const codePath = standInZip(join(work, "lambda.zip"))
const withFile = standInZip(join(work, "with-forms.zip"), {
  "forms.json": JSON.stringify({
    shop: {
      to: "shop@example.com",
      successUrl: "https://shop.example.com/thanks",
      fallbackEmail: "shop@example.com",
      channels: ["mail", "discord"],
      discordSecretId: "shop-discord"
    }
  })
})
const app = new App({ outdir: join(work, "cdk.out") })
const base: ContactFormProps = {
  codePath,
  mail: { from: "Contact <noreply@example.com>" },
  defaultForm: {
    to: "owner@example.com",
    successUrl: "https://www.example.com/thanks",
    fallbackEmail: "owner@example.com"
  }
}
const stackWith = (id: string, build: (stack: Stack) => void) => {
  const stack = new Stack(app, id)
  build(stack)
  return stack
}

const minimal = stackWith("Minimal", (s) => new ContactForm(s, "Form", base))
const full = stackWith(
  "Full",
  (s) =>
    new ContactForm(s, "Form", {
      ...base,
      mail: {
        from: "Contact <noreply@example.com>",
        subjectPrefix: "[Site] ",
        transport: "ses",
        ses: { identity: "example.com", configurationSet: "contact" }
      },
      forms: {
        acme: {
          to: "acme@example.com",
          successUrl: "https://acme.example/thanks",
          fallbackEmail: "acme@example.com",
          captchaProvider: "altcha",
          captchaSecretId: "acme-altcha",
          channels: ["mail", "webhook"],
          webhookUrl: "https://crm.acme.example/hook",
          webhookSecretId: "acme-hook",
          spamPolicy: "drop",
          spamThreshold: 7
        }
      },
      channels: { kinds: ["mail", "slack"], slackSecretName: "site-slack" },
      spam: { policy: "mark", threshold: 9, akismetSecretName: "akismet" },
      secrets: {
        kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      },
      limits: { rateLimitPerMinute: 0 },
      alarms: { email: "ops@example.com" }
    })
)
let usersApi: HttpApi | undefined
let secondApi: HttpApi | undefined
let usersTopic: sns.Topic | undefined
const integrated = stackWith("Integrated", (s) => {
  usersApi = new HttpApi(s, "SiteApi")
  secondApi = new HttpApi(s, "OtherApi")
  usersTopic = new sns.Topic(s, "OpsTopic")
  const form = new ContactForm(s, "Form", {
    ...base,
    api: { httpApi: usersApi },
    alarms: { topic: usersTopic }
  })
  form.addRoutesTo(secondApi)
})
const twoForms = stackWith("Two", (s) => {
  new ContactForm(s, "Shop", base)
  new ContactForm(s, "Blog", base)
})
const fromFile = stackWith(
  "FromFile",
  (s) => new ContactForm(s, "Form", { ...base, codePath: withFile, formsFile: "forms.json" })
)

const assembly = app.synth()
type Template = {
  Resources: Parameters<typeof statementsOf>[0]
  Conditions?: object
  Parameters?: object
}
const templateOf = (stack: Stack): Template => assembly.getStackArtifact(stack.artifactId).template
const values = {
  "AWS::Partition": "aws",
  "AWS::Region": "eu-west-1",
  "AWS::AccountId": "123456789012",
  "AWS::StackName": "Minimal"
}
const functions = (t: Template) => ({
  web: onlyId(t.Resources, "AWS::Lambda::Function", (p) => p.Handler === "index.handler"),
  redelivery: onlyId(t.Resources, "AWS::Lambda::Function", (p) => p.Handler === "index.redeliver")
})
const environmentOf = (t: Template, fnId: string) => variablesOf(t.Resources, fnId)
/** The secret names a function's role may read (with IAM's matching, on `<name>-AbC123`). */
const secretsOf = (t: Template, fnId: string) => {
  const patterns = statementsOf(t.Resources, roleOf(t.Resources, fnId))
    .filter((s) => asList(s.Action).includes("secretsmanager:GetSecretValue"))
    .flatMap((s) => asList(s.Resource))
    .map((r) => resolveIntrinsic(r, values))
  const arn = (name: string) =>
    `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbC123`
  return {
    count: patterns.length,
    can: (name: string) => patterns.some((p) => iamGlobMatches(p, arn(name)))
  }
}
const ofType = (t: Template, type: string) =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type)

describe("the construct with settings known in the code", () => {
  const t = templateOf(minimal)
  const { web, redelivery } = functions(t)

  it("decides everything in the code: no condition, no parameter of its own, no Fn::If", () => {
    expect(t.Conditions).toBeUndefined()
    expect(Object.keys(t.Parameters ?? {})).toEqual(["BootstrapVersion"])
    expect(JSON.stringify(t.Resources)).not.toContain("Fn::If")
  })

  it("sets only the variables its props give, and the deployment's own", () => {
    const env = environmentOf(t, web)
    expect(Object.keys(env).sort()).toEqual(
      [
        "MAIL_FROM",
        "MAIL_TO",
        "SUCCESS_URL",
        "FALLBACK_EMAIL",
        "QUEUE_URL",
        "METRICS_NAMESPACE",
        "SUBMISSION_ID_KEY",
        "STORE_CLAIM_SECONDS",
        ...Object.keys(APP_TIMEOUTS_MS)
      ].sort()
    )
    expect(environmentOf(t, redelivery)).toEqual(env)
    expect(resolveIntrinsic(env.METRICS_NAMESPACE, values)).toBe("ContactForm/Minimal/Form")
  })

  it("grants the application's default secrets: the captcha's to the web function, SMTP's to both", () => {
    const webSecrets = secretsOf(t, web)
    expect(webSecrets.count).toBe(2)
    expect(webSecrets.can("friendlycaptcha-data")).toBe(true)
    expect(webSecrets.can("smtp-ses-credentials")).toBe(true)
    const redeliverySecrets = secretsOf(t, redelivery)
    expect(redeliverySecrets.count).toBe(1)
    expect(redeliverySecrets.can("smtp-ses-credentials")).toBe(true)
  })

  it("makes no table, no KMS grant and no legacy queue it was not asked for", () => {
    expect(ofType(t, "AWS::DynamoDB::Table")).toEqual([])
    expect(JSON.stringify(t.Resources)).not.toContain("kms:")
    expect(ofType(t, "AWS::SQS::Queue")).toHaveLength(2)
  })

  it("has an alarm topic of its own, TLS only, that every alarm notifies", () => {
    const [[topicId] = []] = ofType(t, "AWS::SNS::Topic")
    const alarms = ofType(t, "AWS::CloudWatch::Alarm")
    expect(alarms).toHaveLength(9)
    for (const [, alarm] of alarms)
      expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: topicId }])
    expect(ofType(t, "AWS::SNS::Subscription")).toEqual([])
    const [[, policy] = []] = ofType(t, "AWS::SNS::TopicPolicy")
    expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"')
  })

  it("logs the API's requests without the visitor's address, for a month", () => {
    const [[, stage] = []] = ofType(t, "AWS::ApiGatewayV2::Stage")
    const settings = stage?.Properties?.AccessLogSettings as { Format: string }
    const format = JSON.parse(settings.Format)
    expect(format.requestId).toBe("$context.requestId")
    expect(settings.Format).not.toMatch(/sourceIp|identity|userAgent|X-Forwarded-For/i)
    for (const [, group] of ofType(t, "AWS::Logs::LogGroup")) {
      expect(group.Properties?.RetentionInDays).toBe(30)
    }
    const names = ofType(t, "AWS::Logs::LogGroup").map(([, g]) =>
      g.Properties?.LogGroupName === undefined
        ? undefined
        : resolveIntrinsic(g.Properties.LogGroupName, values)
    )
    expect(names).toEqual([
      "/aws/lambda/Minimal-Form",
      "/aws/lambda/Minimal-Form-redeliver",
      undefined
    ])
  })
})

describe("the construct with everything set", () => {
  const t = templateOf(full)
  const { web, redelivery } = functions(t)

  it("grants each function exactly the secrets named: captchas and Akismet to the web function, channels to both", () => {
    const w = secretsOf(t, web)
    for (const name of [
      "friendlycaptcha-data",
      "acme-altcha",
      "akismet",
      "site-slack",
      "acme-hook"
    ]) {
      expect(w.can(name), name).toBe(true)
    }
    expect(w.count).toBe(5)
    const r = secretsOf(t, redelivery)
    expect(r.can("site-slack")).toBe(true)
    expect(r.can("acme-hook")).toBe(true)
    expect(r.can("akismet")).toBe(false)
    expect(r.can("acme-altcha")).toBe(false)
    // Under ses, no SMTP secret for either.
    expect(r.count).toBe(2)
  })

  it("makes the table for the form that uses ALTCHA, though the deployment's provider does not", () => {
    expect(ofType(t, "AWS::DynamoDB::Table")).toHaveLength(1)
    expect(environmentOf(t, web).STORE_TABLE).toBeDefined()
  })

  it("decrypts with the key for both functions (redelivery reads channel secrets), and waits for it", () => {
    const decrypting = ofType(t, "AWS::IAM::Policy").filter(([, p]) =>
      JSON.stringify(p).includes("kms:Decrypt")
    )
    expect(decrypting).toHaveLength(2)
    for (const fnId of [web, redelivery]) {
      const dependsOn: string[] = (t.Resources[fnId] as { DependsOn?: string[] }).DependsOn ?? []
      expect(decrypting.filter(([id]) => dependsOn.includes(id))).toHaveLength(1)
    }
  })

  it("passes the settings as the application reads them", () => {
    expect(environmentOf(t, web)).toMatchObject({
      MAIL_TRANSPORT: "ses",
      SES_CONFIGURATION_SET: "contact",
      SUBJECT_PREFIX: "[Site] ",
      CHANNELS: "mail,slack",
      SLACK_SECRET_ID: "site-slack",
      SPAM_POLICY: "mark",
      SPAM_THRESHOLD: "9",
      AKISMET_SECRET_ID: "akismet",
      RATE_LIMIT_PER_MINUTE: "0"
    })
    const forms = JSON.parse(String(environmentOf(t, web).FORMS))
    expect(forms.acme).toMatchObject({
      channels: ["mail", "webhook"],
      spamPolicy: "drop",
      spamThreshold: 7
    })
  })

  it("subscribes the alarm email to its topic", () => {
    const [[, subscription] = []] = ofType(t, "AWS::SNS::Subscription")
    expect(subscription?.Properties).toMatchObject({
      Protocol: "email",
      Endpoint: "ops@example.com"
    })
  })
})

describe("the construct in a user's stack beside their own API and topic", () => {
  const t = templateOf(integrated)
  const routeKeys = (api: HttpApi | undefined) =>
    ofType(t, "AWS::ApiGatewayV2::Route")
      .filter(([, r]) => isDeepStrictEqual(r.Properties?.ApiId, integrated.resolve(api?.apiId)))
      .map(([, r]) => r.Properties?.RouteKey)
      .sort()

  it("adds its routes to the user's API and to another one asked for, and makes no API, stage or access log", () => {
    expect(ofType(t, "AWS::ApiGatewayV2::Api")).toHaveLength(2)
    // The two APIs' own default stages, untouched.
    const stages = ofType(t, "AWS::ApiGatewayV2::Stage")
    expect(stages).toHaveLength(2)
    for (const [, stage] of stages) expect(stage.Properties?.AccessLogSettings).toBeUndefined()
    const expected = [
      "ANY /altcha",
      "ANY /contact",
      "ANY /f/{form}",
      "ANY /f/{form}/altcha",
      "GET /altcha",
      "GET /f/{form}/altcha",
      "OPTIONS /altcha",
      "OPTIONS /contact",
      "OPTIONS /f/{form}",
      "OPTIONS /f/{form}/altcha",
      "POST /contact",
      "POST /f/{form}"
    ]
    expect(routeKeys(usersApi)).toEqual(expected)
    expect(routeKeys(secondApi)).toEqual(expected)
    expect(ofType(t, "AWS::Logs::LogGroup")).toHaveLength(2)
  })

  it("notifies the user's topic and makes none of its own", () => {
    expect(ofType(t, "AWS::SNS::Topic")).toHaveLength(1)
    const topic = integrated.resolve(usersTopic?.topicArn)
    for (const [, alarm] of ofType(t, "AWS::CloudWatch::Alarm")) {
      expect(alarm.Properties?.AlarmActions).toEqual([topic])
    }
  })
})

describe("two constructs in one stack, and forms read from the zip", () => {
  it("gives each its own log groups and metrics namespace", () => {
    const t = templateOf(twoForms)
    const names = ofType(t, "AWS::Logs::LogGroup")
      .flatMap(([, g]) =>
        g.Properties?.LogGroupName === undefined
          ? []
          : [resolveIntrinsic(g.Properties.LogGroupName, { ...values, "AWS::StackName": "Two" })]
      )
      .sort()
    expect(names).toEqual([
      "/aws/lambda/Two-Blog",
      "/aws/lambda/Two-Blog-redeliver",
      "/aws/lambda/Two-Shop",
      "/aws/lambda/Two-Shop-redeliver"
    ])
    const namespaces = ofType(t, "AWS::Lambda::Function").map(([id]) =>
      resolveIntrinsic(environmentOf(t, id).METRICS_NAMESPACE, {
        ...values,
        "AWS::StackName": "Two"
      })
    )
    expect(new Set(namespaces)).toEqual(new Set(["ContactForm/Two/Shop", "ContactForm/Two/Blog"]))
  })

  it("grants the channel secrets of the FORMS_FILE it finds in the zip, to both functions", () => {
    const t = templateOf(fromFile)
    const { web, redelivery } = functions(t)
    expect(environmentOf(t, web).FORMS_FILE).toBe("/var/task/forms.json")
    for (const fnId of [web, redelivery]) expect(secretsOf(t, fnId).can("shop-discord")).toBe(true)
  })
})
