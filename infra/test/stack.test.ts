// The synthesized template, asserted resource by resource; then cfn-lint on it, and the
// CDK app entry run the way `cdk` runs it. One synthesis for the whole file.
import { execFile, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import AdmZip from "adm-zip"
import { App } from "aws-cdk-lib"
import { Match, Template } from "aws-cdk-lib/assertions"
import { afterAll, describe, expect, it } from "vitest"
import { ContactFormStack } from "../stack.js"
import { iamGlobMatches, resolveIntrinsic, type Values } from "./intrinsics.js"

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

const onlyLogicalId = (type: string): string => {
  const [id, ...others] = Object.keys(template.findResources(type))
  if (id === undefined || others.length > 0) throw new Error(`expected one ${type}`)
  return id
}
const functionId = onlyLogicalId("AWS::Lambda::Function")
const apiId = onlyLogicalId("AWS::ApiGatewayV2::Api")
const logGroupId = onlyLogicalId("AWS::Logs::LogGroup")
const handler = template.findResources("AWS::Lambda::Function")[functionId]!.Properties
const parameters: Record<
  string,
  { Default?: unknown; Type: string; MinLength?: number; AllowedPattern?: string }
> = template.toJSON().Parameters

// Deploy-time values: the parameters' defaults plus the required ones and the pseudo
// parameters, as CloudFormation would substitute them in eu-west-1.
const sample: Values = {
  ...Object.fromEntries(
    Object.entries(parameters).flatMap(([name, p]) =>
      p.Default === undefined ? [] : [[name, String(p.Default)]]
    )
  ),
  "AWS::Partition": "aws",
  "AWS::Region": "eu-west-1",
  "AWS::AccountId": "123456789012",
  "AWS::StackName": "ContactFormTest",
  [`${apiId}.ApiEndpoint`]: "https://abc123.execute-api.eu-west-1.amazonaws.com"
}
const secretArn = (name: string, account = "123456789012", region = "eu-west-1") =>
  `arn:aws:secretsmanager:${region}:${account}:secret:${name}`

type Statement = { Action: string | string[]; Resource: unknown; Effect: string }
const statements = (): Statement[] =>
  Object.values(template.findResources("AWS::IAM::Policy")).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement
  )
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value])

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

describe("the function", () => {
  it("runs the built zip on nodejs24.x, arm64, index.handler", () => {
    expect(handler).toMatchObject({
      Runtime: "nodejs24.x",
      Architectures: ["arm64"],
      Handler: "index.handler",
      LoggingConfig: { LogGroup: { Ref: logGroupId } }
    })
    // Deployed as is: a file asset with the very bytes of the zip, not a rebundled copy.
    const manifest = JSON.parse(
      readFileSync(join(work, "cdk.out", `${stack.artifactId}.assets.json`), "utf8")
    )
    const assets = Object.values<{ source: { path: string; packaging: string } }>(manifest.files)
    const code = assets.find((asset) => asset.source.path.endsWith(".zip"))
    expect(code?.source.packaging).toBe("file")
    expect(readFileSync(join(work, "cdk.out", code!.source.path))).toEqual(readFileSync(codePath))
  })

  it("outlives every application time limit and stays below API Gateway's 29 s", () => {
    const env: Record<string, string> = handler.Environment.Variables
    const budgetMs =
      Number(env.CAPTCHA_TIMEOUT_MS) +
      2 * Number(env.SECRETS_TIMEOUT_MS) +
      Number(env.MAIL_TIMEOUT_MS)
    expect(budgetMs).toBeGreaterThanOrEqual(4_000 + 3_000 + 3_000 + 10_000)
    expect(handler.Timeout * 1000).toBeGreaterThan(budgetMs)
    expect(handler.Timeout).toBeLessThan(29)
  })

  it("gets every SPEC section 6 variable the stack sets, from the parameters", () => {
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
      ALLOWED_ORIGINS: { Ref: "AllowedOrigins" },
      CAPTCHA_PROVIDER: { Ref: "CaptchaProvider" },
      CAPTCHA_VERIFY_URL: { Ref: "CaptchaVerifyUrl" },
      SUBJECT_PREFIX: { Ref: "SubjectPrefix" },
      SMTP_URL: { Ref: "SmtpUrl" },
      SMTP_SECRET_ID: { Ref: "SmtpSecretName" },
      CAPTCHA_SECRET_ID: { Ref: "CaptchaSecretName" },
      SECRETS_TTL_SECONDS: { Ref: "SecretsTtlSeconds" },
      MAX_BODY_BYTES: { Ref: "MaxBodyBytes" },
      LOG_LEVEL: { Ref: "LogLevel" },
      CAPTCHA_TIMEOUT_MS: "4000",
      SECRETS_TIMEOUT_MS: "3000",
      MAIL_TIMEOUT_MS: "10000"
    })
    // Required settings have no default and cannot be empty; optional ones default to "".
    for (const name of ["MailFrom", "MailTo", "SuccessUrl", "FallbackEmail"]) {
      expect(parameters[name]).toMatchObject({ Type: "String", MinLength: 1 })
      expect(parameters[name]?.Default).toBeUndefined()
    }
    for (const name of ["SuccessUrlDe", "FallbackPhone", "AllowedOrigins", "SmtpUrl"]) {
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
})

describe("permissions", () => {
  const secretStatements = () =>
    statements().filter((s) => asList(s.Action).some((a) => a.startsWith("secretsmanager:")))

  it("reads exactly the two secrets, whatever their random ARN suffix", () => {
    const [statement, ...others] = secretStatements()
    expect(others).toEqual([])
    expect(statement?.Action).toEqual("secretsmanager:GetSecretValue")
    const patterns = asList(statement?.Resource).map((r) => resolveIntrinsic(r, sample))
    expect(patterns).toHaveLength(2)
    const granted = (arn: string) => patterns.some((pattern) => iamGlobMatches(pattern, arn))

    expect(granted(secretArn("smtp-ses-credentials-AbC123"))).toBe(true)
    expect(granted(secretArn("friendlycaptcha-data-x9Yz0Q"))).toBe(true)
    // Another secret whose name merely starts with ours, or another account or region.
    expect(granted(secretArn("smtp-ses-credentials-other-AbC123"))).toBe(false)
    expect(granted(secretArn("smtp-ses-credentialsX-AbC123"))).toBe(false)
    expect(granted(secretArn("friendlycaptcha-data-old-x9Yz0Q"))).toBe(false)
    expect(granted(secretArn("smtp-ses-credentials-AbC123", "210987654321"))).toBe(false)
    expect(granted(secretArn("smtp-ses-credentials-AbC123", undefined, "us-east-1"))).toBe(false)
    // The names reach the function as its secret ids.
    expect(handler.Environment.Variables.SMTP_SECRET_ID).toEqual({ Ref: "SmtpSecretName" })
  })

  it("grants nothing on '*'", () => {
    for (const statement of statements()) {
      for (const resource of asList(statement.Resource)) expect(resource).not.toBe("*")
    }
    for (const statement of secretStatements()) {
      for (const r of asList(statement.Resource))
        expect(resolveIntrinsic(r, sample)).not.toContain("*")
    }
    expect(
      template.findResources("AWS::IAM::Role", {
        Properties: { ManagedPolicyArns: Match.anyValue() }
      })
    ).toEqual({})
  })

  it("decrypts with a customer-managed key only when SecretsKmsKeyArn is set", () => {
    expect(parameters.SecretsKmsKeyArn?.Default).toBe("")
    const kms = Object.values(template.findResources("AWS::IAM::Policy")).filter((policy) =>
      JSON.stringify(policy).includes("kms:")
    )
    expect(kms).toHaveLength(1)
    expect(kms[0]?.Condition).toBe("HasSecretsKmsKey")
    const [statement, ...others] = kms[0]!.Properties.PolicyDocument.Statement
    expect(others).toEqual([])
    expect(statement).toMatchObject({
      Action: "kms:Decrypt",
      Resource: { Ref: "SecretsKmsKeyArn" }
    })
    // Only for decryptions Secrets Manager makes on the function's behalf.
    const via = statement.Condition.StringEquals["kms:ViaService"]
    expect(resolveIntrinsic(via, sample)).toBe("secretsmanager.eu-west-1.amazonaws.com")
    template.hasCondition("HasSecretsKmsKey", {
      "Fn::Not": [{ "Fn::Equals": [{ Ref: "SecretsKmsKeyArn" }, ""] }]
    })
  })
})

describe("the HTTP API", () => {
  it("routes POST, OPTIONS and the other methods of /contact to the function, payload 2.0", () => {
    const routes = Object.values(template.findResources("AWS::ApiGatewayV2::Route"))
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([
      "ANY /contact",
      "OPTIONS /contact",
      "POST /contact"
    ])
    template.resourceCountIs("AWS::ApiGatewayV2::Integration", 1)
    template.hasResourceProperties("AWS::ApiGatewayV2::Integration", {
      IntegrationType: "AWS_PROXY",
      IntegrationUri: { "Fn::GetAtt": [functionId, "Arn"] },
      PayloadFormatVersion: "2.0"
    })
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

  it("outputs the endpoint and a form tag to paste", () => {
    const outputs: Record<string, { Value: unknown }> = template.toJSON().Outputs
    const endpoint = "https://abc123.execute-api.eu-west-1.amazonaws.com/contact"
    expect(resolveIntrinsic(outputs.ContactUrl?.Value, sample)).toBe(endpoint)
    expect(resolveIntrinsic(outputs.FormSnippet?.Value, sample)).toBe(
      `<form action="${endpoint}" method="post">`
    )
  })
})

describe("operations", () => {
  it("keeps the logs for LogRetentionDays", () => {
    template.hasResourceProperties("AWS::Logs::LogGroup", {
      RetentionInDays: { Ref: "LogRetentionDays" }
    })
    expect(parameters.LogRetentionDays?.Default).toBe("30")
    const name = template.findResources("AWS::Logs::LogGroup")[logGroupId]!.Properties.LogGroupName
    expect(resolveIntrinsic(name, sample)).toBe("/aws/lambda/ContactFormTest")
  })

  it("alarms on the function's Errors and on failed deliveries, notifying AlarmEmail if set", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: functionId } }],
      Statistic: "Sum",
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
      AlarmActions: {
        "Fn::If": ["HasAlarmEmail", [{ Ref: "AlarmTopic" }], { Ref: "AWS::NoValue" }]
      }
    })
    template.hasResourceProperties("AWS::Logs::MetricFilter", {
      LogGroupName: { Ref: logGroupId },
      FilterPattern: '"delivery_failed"',
      MetricTransformations: [Match.objectLike({ MetricName: "DeliveryFailed", MetricValue: "1" })]
    })
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "DeliveryFailed",
      Threshold: 1
    })
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
  : run("cfn-lint", ["--format", "json", artifact.templateFullPath])

describe("cfn-lint", () => {
  it.skipIf(cfnLintMissing && !process.env.CI)("finds no error in the template", async () => {
    expect(cfnLintMissing, "cfn-lint must be on PATH in CI").toBe(false)
    const { status, stdout, stderr } = await cfnLint!
    const matches: { Level: string; Rule: { Id: string }; Message: string }[] = JSON.parse(
      stdout || "[]"
    )
    for (const m of matches) console.warn(`cfn-lint ${m.Level} ${m.Rule.Id}: ${m.Message}`)
    expect(matches.filter((m) => m.Level === "Error")).toEqual([])
    expect([0, 4], stderr).toContain(status)
  })
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
