// How many forms fit in Forms (contract §10): Lambda refuses a function whose
// environment exceeds 4 KB, measured as the variables' JSON object, names and values, with
// every quote of a value escaped ("String measured: {"A":"b",…}" in its error; LocalStack
// measures it the same way, json.dumps with no spaces). FORMS shares that with every other
// variable the stack sets, so the figure is computed from the synthesized template as a
// typical deployment resolves it, not estimated: if the stack's environment grows, the
// figure (and docs/contract.md §10 and the Forms description quoting it) must follow.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { App } from "aws-cdk-lib"
import { describe, expect, it } from "vitest"
import { TYPICAL_FORMS_THAT_FIT } from "../forms.js"
import { ContactFormStack } from "../stack.js"
import { deployWith, resolveIntrinsic, type Values } from "./intrinsics.js"
import { standInZip, workDir } from "./support.js"

const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096

/** Where the figures are quoted for the reader. */
const contract = readFileSync(new URL("../../docs/contract.md", import.meta.url), "utf8").replace(
  /\s+/g,
  " "
)

const work = workDir("contact-form-env-")
const codePath = standInZip(join(work, "lambda.zip"))
const app = new App({ outdir: join(work, "cdk.out") })
const stack = new ContactFormStack(app, "ContactFormBackend", { codePath })
const template = app.synth().getStackArtifact(stack.artifactId).template

type Resource = { Type: string; Properties: Record<string, unknown> }
const resources: Record<string, Resource> = template.Resources
const idOf = (type: string, test: (p: Record<string, unknown>) => boolean = () => true) => {
  const [id, ...others] = Object.entries(resources)
    .filter(([, r]) => r.Type === type && test(r.Properties))
    .map(([id]) => id)
  if (id === undefined || others.length > 0) throw new Error(`expected one ${type}`)
  return id
}
const queueId = idOf(
  "AWS::SQS::Queue",
  (p) => p.FifoQueue === true && p.RedrivePolicy !== undefined
)
const functionId = idOf("AWS::Lambda::Function", (p) => p.Handler === "index.handler")
const tableId = idOf("AWS::DynamoDB::Table")
const storePolicyId = idOf("AWS::IAM::Policy", (p) => JSON.stringify(p).includes("dynamodb:"))

// A typical deployment of several forms: the parameters' defaults, a deployment-wide
// sender, the EU verify endpoint, no default form, the shared store on (its table's name
// is the longest value the stack adds: the figure holds with or without it); names as
// long as AWS makes them (a CloudFormation queue name is stack, logical id and a
// 12-character suffix, a table's the same with a 13-character one).
const parameters: Record<string, { Default?: unknown }> = template.Parameters
const typical: Values = {
  ...Object.fromEntries(
    Object.entries(parameters).flatMap(([name, p]) =>
      p.Default === undefined ? [] : [[name, String(p.Default)]]
    )
  ),
  MailFrom: "Contact form <forms@agency-example.com>",
  CaptchaVerifyUrl: "https://eu.frcapi.com/api/v2/captcha/siteverify",
  "AWS::Partition": "aws",
  "AWS::Region": "eu-central-1",
  "AWS::AccountId": "123456789012",
  "AWS::StackName": "ContactFormBackend",
  "AWS::StackId":
    "arn:aws:cloudformation:eu-central-1:123456789012:stack/ContactFormBackend/51af3dc0-da77-11e4-872e-1234567db123",
  [queueId]: `https://sqs.eu-central-1.amazonaws.com/123456789012/ContactFormBackend-${queueId}-AbCdEfGhIjKl`,
  Store: "on",
  [tableId]: `ContactFormBackend-${tableId}-1ABCDEFGHIJKL`,
  [storePolicyId]: "Conta-Store-1ABCDEFGHIJK"
}

/** The web function's environment as deployed with `values`, every value resolved. */
const environmentWith = (values: Values): Record<string, string> => {
  const deployed = deployWith(template, values).template.Resources[functionId] as Resource
  const variables = (deployed.Properties.Environment as { Variables: Record<string, unknown> })
    .Variables
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, resolveIntrinsic(value, values)])
  )
}

/** What Lambda measures. */
const measured = (environment: Record<string, string>) =>
  Buffer.byteLength(JSON.stringify(environment), "utf8")

// One form as contract §10 shows it: every setting but the phone, a language of its own
// success page, one origin, its own captcha secret; a domain of about 20 characters.
const typicalForm = (n: number) => {
  const nn = String(n).padStart(2, "0")
  const domain = `client-${nn}-example.com`
  return [
    `client-${nn}`,
    {
      to: `Office <office@${domain}>`,
      successUrl: `https://www.${domain}/thanks`,
      successUrls: { de: `https://www.${domain}/de/danke` },
      origins: [`https://www.${domain}`],
      fallbackEmail: `office@${domain}`,
      subjectPrefix: `[Client ${nn}] `,
      from: `Client ${nn} website <forms@${domain}>`,
      captchaSecretId: `frc-client-${nn}`
    }
  ] as const
}
const typicalForms = (count: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => typicalForm(i + 1)))

// The least a form can say (contract §10's required settings; the rest from the deployment).
const minimalForms = (count: number) =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => {
      const [id, form] = typicalForm(i + 1)
      return [id, { to: form.to, successUrl: form.successUrl, fallbackEmail: form.fallbackEmail }]
    })
  )

type Write = (count: number) => string
const compact: Write = (count) => JSON.stringify(typicalForms(count))

/** The size with `count` forms in Forms, as `write` writes them. */
const sizeWith = (count: number, write = compact) =>
  measured(environmentWith({ ...typical, Forms: write(count) }))

/** The most forms that fit, counted up until one more would not. */
const mostThatFit = (write = compact) => {
  let count = 0
  while (sizeWith(count + 1, write) <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) count++
  return count
}

describe("Lambda's 4 KB environment", () => {
  const rest = measured(environmentWith(typical))
  const fit = mostThatFit()

  it(`holds ${TYPICAL_FORMS_THAT_FIT} typical forms in Forms beside the other variables, not one more`, () => {
    const one = sizeWith(1) - rest
    console.info(
      `Forms: ${fit} typical forms fit (${sizeWith(fit)} of ${LAMBDA_ENVIRONMENT_LIMIT_BYTES} bytes); ` +
        `the rest of the environment takes ${rest} bytes, one form about ${one} bytes as measured`
    )
    expect(sizeWith(fit)).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_LIMIT_BYTES)
    expect(sizeWith(fit + 1)).toBeGreaterThan(LAMBDA_ENVIRONMENT_LIMIT_BYTES)
    // The figure the Forms description and docs/contract.md §10 quote.
    expect(fit).toBe(TYPICAL_FORMS_THAT_FIT)
    expect(contract).toContain(
      `**${fit} typical forms fit** (${sizeWith(fit).toLocaleString("en")} of`
    )
  })

  it("counts the escaped quotes of FORMS, and whitespace: pretty-printed JSON holds fewer forms", () => {
    const forms = compact(1)
    // Each quote of the value costs two bytes once the environment is JSON.
    const quotes = forms.split('"').length - 1
    expect(sizeWith(1) - rest).toBe(Buffer.byteLength(forms) + quotes)
    const pretty = mostThatFit((count) => JSON.stringify(typicalForms(count), null, 2))
    console.info(`Forms: ${pretty} typical forms fit pretty-printed (jq -c first)`)
    expect(pretty).toBeLessThan(fit)
  })

  it("holds more forms that leave the sender, prefix, origins and captcha to the deployment", () => {
    const minimal = mostThatFit((count) => JSON.stringify(minimalForms(count)))
    console.info(`Forms: ${minimal} minimal forms fit (to, successUrl, fallbackEmail)`)
    // docs/contract.md §10 quotes this figure too (16 before the channels' and spam's variables).
    expect(minimal).toBe(15)
    expect(contract).toContain(`${minimal} minimal ones`)
  })
})
