// The example app (infra/examples/): the construct in a stack of a site's own with two
// forms, one delivering to mail and Slack, the other to mail and a webhook. Synthesized
// once; cdk-nag's AwsSolutions pack and cfn-lint on it; its entry run as `cdk` runs it.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { App } from "aws-cdk-lib"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { readConfig } from "../../src/config/read-config"
import { ExampleStack } from "../examples/stack.js"
import { iamGlobMatches, resolveIntrinsic } from "./intrinsics.js"
import {
  acknowledgments,
  asList,
  cfnLint,
  cfnLintMissing,
  nagFindings,
  onlyId,
  roleOf,
  root,
  run,
  skipCfnLint,
  standInZip,
  statementsOf,
  variablesOf,
  workDir
} from "./support.js"

const work = workDir("contact-form-example-")
const codePath = standInZip(join(work, "lambda.zip"))
const app = new App({ outdir: join(work, "cdk.out") })
const stack = new ExampleStack(app, "ContactFormExample", { codePath })
const artifact = app.synth().getStackArtifact(stack.artifactId)
const template = artifact.template
type Resources = Parameters<typeof statementsOf>[0]
const resources: Resources = template.Resources
const web = onlyId(resources, "AWS::Lambda::Function", (p) => p.Handler === "index.handler")
const redelivery = onlyId(
  resources,
  "AWS::Lambda::Function",
  (p) => p.Handler === "index.redeliver"
)

const values = {
  "AWS::Partition": "aws",
  "AWS::Region": "eu-west-1",
  "AWS::AccountId": "123456789012"
}
const readable = (fnId: string) => {
  const patterns = statementsOf(resources, roleOf(resources, fnId))
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

// The entry, on the real dist/lambda.zip that `npm test` builds first; without it there is
// nothing to run. Started when the file loads: it takes seconds.
const built = existsSync(join(root, "dist/lambda.zip"))
if (!built) console.warn("skipping the example's entry: run `npm run build` first")
const entryOut = join(work, "entry.out")
const entry = built
  ? run(join(root, "node_modules/.bin/tsx"), ["infra/examples/app.ts"], {
      ...process.env,
      CDK_OUTDIR: entryOut
    })
  : undefined
const linted = skipCfnLint ? undefined : cfnLint([artifact.templateFullPath])

describe("the example app", () => {
  it("serves two forms, acme to mail and Slack, globex to mail and a webhook", () => {
    const env = variablesOf(resources, web)
    const forms = JSON.parse(String(env.FORMS))
    expect(Object.keys(forms)).toEqual(["acme", "globex"])
    expect(forms.acme).toMatchObject({ channels: ["mail", "slack"], slackSecretId: "acme-slack" })
    expect(forms.globex).toMatchObject({
      channels: ["mail", "webhook"],
      webhookUrl: "https://crm.globex.example/hooks/contact",
      webhookSecretId: "globex-webhook"
    })
    // No single form: /contact answers 404.
    expect(env.MAIL_TO).toBeUndefined()
  })

  it("lets both functions read both forms' channel secrets, and only the web function the captcha's", () => {
    for (const fnId of [web, redelivery]) {
      const { can } = readable(fnId)
      expect(can("acme-slack")).toBe(true)
      expect(can("globex-webhook")).toBe(true)
    }
    expect(readable(web).can("turnstile-keys")).toBe(true)
    expect(readable(web).count).toBe(3)
    // SES: no SMTP secret; redelivery verifies no captcha.
    expect(readable(redelivery).count).toBe(2)
  })

  it("writes a configuration the application accepts, reading the secrets it is granted", () => {
    const ids = (type: string) =>
      Object.entries(resources)
        .filter(([, r]) => r.Type === type)
        .map(([id]) => id)
    const deployed = {
      ...values,
      "AWS::StackName": "ContactFormExample",
      "AWS::StackId":
        "arn:aws:cloudformation:eu-west-1:123456789012:stack/ContactFormExample/51af3dc0-da77-11e4-872e-1234567db123",
      ...Object.fromEntries(
        ids("AWS::SQS::Queue").map((id) => [
          id,
          `https://sqs.eu-west-1.amazonaws.com/123456789012/${id}`
        ])
      ),
      ...Object.fromEntries(ids("AWS::DynamoDB::Table").map((id) => [id, `Example-${id}`])),
      ...Object.fromEntries(ids("AWS::IAM::Policy").map((id) => [id, id]))
    }
    const variables = variablesOf(resources, web)
    const env = Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [name, resolveIntrinsic(value, deployed)])
    )
    const result = Effect.runSync(
      Effect.result(readConfig({ ...env, AWS_REGION: "eu-west-1" }, { runtime: "lambda" }))
    )
    expect(Result.isFailure(result) ? result.failure.problems : []).toEqual([])
    const config = Result.getOrThrow(result)
    expect([...config.forms.keys()]).toEqual(["acme", "globex"])
    expect(config.forms.get("acme")?.channels).toEqual([
      { kind: "mail" },
      { kind: "slack", secretId: "acme-slack" }
    ])
    expect(config.forms.get("globex")?.channels).toEqual([
      { kind: "mail" },
      {
        kind: "webhook",
        url: "https://crm.globex.example/hooks/contact",
        secretId: "globex-webhook"
      }
    ])
    // The captcha secret the application reads is the one granted; SES needs none for mail.
    for (const form of config.forms.values()) expect(form.captchaSecretId).toBe("turnstile-keys")
  })

  it("is decided in the code: no parameter of its own, no condition", () => {
    expect(Object.keys(template.Parameters ?? {})).toEqual(["BootstrapVersion"])
    expect(template.Conditions).toBeUndefined()
  })

  it("passes cdk-nag's AwsSolutions pack: no finding that is not acknowledged, warnings included", () => {
    expect(nagFindings(app)).toEqual([])
    const acks = acknowledgments(app)
    for (const ack of acks) expect(ack.reason.length, ack.id).toBeGreaterThan(40)
    expect([...new Set(acks.map((a) => a.id))].sort()).toEqual([
      "AwsSolutions-APIG4",
      "AwsSolutions-DDB3",
      "AwsSolutions-SNS2"
    ])
  })

  it.skipIf(skipCfnLint)("passes cfn-lint", async () => {
    expect(cfnLintMissing, "cfn-lint must be on PATH in CI").toBe(false)
    const { status, stderr, matches } = await linted!
    for (const m of matches) console.warn(`cfn-lint ${m.Level} ${m.Rule.Id}: ${m.Message}`)
    expect(matches.filter((m) => m.Level === "Error")).toEqual([])
    expect([0, 4], stderr).toContain(status)
  })

  it.skipIf(!built)("synthesizes from its entry, as `cdk synth --app` runs it", async () => {
    const { status, stderr } = await entry!
    expect(status, stderr).toBe(0)
    expect(existsSync(join(entryOut, "ContactFormExample.template.json"))).toBe(true)
  })
})
