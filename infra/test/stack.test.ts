// The synthesized template, asserted resource by resource; then cfn-lint on it, and the
// CDK app entry run the way `cdk` runs it. One synthesis for the whole file: what depends
// on parameter values (the mail transport, the KMS key) is asserted on the template as
// CloudFormation deploys it with each set of values (`deployWith`), conditions evaluated.
import { execFile, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { isDeepStrictEqual } from "node:util"
import AdmZip from "adm-zip"
import { App } from "aws-cdk-lib"
import { Match, Template } from "aws-cdk-lib/assertions"
import { afterAll, describe, expect, it } from "vitest"
import { captchaProviderIds } from "../../src/domain/captcha-providers"
import { channelKinds } from "../../src/domain/channels"
import { widgetSnippet } from "../../src/pages/widget"
import { TYPICAL_FORMS_THAT_FIT } from "../forms.js"
import { ContactFormStack } from "../stack.js"
import { deployWith, iamGlobMatches, resolveIntrinsic, type Values } from "./intrinsics.js"

const root = fileURLToPath(new URL("../..", import.meta.url))
const work = mkdtempSync(join(tmpdir(), "contact-form-infra-"))
afterAll(() => rmSync(work, { recursive: true, force: true }))

// A stand-in for dist/lambda.zip: the stack must not care what the zip holds.
const codePath = join(work, "lambda.zip")
const zip = new AdmZip()
zip.addFile("index.mjs", Buffer.from("export const handler = async () => ({ statusCode: 200 })\n"))
zip.writeZip(codePath)

const app = new App({ outdir: join(work, "cdk.out") })
const stack = new ContactFormStack(app, "ContactFormTest", { codePath })
const artifact = app.synth().getStackArtifact(stack.artifactId)
const template = Template.fromJSON(artifact.template)

// The same stack from a zip that also carries a forms file, as `npm run build -- --forms`
// makes it: the stack reads the names of the JSON files at the zip's root (FormsFile), and
// nothing else. A JSON file in a folder is no candidate.
const codeWithFormsPath = join(work, "lambda-with-forms.zip")
const zipWithForms = new AdmZip()
zipWithForms.addFile("index.mjs", Buffer.from("export const handler = async () => ({})\n"))
zipWithForms.addFile("forms.json", Buffer.from("{}\n"))
zipWithForms.addFile("chunks/data.json", Buffer.from("{}\n"))
zipWithForms.writeZip(codeWithFormsPath)
const appWithForms = new App({ outdir: join(work, "cdk-with-forms.out") })
const stackWithForms = new ContactFormStack(appWithForms, "ContactFormTest", {
  codePath: codeWithFormsPath
})
const artifactWithForms = appWithForms.synth().getStackArtifact(stackWithForms.artifactId)

const resourcesOf = (type: string) => template.findResources(type)
const onlyLogicalId = (type: string): string => {
  const [id, ...others] = Object.keys(resourcesOf(type))
  if (id === undefined || others.length > 0) throw new Error(`expected one ${type}`)
  return id
}
const logicalIdWhere = (
  type: string,
  test: (properties: Record<string, unknown>) => boolean
): string => {
  const ids = Object.entries(resourcesOf(type))
    .filter(([, resource]) => test(resource.Properties))
    .map(([id]) => id)
  if (ids.length !== 1) throw new Error(`expected one such ${type}, found ${ids.length}`)
  return ids[0]!
}
template.resourceCountIs("AWS::Lambda::Function", 2)
const functionId = logicalIdWhere("AWS::Lambda::Function", (p) => p.Handler === "index.handler")
const redeliveryId = logicalIdWhere("AWS::Lambda::Function", (p) => p.Handler === "index.redeliver")
const apiId = onlyLogicalId("AWS::ApiGatewayV2::Api")
// The queue is the FIFO one with a redrive policy; the dead-letter queue is its target. The
// standard pair of earlier versions stays, to be drained (contract §7a; docs/operations.md, "Upgrade from standard queues").
template.resourceCountIs("AWS::SQS::Queue", 4)
const queueId = logicalIdWhere(
  "AWS::SQS::Queue",
  (p) => p.FifoQueue === true && p.RedrivePolicy !== undefined
)
const deadLettersId = logicalIdWhere(
  "AWS::SQS::Queue",
  (p) => p.FifoQueue === true && p.RedrivePolicy === undefined
)
const legacyQueueId = logicalIdWhere(
  "AWS::SQS::Queue",
  (p) => p.FifoQueue === undefined && p.RedrivePolicy !== undefined
)
const legacyDeadLettersId = logicalIdWhere(
  "AWS::SQS::Queue",
  (p) => p.FifoQueue === undefined && p.RedrivePolicy === undefined
)
// The shared store's table and the web function's grant on it, both conditional (HasStore).
const tableId = onlyLogicalId("AWS::DynamoDB::Table")
const storePolicyId = logicalIdWhere("AWS::IAM::Policy", (p) =>
  JSON.stringify(p).includes("dynamodb:")
)
function onlyStage() {
  const [stage, ...others] = Object.values(template.findResources("AWS::ApiGatewayV2::Stage"))
  if (stage === undefined || others.length > 0) throw new Error("expected one stage")
  return stage
}
const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b))
const functions = resourcesOf("AWS::Lambda::Function")
const handler = functions[functionId]!.Properties
const redelivery = functions[redeliveryId]!.Properties
const queue = resourcesOf("AWS::SQS::Queue")[queueId]!.Properties
const deadLetters = resourcesOf("AWS::SQS::Queue")[deadLettersId]!.Properties
const logGroupId = handler.LoggingConfig.LogGroup.Ref
const redeliveryLogGroupId = redelivery.LoggingConfig.LogGroup.Ref
const accessLogGroupId: string =
  onlyStage().Properties.AccessLogSettings.DestinationArn["Fn::GetAtt"][0]
const parameters: Record<
  string,
  {
    Default?: unknown
    Type: string
    MinLength?: number
    AllowedPattern?: string
    AllowedValues?: ReadonlyArray<string>
  }
> = template.toJSON().Parameters

// Deploy-time values: the parameters' defaults plus the required ones and the pseudo
// parameters, as CloudFormation would substitute them in eu-west-1.

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
  "AWS::AccountId": "123456789012",
  "AWS::StackName": "ContactFormTest",
  "AWS::StackId":
    "arn:aws:cloudformation:eu-west-1:123456789012:stack/ContactFormTest/51af3dc0-da77-11e4-872e-1234567db123",
  [apiId]: "abc123",
  [`${apiId}.ApiEndpoint`]: "https://abc123.execute-api.eu-west-1.amazonaws.com",
  [queueId]: "https://sqs.eu-west-1.amazonaws.com/123456789012/ContactFormTest-Queue-AbC123",
  [`${queueId}.Arn`]: "arn:aws:sqs:eu-west-1:123456789012:ContactFormTest-Queue-AbC123",
  [deadLettersId]: "https://sqs.eu-west-1.amazonaws.com/123456789012/ContactFormTest-Dlq-XyZ789",
  [`${deadLettersId}.Arn`]: "arn:aws:sqs:eu-west-1:123456789012:ContactFormTest-Dlq-XyZ789",
  [legacyQueueId]: "https://sqs.eu-west-1.amazonaws.com/123456789012/ContactFormTest-Queue-Old123",
  [`${legacyQueueId}.Arn`]: "arn:aws:sqs:eu-west-1:123456789012:ContactFormTest-Queue-Old123",
  [legacyDeadLettersId]:
    "https://sqs.eu-west-1.amazonaws.com/123456789012/ContactFormTest-Dlq-Old789",
  [`${legacyDeadLettersId}.Arn`]: "arn:aws:sqs:eu-west-1:123456789012:ContactFormTest-Dlq-Old789",
  [redeliveryId]: "ContactFormTest-Redelivery-QwE456",
  [tableId]: "ContactFormTest-StoreTable-1A2B3C4D5E6F7",
  [`${tableId}.Arn`]:
    "arn:aws:dynamodb:eu-west-1:123456789012:table/ContactFormTest-StoreTable-1A2B3C4D5E6F7",
  [storePolicyId]: "Conta-Store-8H9I0J1K2L3M"
}
// The two transports, and ses with a configuration set.
const smtp = sample
const ses: Values = { ...sample, MailTransport: "ses", SesIdentity: "example.com" }
const sesWithSet: Values = { ...ses, SesConfigurationSet: "contact-form" }
const variants = [
  ["smtp", smtp],
  ["ses", ses],
  ["ses with a configuration set", sesWithSet]
] as const
// Several forms (contract §10), two of them with a captcha secret of their own, and no
// default form.
const formsJson = JSON.stringify({
  acme: {
    to: "Owner <owner@acme.example>",
    successUrl: "https://acme.example/thanks",
    fallbackEmail: "info@acme.example",
    captchaSecretId: "frc-acme"
  },
  globex: {
    to: "sales@globex.example",
    successUrl: "https://globex.example/thanks",
    fallbackEmail: "info@globex.example",
    captchaSecretId: "frc-globex"
  }
})
const withForms: Values = {
  ...sample,
  Forms: formsJson,
  MailTo: "",
  SuccessUrl: "",
  FallbackEmail: "",
  CaptchaSecretNames: "frc-acme,frc-globex"
}
type Deployment = { template: Template; refused: string[] }
const deployer = (source: Parameters<typeof deployWith>[0]) => {
  const deployments = new Map<string, Deployment>()
  return (values: Values): Deployment => {
    const key = JSON.stringify(values)
    const known = deployments.get(key)
    if (known !== undefined) return known
    const { template: json, refused } = deployWith(source, values)
    const deployment = { template: Template.fromJSON(json), refused }
    deployments.set(key, deployment)
    return deployment
  }
}
const deployed = deployer(artifact.template)
const deployedWithForms = deployer(artifactWithForms.template)
const secretArn = (name: string, account = "123456789012", region = "eu-west-1") =>
  `arn:aws:secretsmanager:${region}:${account}:secret:${name}`

type Statement = {
  Action: string | string[]
  Resource: unknown
  Effect: string
  Condition?: Record<string, Record<string, unknown>>
}
type Policy = {
  Condition?: string
  Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } }
}
// The policies as deployed with some parameter values (a `deployed(…).template`).
const policies = (deployment: Template): Policy[] =>
  Object.values(deployment.findResources("AWS::IAM::Policy")).map(
    (policy): Policy => ({ Condition: policy.Condition, Properties: policy.Properties })
  )
const statements = (deployment: Template): Statement[] =>
  policies(deployment).flatMap((policy) => policy.Properties.PolicyDocument.Statement)
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value])
// The role a function runs as, and the statements its policies hold in a deployment.
const roleOf = (fn: { Role: { "Fn::GetAtt": [string, string] } }) => fn.Role["Fn::GetAtt"][0]
const statementsOf = (deployment: Template, roleId: string): Statement[] =>
  policies(deployment)
    .filter((policy) => policy.Properties.Roles.some((r) => isDeepStrictEqual(r, { Ref: roleId })))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
const actionsOf = (statement: Statement, service: string) =>
  asList(statement.Action).filter((action) => action.startsWith(`${service}:`))
const about = (list: Statement[], service: string) =>
  list.filter((statement) => actionsOf(statement, service).length > 0)

// Every secret a role may read in a deployment, matched as IAM matches ARNs.
const grantedSecrets = (values: Values, roleId: string) => {
  const list = about(statementsOf(deployed(values).template, roleId), "secretsmanager")
  for (const statement of list) expect(statement.Action).toEqual("secretsmanager:GetSecretValue")
  const patterns = list
    .flatMap((statement) => asList(statement.Resource))
    .map((r) => resolveIntrinsic(r, values))
  return {
    patterns,
    count: patterns.length,
    granted: (arn: string) => patterns.some((p) => iamGlobMatches(p, arn))
  }
}
// A function's environment as deployed, every value resolved.
const environment = (
  values: Values,
  fnId: string,
  deploy: (values: Values) => Deployment = deployed
): Record<string, string> => {
  const fn = deploy(values).template.findResources("AWS::Lambda::Function")[fnId]
  const variables: Record<string, unknown> = fn?.Properties.Environment.Variables
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, resolveIntrinsic(value, values)])
  )
}

// Every number the timeouts are derived from, read back from the template: the
// application's own limits from each function's environment, the rest from the
// resources. Nothing is imported from infra/timeouts.ts, so a wrong constant there fails.
const ms = (env: Record<string, string>, name: string) => {
  const value = Number(env[name])
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} is not set`)
  return value
}

// The two child processes below take seconds each: both start at once, when the file
// loads, and each test awaits its own.
type Run = { status: number | null; stdout: string; stderr: string }
const run = (file: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  new Promise<Run>((resolve) => {
    execFile(file, args, { cwd: root, env, encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({
        status: error === null ? 0 : typeof error.code === "number" ? error.code : null,
        stdout,
        stderr
      })
    )
  })

describe("the functions", () => {
  it("run the one built zip on nodejs24.x, arm64: index.handler and index.redeliver", () => {
    const common = { Runtime: "nodejs24.x", Architectures: ["arm64"], MemorySize: 512 }
    expect(handler).toMatchObject({ ...common, Handler: "index.handler" })
    expect(redelivery).toMatchObject({ ...common, Handler: "index.redeliver" })
    // The same asset: one upload, and the redelivery code is the code the tests ran.
    expect(redelivery.Code).toEqual(handler.Code)
    // Deployed as is: a file asset with the very bytes of the zip, not a rebundled copy.
    const manifest = JSON.parse(
      readFileSync(join(work, "cdk.out", `${stack.artifactId}.assets.json`), "utf8")
    )
    const assets = Object.values<{ source: { path: string; packaging: string } }>(manifest.files)
    const code = assets.filter((asset) => asset.source.path.endsWith(".zip"))
    expect(code).toHaveLength(1)
    expect(code[0]?.source.packaging).toBe("file")
    expect(readFileSync(join(work, "cdk.out", code[0]!.source.path))).toEqual(
      readFileSync(codePath)
    )
  })

  it("give the web function time for every application limit, the enqueue and the store's three calls included, below API Gateway's 29 s", () => {
    const env: Record<string, string> = handler.Environment.Variables
    // Side by side, so the longest branch counts: the captcha (its secret and the
    // verification) beside Akismet (its secret and comment-check); then every channel
    // beside the others, each kept on its own: mail (SMTP secret, delivery, the secret
    // again after a 535, enqueue) beside a webhook, Slack or Discord (its secret, its
    // delivery, enqueue). And the store: the claim, ALTCHA's replay record, the settle.
    const captchaPhase = Math.max(
      ms(env, "SECRETS_TIMEOUT_MS") + ms(env, "CAPTCHA_TIMEOUT_MS"),
      ms(env, "SECRETS_TIMEOUT_MS") + ms(env, "AKISMET_TIMEOUT_MS")
    )
    const mailBranch =
      ms(env, "SECRETS_TIMEOUT_MS") +
      ms(env, "MAIL_TIMEOUT_MS") +
      ms(env, "SECRETS_TIMEOUT_MS") +
      ms(env, "QUEUE_TIMEOUT_MS")
    const channelBranch =
      ms(env, "SECRETS_TIMEOUT_MS") + ms(env, "CHANNEL_TIMEOUT_MS") + ms(env, "QUEUE_TIMEOUT_MS")
    const worstCaseMs =
      captchaPhase + Math.max(mailBranch, channelBranch) + 3 * ms(env, "STORE_TIMEOUT_MS")
    expect(worstCaseMs).toBe(3_000 + 4_000 + 3_000 + 10_000 + 3_000 + 3_000 + 3 * 500)
    expect(handler.Timeout * 1000).toBeGreaterThan(worstCaseMs)
    expect(handler.Timeout).toBeLessThan(29)
    // The channels fit beside mail: summed instead, they would pass API Gateway's 29 s.
    expect(channelBranch).toBeLessThan(mailBranch)
    expect(worstCaseMs + channelBranch).toBeGreaterThan(29_000)
  })

  it("give a repeat that takes over after a 500 time to wait and deliver without the captcha", () => {
    const env: Record<string, string> = handler.Environment.Variables
    // The wait (the failed claim inside it), its last read, the take-over, the settle; then
    // the first one's delivery: SMTP secret, delivery, the secret again, enqueue.
    const repeatMs =
      ms(env, "STORE_WAIT_MS") +
      3 * ms(env, "STORE_TIMEOUT_MS") +
      ms(env, "SECRETS_TIMEOUT_MS") +
      ms(env, "MAIL_TIMEOUT_MS") +
      ms(env, "SECRETS_TIMEOUT_MS") +
      ms(env, "QUEUE_TIMEOUT_MS")
    expect(repeatMs).toBe(2_000 + 3 * 500 + 3_000 + 10_000 + 3_000 + 3_000)
    expect(repeatMs).toBeLessThanOrEqual(handler.Timeout * 1000)
  })

  it("hold a duplicate claim as long as the web function may run: STORE_CLAIM_SECONDS is its timeout", () => {
    for (const fn of [handler, redelivery]) {
      expect(Number(fn.Environment.Variables.STORE_CLAIM_SECONDS)).toBe(handler.Timeout)
    }
  })

  it("give the web function every contract §6 to §12 variable the stack sets", () => {
    expect(handler.Environment.Variables).toEqual({
      MAIL_FROM: { Ref: "MailFrom" },
      MAIL_TO: { Ref: "MailTo" },
      SUCCESS_URL: { Ref: "SuccessUrl" },
      SUCCESS_URL_DE: { Ref: "SuccessUrlDe" },
      SUCCESS_URL_FR: { Ref: "SuccessUrlFr" },
      SUCCESS_URL_ES: { Ref: "SuccessUrlEs" },
      SUCCESS_URL_IT: { Ref: "SuccessUrlIt" },
      SUCCESS_URL_NL: { Ref: "SuccessUrlNl" },
      SUCCESS_URL_PT: { Ref: "SuccessUrlPt" },
      SUCCESS_URL_PL: { Ref: "SuccessUrlPl" },
      FALLBACK_EMAIL: { Ref: "FallbackEmail" },
      FALLBACK_PHONE: { Ref: "FallbackPhone" },
      FORMS: { Ref: "Forms" },
      // No JSON file in this zip: no FormsFile can be given, FORMS_FILE is left out (see
      // "several forms").
      ALLOWED_ORIGINS: { Ref: "AllowedOrigins" },
      CAPTCHA_PROVIDER: { Ref: "CaptchaProvider" },
      CAPTCHA_VERIFY_URL: { Ref: "CaptchaVerifyUrl" },
      SUBJECT_PREFIX: { Ref: "SubjectPrefix" },
      MAIL_TRANSPORT: { Ref: "MailTransport" },
      SES_CONFIGURATION_SET: { Ref: "SesConfigurationSet" },
      // Empty with ses, where the application refuses them (see "mail transports").
      SMTP_URL: { "Fn::If": ["UsesSes", "", { Ref: "SmtpUrl" }] },
      SMTP_SECRET_ID: { "Fn::If": ["UsesSes", "", { Ref: "SmtpSecretName" }] },
      CAPTCHA_SECRET_ID: { Ref: "CaptchaSecretName" },
      SECRETS_TTL_SECONDS: { Ref: "SecretsTtlSeconds" },
      MAX_BODY_BYTES: { Ref: "MaxBodyBytes" },
      RATE_LIMIT_PER_MINUTE: { Ref: "RateLimitPerMinute" },
      TRUST_PROXY_HOPS: { Ref: "TrustProxyHops" },
      LOG_LEVEL: { Ref: "LogLevel" },
      // Contract §11 and §12 (see "channels and spam").
      CHANNELS: { "Fn::Join": [",", { Ref: "Channels" }] },
      WEBHOOK_URL: { Ref: "WebhookUrl" },
      WEBHOOK_SECRET_ID: { Ref: "WebhookSecretName" },
      SLACK_SECRET_ID: { Ref: "SlackSecretName" },
      DISCORD_SECRET_ID: { Ref: "DiscordSecretName" },
      SPAM_POLICY: { Ref: "SpamPolicy" },
      SPAM_THRESHOLD: { Ref: "SpamThreshold" },
      AKISMET_SECRET_ID: { Ref: "AkismetSecretName" },
      QUEUE_URL: { Ref: queueId },
      METRICS_NAMESPACE: expect.anything(),
      SUBMISSION_ID_KEY: expect.anything(),
      CAPTCHA_TIMEOUT_MS: "4000",
      SECRETS_TIMEOUT_MS: "3000",
      MAIL_TIMEOUT_MS: "10000",
      CHANNEL_TIMEOUT_MS: "3000",
      AKISMET_TIMEOUT_MS: "1500",
      QUEUE_TIMEOUT_MS: "3000",
      STORE_TIMEOUT_MS: "500",
      STORE_WAIT_MS: "2000",
      // The function's timeout (see "the functions"); the table's name only when it exists
      // (see "the shared store").
      STORE_CLAIM_SECONDS: "28",
      STORE_TABLE: {
        "Fn::If": [
          "HasStore",
          { "Fn::Select": [0, [{ Ref: tableId }, { Ref: storePolicyId }]] },
          ""
        ]
      }
    })
    expect(resolveIntrinsic(handler.Environment.Variables.METRICS_NAMESPACE, sample)).toBe(
      "ContactForm/ContactFormTest"
    )
    // One key for every environment of both functions, the stack's own random UUID: 36
    // characters, as SUBMISSION_ID_KEY asks at least 32 (contract §7a).
    expect(resolveIntrinsic(handler.Environment.Variables.SUBMISSION_ID_KEY, sample)).toBe(
      "51af3dc0-da77-11e4-872e-1234567db123"
    )
    // Required settings have no default and cannot be empty; optional ones default to "".
    // The default form's (MailTo, SuccessUrl, FallbackEmail) are required by Rules unless
    // Forms is given (see "several forms").
    expect(parameters.MailFrom).toMatchObject({ Type: "String", MinLength: 1 })
    expect(parameters.MailFrom?.Default).toBeUndefined()
    for (const name of [
      "SuccessUrlDe",
      "FallbackPhone",
      "AllowedOrigins",
      "SmtpUrl",
      "MailTo",
      "SuccessUrl",
      "FallbackEmail",
      "Forms",
      "CaptchaSecretNames",
      "RateLimitPerMinute",
      "TrustProxyHops"
    ]) {
      expect(parameters[name]?.Default).toBe("")
    }
    expect(parameters.CaptchaProvider?.Default).toBe("friendlycaptcha-v2")
    expect(parameters.SmtpSecretName?.Default).toBe("smtp-ses-credentials")
    expect(parameters.CaptchaSecretName?.Default).toBe("friendlycaptcha-data")
  })

  it("has an optional success page for every language but English, empty or a URL", () => {
    const languages = ["De", "Fr", "Es", "It", "Nl", "Pt", "Pl"]
    const names = Object.keys(parameters).filter((name) => name.startsWith("SuccessUrl"))
    expect(names.sort()).toEqual(["SuccessUrl", ...languages.map((l) => `SuccessUrl${l}`)].sort())
    for (const language of languages) {
      const parameter = parameters[`SuccessUrl${language}`]
      expect(parameter).toMatchObject({ Type: "String", Default: "" })
      const allowed = new RegExp(parameter?.AllowedPattern ?? "^$")
      expect(allowed.test("")).toBe(true)
      expect(allowed.test(`https://www.example.com/${language.toLowerCase()}/thanks`)).toBe(true)
      expect(allowed.test("javascript:alert(1)")).toBe(false)
      expect(handler.Environment.Variables[`SUCCESS_URL_${language.toUpperCase()}`]).toEqual({
        Ref: `SuccessUrl${language}`
      })
    }
    // Shown with the other pages in the console's parameter form.
    const groups = template.toJSON().Metadata["AWS::CloudFormation::Interface"].ParameterGroups
    const pages = groups.find(
      (g: { Label: { default: string } }) => g.Label.default === "Pages and fallback"
    )
    expect(pages?.Parameters).toEqual(
      expect.arrayContaining(languages.map((l) => `SuccessUrl${l}`))
    )
  })

  it("passes RateLimitPerMinute and TrustProxyHops to both functions, empty as empty", () => {
    for (const fnId of [functionId, redeliveryId]) {
      // Empty by default, which the application takes for unset: 10 a minute, 0 hops.
      expect(environment(sample, fnId)).toMatchObject({
        RATE_LIMIT_PER_MINUTE: "",
        TRUST_PROXY_HOPS: ""
      })
      // Behind CloudFront (docs/contract.md §9).
      const behindCloudFront = { ...sample, RateLimitPerMinute: "30", TrustProxyHops: "2" }
      expect(environment(behindCloudFront, fnId)).toMatchObject({
        RATE_LIMIT_PER_MINUTE: "30",
        TRUST_PROXY_HOPS: "2"
      })
      expect(environment({ ...sample, RateLimitPerMinute: "0" }, fnId)).toMatchObject({
        RATE_LIMIT_PER_MINUTE: "0",
        TRUST_PROXY_HOPS: ""
      })
    }
  })

  it("takes for RateLimitPerMinute and TrustProxyHops what the application accepts, or empty", () => {
    // src/config/limits.ts: a whole number from 0 to 10,000, and from 0 to 10.
    const cases = [
      [
        "RateLimitPerMinute",
        ["", "0", "1", "10", "600", "9999", "10000", "010"],
        ["10001", "99999"]
      ],
      ["TrustProxyHops", ["", "0", "1", "2", "9", "10", "02"], ["11", "20", "100"]]
    ] as const
    for (const [name, good, tooLarge] of cases) {
      expect(parameters[name]).toMatchObject({ Type: "String", Default: "" })
      const allowed = new RegExp(parameters[name]?.AllowedPattern ?? "(?!)")
      for (const value of good) expect(allowed.test(value), `${name}=${value}`).toBe(true)
      for (const value of [...tooLarge, "-1", "1.5", "1e3", " 2", "2 ", "ten", "0x10"]) {
        expect(allowed.test(value), `${name}=${value}`).toBe(false)
      }
    }
    // Shown with the other request settings in the console's parameter form.
    const groups = template.toJSON().Metadata["AWS::CloudFormation::Interface"].ParameterGroups
    const requests = groups.find(
      (g: { Label: { default: string } }) => g.Label.default === "Requests"
    )
    expect(requests?.Parameters).toEqual(
      expect.arrayContaining(["MaxBodyBytes", "RateLimitPerMinute", "TrustProxyHops"])
    )
  })

  it("give the redelivery function the very same configuration", () => {
    // One configuration object decoded at either cold start: the mail settings, the
    // secrets, the time limits, the queue and the metrics namespace.
    expect(redelivery.Environment.Variables).toEqual(handler.Environment.Variables)
  })
})

describe("the queue and redelivery", () => {
  // SQS holds the visitor's message: encrypted at rest, reachable only over TLS.
  const tlsOnly = (id: string) =>
    template.hasResourceProperties("AWS::SQS::QueuePolicy", {
      Queues: [{ Ref: id }],
      PolicyDocument: {
        Statement: [
          {
            Effect: "Deny",
            Action: "sqs:*",
            Principal: { AWS: "*" },
            Resource: { "Fn::GetAtt": [id, "Arn"] },
            Condition: { Bool: { "aws:SecureTransport": "false" } }
          }
        ]
      }
    })

  it("queues failed deliveries encrypted, for 4 days", () => {
    expect(queue).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 4 * 86_400 })
    expect(queue.KmsMasterKeyId).toBeUndefined()
    tlsOnly(queueId)
  })

  it("dead-letters an item after about six hours of retries and keeps it 14 days", () => {
    expect(deadLetters).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400
    })
    tlsOnly(deadLettersId)
    // SQS's longest. A FIFO queue's dead letters count it from when they arrived there (a
    // standard queue's from the first enqueue).
    expect(deadLetters.MessageRetentionPeriod).toBeGreaterThan(queue.MessageRetentionPeriod)
    expect(queue.RedrivePolicy.deadLetterTargetArn).toEqual({
      "Fn::GetAtt": [deadLettersId, "Arn"]
    })
    // An item that fails is received again once per visibility timeout.
    const retriesSeconds = queue.RedrivePolicy.maxReceiveCount * queue.VisibilityTimeout
    expect(retriesSeconds).toBeGreaterThanOrEqual(5.5 * 3_600)
    expect(retriesSeconds).toBeLessThanOrEqual(6.5 * 3_600)
    expect(queue.RedrivePolicy.maxReceiveCount).toBe(40)
    expect(queue.VisibilityTimeout).toBe(540)
  })

  it("feeds both queues (FIFO, and the standard one of earlier versions) to the redelivery function in small batches, reporting each failed item", () => {
    template.resourceCountIs("AWS::Lambda::EventSourceMapping", 2)
    const mappings = Object.values(resourcesOf("AWS::Lambda::EventSourceMapping"))
    expect(mappings.map((m) => m.Properties.EventSourceArn).sort(byJson)).toEqual(
      [{ "Fn::GetAtt": [queueId, "Arn"] }, { "Fn::GetAtt": [legacyQueueId, "Arn"] }].sort(byJson)
    )
    for (const mapping of mappings) {
      expect(mapping.Properties).toEqual({
        EventSourceArn: expect.anything(),
        FunctionName: { Ref: redeliveryId },
        BatchSize: 5,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        // AWS's minimum, so that a backlog after an outage does not burst past SES's rate.
        ScalingConfig: { MaximumConcurrency: 2 }
      })
    }
  })

  it("keeps failed deliveries in a FIFO queue deduplicated by the application, its dead letters FIFO too", () => {
    expect(queue).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false })
    expect(deadLetters).toMatchObject({ FifoQueue: true })
    // QUEUE_URL names it: the application deduplicates by `<submission id>:<copy>`.
    expect(handler.Environment.Variables.QUEUE_URL).toEqual({ Ref: queueId })
  })

  it("retains the standard queues of earlier versions, unchanged, so that an upgrade loses nothing", () => {
    const queues = resourcesOf("AWS::SQS::Queue")
    for (const id of [legacyQueueId, legacyDeadLettersId]) {
      expect(queues[id]).toMatchObject({ DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" })
      expect(queues[id]?.Properties.FifoQueue).toBeUndefined()
      tlsOnly(id)
    }
    expect(queues[legacyQueueId]?.Properties.RedrivePolicy.deadLetterTargetArn).toEqual({
      "Fn::GetAtt": [legacyDeadLettersId, "Arn"]
    })
  })

  it("gives the redelivery function time for a whole batch, and SQS six times that", () => {
    const env: Record<string, string> = redelivery.Environment.Variables
    // One item: the SMTP secret, the delivery, the secret again after a 535.
    const itemMs =
      ms(env, "SECRETS_TIMEOUT_MS") + ms(env, "MAIL_TIMEOUT_MS") + ms(env, "SECRETS_TIMEOUT_MS")
    const [mapping] = Object.values(resourcesOf("AWS::Lambda::EventSourceMapping"))
    const batchMs = mapping!.Properties.BatchSize * itemMs
    expect(redelivery.Timeout * 1000).toBeGreaterThan(batchMs)
    // AWS's guidance for Lambda event sources; Lambda refuses a timeout above it at all.
    expect(redelivery.Timeout).toBeLessThanOrEqual(queue.VisibilityTimeout / 6)
  })

  it("outputs the queues and the redelivery function for the runbook", () => {
    const outputs: Record<string, { Value: unknown }> = template.toJSON().Outputs
    const value = (name: string) => resolveIntrinsic(outputs[name]?.Value, sample)
    expect(value("QueueUrl")).toBe(sample[queueId])
    expect(value("QueueArn")).toBe(sample[`${queueId}.Arn`])
    expect(value("DeadLetterQueueUrl")).toBe(sample[deadLettersId])
    expect(value("DeadLetterQueueArn")).toBe(sample[`${deadLettersId}.Arn`])
    expect(value("RedeliveryFunctionName")).toBe(sample[redeliveryId])
    expect(outputs.RedeliveryLogGroupName?.Value).toEqual({ Ref: redeliveryLogGroupId })
  })
})

describe("permissions", () => {
  const webRole = roleOf(handler)
  const redeliveryRole = roleOf(redelivery)
  const smtpSecret = secretArn("smtp-ses-credentials-AbC123")
  const captcha = secretArn("friendlycaptcha-data-x9Yz0Q")
  const kmsKey = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

  it("gives each function a role of its own", () => {
    expect(webRole).not.toBe(redeliveryRole)
    template.resourceCountIs("AWS::IAM::Role", 2)
  })

  it("lets the web function read exactly the two secrets under smtp, whatever their random ARN suffix", () => {
    const { count, granted } = grantedSecrets(smtp, webRole)
    expect(count).toBe(2)
    expect(granted(smtpSecret)).toBe(true)
    expect(granted(captcha)).toBe(true)
    // Another secret whose name merely starts with ours, or another account or region.
    expect(granted(secretArn("smtp-ses-credentials-other-AbC123"))).toBe(false)
    expect(granted(secretArn("smtp-ses-credentialsX-AbC123"))).toBe(false)
    expect(granted(secretArn("friendlycaptcha-data-old-x9Yz0Q"))).toBe(false)
    expect(granted(secretArn("smtp-ses-credentials-AbC123", "210987654321"))).toBe(false)
    expect(granted(secretArn("smtp-ses-credentials-AbC123", undefined, "us-east-1"))).toBe(false)
  })

  it("lets the web function read the captcha secret only under ses: it still verifies captchas", () => {
    for (const values of [ses, sesWithSet]) {
      const { count, granted } = grantedSecrets(values, webRole)
      expect(count).toBe(1)
      expect(granted(captcha)).toBe(true)
      expect(granted(smtpSecret)).toBe(false)
    }
  })

  it("lets the redelivery function read the SMTP secret only under smtp: it never verifies a captcha", () => {
    const { count, granted } = grantedSecrets(smtp, redeliveryRole)
    expect(count).toBe(1)
    expect(granted(smtpSecret)).toBe(true)
    expect(granted(captcha)).toBe(false)
    expect(granted(secretArn("smtp-ses-credentials-other-AbC123"))).toBe(false)
  })

  it("lets the redelivery function read no secret at all under ses", () => {
    for (const values of [ses, sesWithSet]) {
      expect(grantedSecrets(values, redeliveryRole).count).toBe(0)
    }
  })

  it("lets the web function send to the queue and do nothing else with SQS", () => {
    expect(about(statementsOf(deployed(smtp).template, webRole), "sqs")).toEqual([
      {
        Sid: "QueueFailedDeliveries",
        Effect: "Allow",
        Action: "sqs:SendMessage",
        Resource: { "Fn::GetAtt": [queueId, "Arn"] }
      }
    ])
  })

  it("lets the redelivery function consume both queues, GetQueueAttributes included, and send to its own only", () => {
    const sqs = about(statementsOf(deployed(smtp).template, redeliveryRole), "sqs")
    const arnOf = (id: string) => ({ "Fn::GetAtt": [id, "Arn"] })
    const on = (id: string) =>
      sqs
        .filter((statement) => isDeepStrictEqual(statement.Resource, arnOf(id)))
        .flatMap((statement) => actionsOf(statement, "sqs"))
    for (const statement of sqs) {
      expect(statement.Effect).toBe("Allow")
      expect([arnOf(queueId), arnOf(legacyQueueId)]).toContainEqual(statement.Resource)
    }
    for (const id of [queueId, legacyQueueId]) {
      // Lambda cannot create the event source mapping without GetQueueAttributes.
      expect(on(id)).toEqual(
        expect.arrayContaining([
          "sqs:ReceiveMessage",
          "sqs:DeleteMessage",
          "sqs:ChangeMessageVisibility",
          "sqs:GetQueueAttributes"
        ])
      )
      expect(on(id)).not.toContain("sqs:PurgeQueue")
    }
    // A marked copy of an item whose redelivery's outcome was unknown (contract §7a).
    expect(on(queueId)).toContain("sqs:SendMessage")
    expect(on(legacyQueueId)).not.toContain("sqs:SendMessage")
  })

  it.each([
    ...variants,
    ["several forms", withForms] as const,
    ["the shared store", { ...sample, Store: "on" }] as const,
    ["ALTCHA", { ...sample, CaptchaProvider: "altcha" }] as const
  ])("grants nothing on '*', and no sqs:*, ses:* nor dynamodb:* to anyone (%s)", (_, values) => {
    const deployment = deployed({ ...values, SecretsKmsKeyArn: kmsKey }).template
    for (const statement of statements(deployment)) {
      for (const resource of asList(statement.Resource)) expect(resource).not.toBe("*")
      for (const action of asList(statement.Action)) {
        expect(action).not.toMatch(/^(sqs|ses|dynamodb):\*|^\*$/)
      }
    }
    // The parameters that end up in ARNs: resolved, none may widen a grant.
    for (const service of ["secretsmanager", "ses", "kms", "dynamodb"]) {
      for (const statement of about(statements(deployment), service)) {
        for (const r of asList(statement.Resource)) {
          expect(resolveIntrinsic(r, { ...values, SecretsKmsKeyArn: kmsKey })).not.toContain("*")
        }
      }
    }
    // The queues' own policies only deny (plain HTTP); they never allow anything.
    for (const policy of Object.values(resourcesOf("AWS::SQS::QueuePolicy"))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        expect(statement.Effect).toBe("Deny")
      }
    }
    expect(
      template.findResources("AWS::IAM::Role", {
        Properties: { ManagedPolicyArns: Match.anyValue() }
      })
    ).toEqual({})
  })

  const kmsRoles = (values: Values) =>
    policies(deployed(values).template)
      .filter((policy) => JSON.stringify(policy).includes("kms:"))
      .map((policy) => policy.Properties.Roles)

  it("decrypts with a customer-managed key only when SecretsKmsKeyArn is set, and only for a role that reads a secret", () => {
    expect(parameters.SecretsKmsKeyArn?.Default).toBe("")
    expect(kmsRoles(smtp)).toEqual([])
    expect(kmsRoles(ses)).toEqual([])
    // One per role, each for its own role only.
    expect(kmsRoles({ ...smtp, SecretsKmsKeyArn: kmsKey }).sort()).toEqual(
      [[{ Ref: webRole }], [{ Ref: redeliveryRole }]].sort()
    )
    // With ses the redelivery function reads no secret; the web function still reads the
    // captcha secret.
    expect(kmsRoles({ ...ses, SecretsKmsKeyArn: kmsKey })).toEqual([[{ Ref: webRole }]])
    const kms = policies(template).filter((policy) => JSON.stringify(policy).includes("kms:"))
    expect(kms).toHaveLength(2)
    for (const policy of kms) {
      const [statement, ...others] = policy.Properties.PolicyDocument.Statement
      expect(others).toEqual([])
      expect(statement).toMatchObject({
        Action: "kms:Decrypt",
        Resource: { Ref: "SecretsKmsKeyArn" }
      })
      // Only for decryptions Secrets Manager makes on the function's behalf.
      const via = statement?.Condition?.StringEquals?.["kms:ViaService"]
      expect(resolveIntrinsic(via, sample)).toBe("secretsmanager.eu-west-1.amazonaws.com")
    }
  })
})

describe("mail transports", () => {
  const webRole = roleOf(handler)
  const redeliveryRole = roleOf(redelivery)
  const both = [
    ["the web function", functionId, webRole],
    ["the redelivery function", redeliveryId, redeliveryRole]
  ] as const
  const identityArn = "arn:aws:ses:eu-west-1:123456789012:identity/example.com"
  const setArn = "arn:aws:ses:eu-west-1:123456789012:configuration-set/contact-form"
  const smtpSecret = secretArn("smtp-ses-credentials-AbC123")

  // What a role may do with SES in a deployment, resolved; and whether it may read the
  // SMTP secret.
  const sesGrants = (values: Values, roleId: string) => {
    const list = about(statementsOf(deployed(values).template, roleId), "ses")
    return {
      actions: list.flatMap((statement) => asList(statement.Action)).sort(),
      resources: list
        .flatMap((statement) => asList(statement.Resource))
        .map((r) => resolveIntrinsic(r, values))
        .sort()
    }
  }
  const readsSmtpSecret = (values: Values, roleId: string) =>
    about(statementsOf(deployed(values).template, roleId), "secretsmanager")
      .flatMap((statement) => asList(statement.Resource))
      .some((r) => iamGlobMatches(resolveIntrinsic(r, values), smtpSecret))

  it("declares MailTransport (smtp by default, or ses), SesIdentity and SesConfigurationSet", () => {
    expect(parameters.MailTransport).toMatchObject({
      Type: "String",
      Default: "smtp",
      AllowedValues: ["smtp", "ses"]
    })
    const identity = new RegExp(parameters.SesIdentity?.AllowedPattern ?? "")
    expect(parameters.SesIdentity?.Default).toBe("")
    for (const good of ["", "example.com", "mail.example.co.uk", "noreply@example.com"]) {
      expect(identity.test(good), good).toBe(true)
    }
    // IAM wildcards would grant every identity of the account; anything but a name is refused.
    for (const bad of ["*", "*.example.com", "*@example.com", "noreply@*", "ex?mple.com"]) {
      expect(identity.test(bad), bad).toBe(false)
    }
    for (const bad of [
      "example",
      "a b.com",
      "example.com/x",
      "arn:aws:ses:eu-west-1:1:identity/x"
    ]) {
      expect(identity.test(bad), bad).toBe(false)
    }
    const set = new RegExp(parameters.SesConfigurationSet?.AllowedPattern ?? "")
    expect(parameters.SesConfigurationSet?.Default).toBe("")
    expect(set.test("")).toBe(true)
    expect(set.test("contact-form")).toBe(true)
    expect(set.test("*")).toBe(false)
    // Shown with the other mail settings in the console's parameter form.
    const groups = template.toJSON().Metadata["AWS::CloudFormation::Interface"].ParameterGroups
    const mail = groups.find((g: { Label: { default: string } }) => g.Label.default === "Mail")
    expect(mail?.Parameters).toEqual(
      expect.arrayContaining(["MailTransport", "SesIdentity", "SesConfigurationSet"])
    )
  })

  it("refuses to deploy ses without an identity, and settings the transport would ignore", () => {
    for (const [, values] of variants) expect(deployed(values).refused).toEqual([])
    const refused = (values: Values) => deployed(values).refused.join("; ")
    expect(refused({ ...ses, SesIdentity: "" })).toMatch(/MailTransport=ses needs SesIdentity/)
    expect(refused({ ...ses, SmtpUrl: "smtps://relay.example.com:465" })).toMatch(
      /SmtpUrl must be empty with MailTransport=ses/
    )
    expect(refused({ ...smtp, SesConfigurationSet: "contact-form" })).toMatch(
      /SesConfigurationSet must be empty with MailTransport=smtp/
    )
    // An identity left over from ses does no harm under smtp: nothing is granted on it.
    expect(refused({ ...smtp, SesIdentity: "example.com" })).toBe("")
    expect(sesGrants({ ...smtp, SesIdentity: "example.com" }, webRole).actions).toEqual([])
  })

  it("passes the smtp settings to both functions under smtp", () => {
    for (const [, fnId] of both) {
      expect(environment(smtp, fnId)).toMatchObject({
        MAIL_TRANSPORT: "smtp",
        SMTP_URL: "",
        SMTP_SECRET_ID: "smtp-ses-credentials",
        SES_CONFIGURATION_SET: ""
      })
      const relay = { ...smtp, SmtpUrl: "smtps://relay.example.com:465", SmtpSecretName: "relay" }
      expect(environment(relay, fnId)).toMatchObject({
        SMTP_URL: "smtps://relay.example.com:465",
        SMTP_SECRET_ID: "relay"
      })
    }
  })

  it("passes MAIL_TRANSPORT=ses and empty SMTP settings to both functions under ses", () => {
    for (const [, fnId] of both) {
      // SmtpSecretName keeps its default: the stack, not the owner, leaves it out.
      expect(environment(ses, fnId)).toMatchObject({
        MAIL_TRANSPORT: "ses",
        SMTP_URL: "",
        SMTP_SECRET_ID: "",
        SES_CONFIGURATION_SET: ""
      })
      expect(environment(sesWithSet, fnId)).toMatchObject({
        MAIL_TRANSPORT: "ses",
        SES_CONFIGURATION_SET: "contact-form"
      })
    }
  })

  it.each(both)("lets %s read the SMTP secret under smtp, and use no SES action", (_, __, role) => {
    expect(readsSmtpSecret(smtp, role)).toBe(true)
    expect(sesGrants(smtp, role)).toEqual({ actions: [], resources: [] })
  })

  it.each(both)(
    "lets %s send as the SES identity under ses, and read no SMTP secret",
    (_, __, role) => {
      expect(readsSmtpSecret(ses, role)).toBe(false)
      expect(sesGrants(ses, role)).toEqual({
        actions: ["ses:SendEmail", "ses:SendRawEmail"],
        resources: [identityArn]
      })
    }
  )

  it.each(both)("lets %s send with the configuration set, when one is given", (_, __, role) => {
    expect(readsSmtpSecret(sesWithSet, role)).toBe(false)
    expect(sesGrants(sesWithSet, role)).toEqual({
      actions: ["ses:SendEmail", "ses:SendRawEmail"],
      resources: [setArn, identityArn]
    })
  })

  it("grants SES only on identities and configuration sets that exist as such", () => {
    // The sender's identity is matched exactly: another domain, a subdomain, or an address
    // of the domain verified as an identity of its own are not covered.
    const { resources } = sesGrants(sesWithSet, webRole)
    for (const other of [
      "arn:aws:ses:eu-west-1:123456789012:identity/example.org",
      "arn:aws:ses:eu-west-1:123456789012:identity/evil.example.com",
      "arn:aws:ses:eu-west-1:123456789012:identity/noreply@example.com",
      "arn:aws:ses:eu-west-1:123456789012:configuration-set/other",
      "arn:aws:ses:us-east-1:123456789012:identity/example.com"
    ]) {
      expect(
        resources.some((r) => iamGlobMatches(r, other)),
        other
      ).toBe(false)
    }
  })

  it("starts neither function before its role may send mail", () => {
    // Each function depends on every policy of its role, the mail policy included (which
    // therefore exists whatever the transport: a condition on it would break DependsOn).
    for (const [, fnId, role] of both) {
      const dependsOn: string[] = resourcesOf("AWS::Lambda::Function")[fnId]?.DependsOn ?? []
      const mailPolicies = Object.entries(resourcesOf("AWS::IAM::Policy"))
        .filter(([, policy]) => isDeepStrictEqual(policy.Properties.Roles, [{ Ref: role }]))
        .filter(([, policy]) => JSON.stringify(policy).includes("ses:SendEmail"))
      expect(mailPolicies).toHaveLength(1)
      const [policyId, policy] = mailPolicies[0] ?? []
      expect(policy?.Condition).toBeUndefined()
      expect(dependsOn).toContain(policyId)
    }
  })
})

describe("several forms", () => {
  const webRole = roleOf(handler)
  const redeliveryRole = roleOf(redelivery)
  const both = [functionId, redeliveryId]
  const refused = (values: Values, deploy = deployed) => deploy(values).refused
  const pattern = (name: string) => new RegExp(parameters[name]?.AllowedPattern ?? "(?!)")
  const captchaSecret = (name: string) => secretArn(`${name}-AbC123`)

  it("passes Forms to both functions as FORMS, exactly as given", () => {
    const pretty = JSON.stringify(JSON.parse(formsJson), null, 2)
    for (const fnId of both) {
      expect(environment(withForms, fnId).FORMS).toBe(formsJson)
      expect(environment({ ...withForms, Forms: pretty }, fnId).FORMS).toBe(pretty)
      // Without it, FORMS is empty, which the application takes for unset: one form.
      expect(environment(sample, fnId).FORMS).toBe("")
      // No forms file in this zip: no FORMS_FILE at all.
      expect(environment(sample, fnId).FORMS_FILE).toBeUndefined()
    }
  })

  it("takes the JSON object itself in Forms, not a path to it", () => {
    expect(parameters.Forms).toMatchObject({ Type: "String", Default: "" })
    const forms = pattern("Forms")
    for (const good of ["", formsJson, JSON.stringify(JSON.parse(formsJson), null, 2), "{}"]) {
      expect(forms.test(good), good).toBe(true)
    }
    for (const bad of ["forms.json", "./forms.json", "[]", '"acme"']) {
      expect(forms.test(bad), bad).toBe(false)
    }
  })

  it("says in Forms' description that Lambda's environment holds 4 KB in all", () => {
    const description = template.toJSON().Parameters.Forms.Description
    expect(description).toMatch(/4 KB in all/)
    // The figure infra/test/environment-size.test.ts computes.
    expect(description).toContain(`about ${TYPICAL_FORMS_THAT_FIT} typical forms fit`)
    expect(description).toMatch(/FormsFile/)
  })

  it("refuses to deploy without a list of forms unless MailTo, SuccessUrl and FallbackEmail are given", () => {
    expect(refused(sample)).toEqual([])
    expect(refused({ ...sample, MailTo: "", SuccessUrl: "", FallbackEmail: "" })).toEqual([
      "MailTo is required unless Forms (or FormsFile) lists the forms",
      "SuccessUrl is required unless Forms (or FormsFile) lists the forms",
      "FallbackEmail is required unless Forms (or FormsFile) lists the forms"
    ])
    for (const name of ["MailTo", "SuccessUrl", "FallbackEmail"]) {
      expect(refused({ ...sample, [name]: "" })).toEqual([
        `${name} is required unless Forms (or FormsFile) lists the forms`
      ])
    }
  })

  it("takes MailTo, SuccessUrl and FallbackEmail all three or none beside Forms", () => {
    const allOrNone = /all three \(a default form at \/contact\) or none/
    // None: no default form. All three: the default form at /contact beside the others.
    expect(refused(withForms)).toEqual([])
    expect(
      refused({
        ...withForms,
        MailTo: sample.MailTo!,
        SuccessUrl: sample.SuccessUrl!,
        FallbackEmail: sample.FallbackEmail!
      })
    ).toEqual([])
    for (const name of ["MailTo", "SuccessUrl", "FallbackEmail"]) {
      const one = refused({ ...withForms, [name]: sample[name]! })
      expect(one).toHaveLength(1)
      expect(one[0]).toMatch(allOrNone)
    }
    // Still each in its own format, or empty.
    expect(pattern("MailTo").test("")).toBe(true)
    expect(pattern("SuccessUrl").test("")).toBe(true)
    expect(pattern("SuccessUrl").test("javascript:alert(1)")).toBe(false)
    expect(pattern("FallbackEmail").test("")).toBe(true)
    expect(pattern("FallbackEmail").test("not an address")).toBe(false)
  })

  it("lets the web function read every captcha secret CaptchaSecretNames lists, and CaptchaSecretName", () => {
    const { count, granted } = grantedSecrets(withForms, webRole)
    // The SMTP secret, the deployment's captcha secret, the two forms' own.
    expect(count).toBe(4)
    for (const name of ["frc-acme", "frc-globex", "friendlycaptcha-data"]) {
      expect(granted(captchaSecret(name)), name).toBe(true)
    }
    for (const other of [
      captchaSecret("frc-acme-old"),
      captchaSecret("frc-acm"),
      captchaSecret("frc-initech"),
      secretArn("frc-acme-AbC123", "210987654321"),
      secretArn("frc-acme-AbC123", undefined, "us-east-1")
    ]) {
      expect(granted(other), other).toBe(false)
    }
    // As many as there are slots, each granted.
    const ten = Array.from({ length: 10 }, (_, i) => `frc-site-${i + 1}`)
    const all = grantedSecrets({ ...withForms, CaptchaSecretNames: ten.join(",") }, webRole)
    expect(all.count).toBe(2 + 10)
    for (const name of ten) expect(all.granted(captchaSecret(name)), name).toBe(true)
  })

  it("grants no other secret with CaptchaSecretNames empty: each slot stands behind its condition", () => {
    // In the template: the deployment's captcha secret, then one slot per name, each its
    // ARN if its condition holds, else AWS::NoValue; then Akismet's (see "channels and spam").
    const [statement] = statementsOf(template, webRole).filter(
      (st) => (st as { Sid?: string }).Sid === "ReadContactFormSecrets"
    )
    const [first, ...rest] = asList(statement?.Resource)
    const slots = rest.slice(0, -1)
    expect(rest.at(-1)).toMatchObject({
      "Fn::If": ["HasAkismetSecretName", expect.anything(), { Ref: "AWS::NoValue" }]
    })
    expect(resolveIntrinsic(first, sample)).toBe(
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:friendlycaptcha-data-??????"
    )
    expect(slots).toHaveLength(10)
    const conditions: Record<string, unknown> = template.toJSON().Conditions
    slots.forEach((slot, i) => {
      expect(slot).toMatchObject({
        "Fn::If": [`HasCaptchaSecretName${i + 1}`, expect.anything(), { Ref: "AWS::NoValue" }]
      })
      expect(conditions[`HasCaptchaSecretName${i + 1}`]).toBeDefined()
    })
    // Deployed with the empty default, every slot is gone: no `secret:-??????` on a name
    // nobody gave.
    for (const values of [sample, ses]) {
      const { patterns } = grantedSecrets(values, webRole)
      expect(patterns.filter((p) => p.includes("friendlycaptcha-data"))).toHaveLength(1)
      for (const p of patterns) expect(p).not.toMatch(/:secret:-\?{6}$/)
    }
    expect(grantedSecrets(ses, webRole).count).toBe(1)
  })

  it("never lets the redelivery function read a captcha secret: it verifies none", () => {
    const { count, granted } = grantedSecrets(withForms, redeliveryRole)
    expect(count).toBe(1)
    for (const name of ["frc-acme", "frc-globex", "friendlycaptcha-data"]) {
      expect(granted(captchaSecret(name)), name).toBe(false)
    }
    const withFormsOnSes = { ...withForms, MailTransport: "ses", SesIdentity: "example.com" }
    expect(grantedSecrets(withFormsOnSes, redeliveryRole).count).toBe(0)
    expect(grantedSecrets(withFormsOnSes, webRole).count).toBe(3)
  })

  it("takes at most 10 captcha secret names, without an empty one, a space or a wildcard", () => {
    expect(parameters.CaptchaSecretNames).toMatchObject({ Type: "String", Default: "" })
    const names = pattern("CaptchaSecretNames")
    const ten = Array.from({ length: 10 }, (_, i) => `frc-site-${i + 1}`)
    for (const good of ["", "frc-acme", "frc-acme,frc-globex", "a/b_c+d=e.f@g-h", ten.join(",")]) {
      expect(names.test(good), good).toBe(true)
    }
    for (const bad of [
      [...ten, "frc-site-11"].join(","),
      "frc-acme,",
      ",frc-acme",
      "frc-acme,,frc-globex",
      "frc-acme, frc-globex",
      "frc-*",
      "frc-?cme",
      "*"
    ]) {
      expect(names.test(bad), bad).toBe(false)
    }
  })

  it("lets FormsFile name only a JSON file at the zip's root, passed as FORMS_FILE under /var/task", () => {
    // The zip without a forms file: nothing to name.
    expect(parameters.FormsFile).toMatchObject({ Type: "String", Default: "", AllowedValues: [""] })
    const withFile: Record<string, { AllowedValues?: string[] }> =
      artifactWithForms.template.Parameters
    expect(withFile.FormsFile?.AllowedValues).toEqual(["", "forms.json"])
    const fromFile: Values = { ...withForms, Forms: "", FormsFile: "forms.json" }
    for (const fnId of both) {
      expect(environment(fromFile, fnId, deployedWithForms)).toMatchObject({
        FORMS: "",
        FORMS_FILE: "/var/task/forms.json"
      })
      expect(environment(withForms, fnId, deployedWithForms).FORMS_FILE).toBe("")
    }
    // A list of forms as FormsFile is: the single-form settings are not required.
    expect(refused(fromFile, deployedWithForms)).toEqual([])
    expect(refused({ ...fromFile, Forms: formsJson }, deployedWithForms)).toEqual([
      "Forms and FormsFile exclude each other: give one list of forms"
    ])
  })

  it("shows Forms, FormsFile and CaptchaSecretNames together in the console's parameter form", () => {
    const groups = template.toJSON().Metadata["AWS::CloudFormation::Interface"].ParameterGroups
    const forms = groups.find(
      (g: { Label: { default: string } }) => g.Label.default === "Several forms"
    )
    expect(forms?.Parameters).toEqual(["Forms", "FormsFile", "CaptchaSecretNames"])
  })
})

describe("the shared store", () => {
  const webRole = roleOf(handler)
  const redeliveryRole = roleOf(redelivery)
  const tableArn = sample[`${tableId}.Arn`]!
  // Store on and off, with ALTCHA and with the other kinds of provider (remote, none).
  const combinations = ["on", "off"].flatMap((store) =>
    ["altcha", "friendlycaptcha-v2", "turnstile", "none"].map(
      (provider) => [store, provider, store === "on" || provider === "altcha"] as const
    )
  )
  const withStore = (store: string, provider: string): Values => ({
    ...sample,
    Store: store,
    CaptchaProvider: provider
  })
  const tables = (values: Values) => deployed(values).template.findResources("AWS::DynamoDB::Table")
  // Every statement of any policy in a deployment that names a DynamoDB action.
  const dynamodbGrants = (values: Values, roleId?: string) =>
    about(
      roleId === undefined
        ? statements(deployed(values).template)
        : statementsOf(deployed(values).template, roleId),
      "dynamodb"
    )

  it("declares Store, off by default, on or off, in the console's parameter form", () => {
    expect(parameters.Store).toMatchObject({
      Type: "String",
      Default: "off",
      AllowedValues: ["on", "off"]
    })
    const groups = template.toJSON().Metadata["AWS::CloudFormation::Interface"].ParameterGroups
    const store = groups.find(
      (g: { Label: { default: string } }) => g.Label.default === "Duplicates and replays"
    )
    expect(store?.Parameters).toEqual(["Store"])
  })

  it.each(combinations)(
    "Store=%s, CaptchaProvider=%s: the table exists: %s",
    (store, provider, exists) => {
      expect(Object.keys(tables(withStore(store, provider)))).toEqual(exists ? [tableId] : [])
    }
  )

  it("keys the table by pk (S), on demand, expiring by expiresAt, encrypted with DynamoDB's own key, destroyed with the stack", () => {
    const table = resourcesOf("AWS::DynamoDB::Table")[tableId]
    expect(table).toEqual({
      Type: "AWS::DynamoDB::Table",
      Condition: "HasStore",
      // No SSESpecification: the AWS owned key, DynamoDB's default (it always encrypts at
      // rest); no KMS key to grant or to pay per request. No point-in-time recovery: at most
      // 10 minutes of dedup state. No TableName: CloudFormation names it per stack.
      Properties: {
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true }
      },
      DeletionPolicy: "Delete",
      UpdateReplacePolicy: "Delete"
    })
    // HasStore: Store=on, or the deployment's captcha is ALTCHA.
    const conditions: Record<string, unknown> = template.toJSON().Conditions
    expect(conditions.IsAltcha).toEqual({ "Fn::Equals": [{ Ref: "CaptchaProvider" }, "altcha"] })
    expect(conditions.HasStore).toEqual({
      "Fn::Or": [{ "Fn::Equals": [{ Ref: "Store" }, "on"] }, { Condition: "IsAltcha" }]
    })
  })

  it.each(combinations)(
    "Store=%s, CaptchaProvider=%s: the web function may GetItem, PutItem and UpdateItem on that table alone: %s",
    (store, provider, exists) => {
      const values = withStore(store, provider)
      const granted = dynamodbGrants(values, webRole)
      if (!exists) {
        expect(granted).toEqual([])
        return
      }
      expect(granted).toHaveLength(1)
      const [statement] = granted
      expect(statement?.Effect).toBe("Allow")
      expect(statement?.Condition).toBeUndefined()
      expect(asList(statement!.Action).sort()).toEqual([
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem"
      ])
      expect(asList(statement!.Resource).map((r) => resolveIntrinsic(r, values))).toEqual([
        tableArn
      ])
      // Nothing on another table, an index, or the account's other tables.
      for (const other of [
        `${tableArn}/index/byState`,
        `${tableArn}-old`,
        "arn:aws:dynamodb:eu-west-1:123456789012:table/Other"
      ]) {
        expect(iamGlobMatches(resolveIntrinsic(statement!.Resource, values), other), other).toBe(
          false
        )
      }
      // No other role, and no other policy, has a DynamoDB action.
      expect(dynamodbGrants(values)).toEqual(granted)
      expect(resourcesOf("AWS::IAM::Policy")[storePolicyId]?.Properties.Roles).toEqual([
        { Ref: webRole }
      ])
    }
  )

  it("never lets the redelivery function touch the table: it calls no store", () => {
    for (const [store, provider] of combinations) {
      expect(dynamodbGrants(withStore(store, provider), redeliveryRole)).toEqual([])
    }
  })

  it.each(combinations)(
    "Store=%s, CaptchaProvider=%s: STORE_TABLE names the table, else is empty: %s",
    (store, provider, exists) => {
      const values = withStore(store, provider)
      for (const fnId of [functionId, redeliveryId]) {
        expect(environment(values, fnId).STORE_TABLE).toBe(exists ? sample[tableId] : "")
      }
    }
  )

  it("gives the functions STORE_TABLE only once the grant exists, so that no update runs them without it", () => {
    // CloudFormation orders a resource after every resource its properties refer to: the
    // table's name is picked from a list that also names the policy, in HasStore's branch
    // only (a DependsOn on a conditional policy would break without it).
    const value = handler.Environment.Variables.STORE_TABLE
    expect(value["Fn::If"][0]).toBe("HasStore")
    expect(JSON.stringify(value["Fn::If"][1])).toContain(JSON.stringify({ Ref: storePolicyId }))
    expect(resourcesOf("AWS::IAM::Policy")[storePolicyId]?.Condition).toBe("HasStore")
  })
})

describe("the HTTP API", () => {
  it("routes POST, OPTIONS and the other methods of /contact and /f/{form}, and GET, OPTIONS and the other methods of their /altcha, to the function, payload 2.0", () => {
    const routes = Object.values(template.findResources("AWS::ApiGatewayV2::Route"))
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([
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
    ])
    template.resourceCountIs("AWS::ApiGatewayV2::Integration", 1)
    const integrationId = onlyLogicalId("AWS::ApiGatewayV2::Integration")
    template.hasResourceProperties("AWS::ApiGatewayV2::Integration", {
      IntegrationType: "AWS_PROXY",
      IntegrationUri: { "Fn::GetAtt": [functionId, "Arn"] },
      PayloadFormatVersion: "2.0"
    })
    // Every route to that one integration, so `{form}` reaches the application as
    // `pathParameters.form`.
    for (const route of routes) {
      expect(route.Properties.Target).toEqual({
        "Fn::Join": ["", ["integrations/", { Ref: integrationId }]]
      })
    }
    // And API Gateway may invoke the function for each route's path (none other).
    const invokable = Object.values(resourcesOf("AWS::Lambda::Permission"))
      .filter((permission) =>
        isDeepStrictEqual(permission.Properties.FunctionName, {
          "Fn::GetAtt": [functionId, "Arn"]
        })
      )
      .map((permission) => resolveIntrinsic(permission.Properties.SourceArn, sample))
    const api = `arn:aws:execute-api:eu-west-1:123456789012:${sample[apiId]}`
    expect([...new Set(invokable)].sort()).toEqual([
      `${api}/*/*/altcha`,
      `${api}/*/*/contact`,
      `${api}/*/*/f/{form}`,
      `${api}/*/*/f/{form}/altcha`
    ])
  })

  it("leaves CORS to the application", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Api", {
      ProtocolType: "HTTP",
      CorsConfiguration: Match.absent()
    })
  })

  it("throttles the stage with the ThrottleRateLimit and ThrottleBurstLimit parameters", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: { Ref: "ThrottleRateLimit" },
        ThrottlingBurstLimit: { Ref: "ThrottleBurstLimit" }
      }
    })
    expect(parameters.ThrottleRateLimit).toMatchObject({ Type: "Number", Default: 5 })
    expect(parameters.ThrottleBurstLimit).toMatchObject({ Type: "Number", Default: 10 })
  })

  it("outputs the endpoint, a form tag to paste with the chosen provider's widget, and the URL pattern of the forms of Forms", () => {
    const json = template.toJSON()
    const outputs: Record<string, { Value: unknown }> = json.Outputs
    const endpoint = "https://abc123.execute-api.eu-west-1.amazonaws.com/contact"
    expect(resolveIntrinsic(outputs.ContactUrl?.Value, sample)).toBe(endpoint)
    const snippet = (provider: string) =>
      resolveIntrinsic(
        outputs.FormSnippet?.Value,
        { ...sample, CaptchaProvider: provider },
        json.Mappings,
        json.Conditions
      )
    const formTag = `<form action="${endpoint}" method="post">`
    expect(snippet("none")).toBe(formTag)
    expect(snippet("friendlycaptcha-v2")).toBe(
      `${formTag}<script type="module" src="https://cdn.jsdelivr.net/npm/@friendlycaptcha/sdk@0.2.0/site.min.js" async defer></script>\n` +
        `<script nomodule src="https://cdn.jsdelivr.net/npm/@friendlycaptcha/sdk@0.2.0/site.compat.min.js" async defer></script>\n` +
        `<div class="frc-captcha" data-sitekey="YOUR_SITEKEY"></div>`
    )
    expect(snippet("turnstile")).toBe(
      `${formTag}<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>\n` +
        `<div class="cf-turnstile" data-sitekey="YOUR_SITEKEY"></div>`
    )
    expect(snippet("hcaptcha")).toBe(
      `${formTag}<script src="https://js.hcaptcha.com/1/api.js" async defer></script>\n` +
        `<div class="h-captcha" data-sitekey="YOUR_SITEKEY"></div>`
    )
    // ALTCHA's widget fetches its challenge from this very API: no sitekey, no placeholder.
    expect(snippet("altcha")).toBe(
      `${formTag}<script type="module" src="/altcha.js" async defer></script>\n` +
        `<altcha-widget challenge="https://abc123.execute-api.eu-west-1.amazonaws.com/altcha" name="altcha"></altcha-widget>`
    )
    // CaptchaProvider allows exactly the table's providers.
    expect(parameters.CaptchaProvider?.AllowedValues).toEqual([...captchaProviderIds])
    // Each provider of the table gets the widget the demo page shows, ALTCHA's with the
    // challenge URL of this API.
    const challengeUrl = "https://abc123.execute-api.eu-west-1.amazonaws.com/altcha"
    for (const provider of captchaProviderIds) {
      const keys = provider === "altcha" ? { sitekey: "", challengeUrl } : undefined
      expect(snippet(provider)).toBe(`${formTag}${widgetSnippet(provider, keys)}`)
    }
    expect(resolveIntrinsic(outputs.FormUrl?.Value, sample)).toBe(
      "https://abc123.execute-api.eu-west-1.amazonaws.com/f/<id>"
    )
  })
})

describe("operations", () => {
  it("keeps each function's logs in a group of its own, and the API's access log, for LogRetentionDays", () => {
    const groups = resourcesOf("AWS::Logs::LogGroup")
    expect(Object.keys(groups).sort()).toEqual(
      [logGroupId, redeliveryLogGroupId, accessLogGroupId].sort()
    )
    for (const group of Object.values(groups)) {
      expect(group.Properties.RetentionInDays).toEqual({ Ref: "LogRetentionDays" })
    }
    expect(parameters.LogRetentionDays?.Default).toBe("30")
    const name = (id: string) => resolveIntrinsic(groups[id]!.Properties.LogGroupName, sample)
    expect(name(logGroupId)).toBe("/aws/lambda/ContactFormTest")
    expect(name(redeliveryLogGroupId)).toBe("/aws/lambda/ContactFormTest-redeliver")
  })

  // Every alarm, by what it watches: the namespace (resolved), the metric, its dimensions.
  const alarms = Object.values(resourcesOf("AWS::CloudWatch::Alarm")).map((a) => a.Properties)
  const alarmOn = (namespace: string, metricName: string, dimensions?: unknown) => {
    const found = alarms.filter(
      (a) =>
        a.Namespace !== undefined &&
        resolveIntrinsic(a.Namespace, sample) === namespace &&
        a.MetricName === metricName &&
        isDeepStrictEqual(a.Dimensions, dimensions)
    )
    expect(found, `one alarm on ${namespace} ${metricName}`).toHaveLength(1)
    return found[0]
  }
  const app = "ContactForm/ContactFormTest"
  const onFunction = (id: string) => [{ Name: "FunctionName", Value: { Ref: id } }]
  const onQueue = (id: string) => [
    { Name: "QueueName", Value: { "Fn::GetAtt": [id, "QueueName"] } }
  ]

  it.each([
    ["the web function's Errors", "AWS/Lambda", "Errors", onFunction(functionId), "Sum", 0],
    [
      "the redelivery function's Errors",
      "AWS/Lambda",
      "Errors",
      onFunction(redeliveryId),
      "Sum",
      0
    ],
    ["deliveries that failed and were not kept", app, "DeliveryFailed", undefined, "Sum", 0],
    ["messages kept after a permanent failure", app, "Kept", undefined, "Sum", 0],
    ["redeliveries that failed again", app, "RedeliveryFailed", undefined, "Sum", 0],
    ["unknown outcomes nothing kept", app, "DeliveryUnknown", undefined, "Sum", 0],
    [
      "messages in the dead-letter queue",
      "AWS/SQS",
      "ApproximateNumberOfMessagesVisible",
      onQueue(deadLettersId),
      "Maximum",
      0
    ],
    [
      "messages in the dead-letter queue of earlier versions",
      "AWS/SQS",
      "ApproximateNumberOfMessagesVisible",
      onQueue(legacyDeadLettersId),
      "Maximum",
      0
    ],
    [
      "a queued message older than an hour",
      "AWS/SQS",
      "ApproximateAgeOfOldestMessage",
      onQueue(queueId),
      "Maximum",
      3_600
    ]
  ])(
    "alarms on %s, notifying AlarmEmail if set",
    (_, namespace, metric, dimensions, statistic, above) => {
      expect(alarmOn(namespace, metric, dimensions)).toMatchObject({
        Statistic: statistic,
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: above,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "notBreaching",
        AlarmActions: {
          "Fn::If": ["HasAlarmEmail", [{ Ref: "AlarmTopic" }], { Ref: "AWS::NoValue" }]
        }
      })
    }
  )

  it("alarms on a channel failing, whichever channel other than mail: the sum of ChannelFailed over the channels table", () => {
    const [alarm, ...others] = alarms.filter((a) => a.Metrics !== undefined)
    expect(others).toEqual([])
    expect(alarm).toMatchObject({
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
      AlarmActions: {
        "Fn::If": ["HasAlarmEmail", [{ Ref: "AlarmTopic" }], { Ref: "AWS::NoValue" }]
      }
    })
    type Query = {
      Id: string
      Expression?: string
      ReturnData?: boolean
      MetricStat?: {
        Metric: { Namespace: unknown; MetricName: string; Dimensions: unknown }
        Period: number
        Stat: string
      }
    }
    const queries: Query[] = alarm!.Metrics
    const [sum] = queries.filter((q) => q.Expression !== undefined)
    const stats = queries.filter((q) => q.MetricStat !== undefined)
    // One metric per channel kind but mail (whose failures DeliveryFailures and
    // KeptMessages watch), each with its Channel dimension, summed with gaps as 0.
    expect(stats.map((q) => q.MetricStat?.Metric.Dimensions)).toEqual(
      channelKinds
        .filter((kind) => kind !== "mail")
        .map((kind) => [{ Name: "Channel", Value: kind }])
    )
    for (const q of stats) {
      expect(q.MetricStat).toMatchObject({
        Period: 300,
        Stat: "Sum",
        Metric: { MetricName: "ChannelFailed" }
      })
      expect(resolveIntrinsic(q.MetricStat?.Metric.Namespace, sample)).toBe(app)
      expect(sum?.Expression).toContain(`FILL(${q.Id}, 0)`)
    }
    expect(sum?.Expression?.split("+")).toHaveLength(channelKinds.length - 1)
  })

  it("has no other alarm, and reads the application's metrics where it writes them", () => {
    expect(alarms).toHaveLength(10)
    // The application's EMF metrics, not log metric filters.
    template.resourceCountIs("AWS::Logs::MetricFilter", 0)
    expect(resolveIntrinsic(handler.Environment.Variables.METRICS_NAMESPACE, sample)).toBe(app)
    expect(resolveIntrinsic(redelivery.Environment.Variables.METRICS_NAMESPACE, sample)).toBe(app)
    template.hasResource("AWS::SNS::Subscription", {
      Condition: "HasAlarmEmail",
      Properties: { Protocol: "email", Endpoint: { Ref: "AlarmEmail" } }
    })
  })
})

// cfn-lint comes from Python (pip), not npm. Missing locally: the test says so and is
// skipped; missing in CI: the test fails, so that a broken template cannot pass unseen.
const cfnLintMissing = spawnSync("cfn-lint", ["--version"]).error !== undefined
if (cfnLintMissing && !process.env.CI) {
  console.warn("skipping the cfn-lint test: cfn-lint is not on PATH (pip install cfn-lint)")
}

// From the repository root, so that .cfnlintrc (and its ignored warnings) applies.
const cfnLint = cfnLintMissing
  ? undefined
  : run("cfn-lint", [
      "--format",
      "json",
      artifact.templateFullPath,
      artifactWithForms.templateFullPath
    ])

describe("cfn-lint", () => {
  it.skipIf(cfnLintMissing && !process.env.CI)(
    "finds no error in the templates, with and without a forms file",
    async () => {
      expect(cfnLintMissing, "cfn-lint must be on PATH in CI").toBe(false)
      const { status, stdout, stderr } = await cfnLint!
      const matches: { Level: string; Rule: { Id: string }; Message: string }[] = JSON.parse(
        stdout || "[]"
      )
      for (const m of matches) console.warn(`cfn-lint ${m.Level} ${m.Rule.Id}: ${m.Message}`)
      expect(matches.filter((m) => m.Level === "Error")).toEqual([])
      expect([0, 4], stderr).toContain(status)
    }
  )
})

// The entry point `cdk` runs (cdk.json), on the real dist/lambda.zip that `npm test`
// builds first; without it (infra tests run alone, before any build) there is nothing to run.
const builtZip = join(root, "dist/lambda.zip")
const built = existsSync(builtZip)
if (!built) console.warn("skipping the app test: run `npm run build` first")
const appOutdir = join(work, "cli.out")
const appRun = built
  ? run(join(root, "node_modules/.bin/tsx"), ["infra/app.ts"], {
      ...process.env,
      CDK_OUTDIR: appOutdir,
      CDK_CONTEXT_JSON: '{"stackName":"ContactFormSmoke"}'
    })
  : undefined

describe("infra/app.ts", () => {
  it.skipIf(!built)(
    "synthesizes where the CDK CLI asks, under a stack name from context",
    async () => {
      const { status, stderr } = await appRun!
      expect(status, stderr).toBe(0)
      expect(existsSync(join(appOutdir, "ContactFormSmoke.template.json"))).toBe(true)
    }
  )
})
