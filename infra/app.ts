// The CDK app: `npx cdk deploy` (via cdk.json) and `npm run synth` both run this file.
//
// Synthesis needs no AWS credentials: the stack is environment-agnostic (account and
// region come from the deploy) and nothing is looked up. The default synthesizer is kept
// on purpose: it publishes the zip to the bootstrap bucket, so `cdk bootstrap` once per
// account and region is all `cdk deploy` needs (BootstraplessSynthesizer cannot publish
// assets at all).
import { existsSync } from "node:fs"
import { relative } from "node:path"
import { fileURLToPath } from "node:url"
import { App } from "aws-cdk-lib"
import { ContactFormStack } from "./stack.js"

const root = fileURLToPath(new URL("..", import.meta.url))
const codePath = fileURLToPath(new URL("../dist/lambda.zip", import.meta.url))

if (!existsSync(codePath)) {
  console.error(`${relative(root, codePath)} is missing: run \`npm run build\` first.`)
  process.exit(1)
}

// The CDK CLI says where it wants the cloud assembly (CDK_OUTDIR, `--output`); run
// directly, the app writes to cdk.out/ at the repository root, where the CLI looks too.
const underCli = process.env.CDK_OUTDIR !== undefined
const app = new App({ outdir: process.env.CDK_OUTDIR ?? `${root}cdk.out` })

// One stack per site: `npx cdk deploy -c stackName=ContactFormExampleOrg …`.
const stackName: unknown = app.node.tryGetContext("stackName")
const stack = new ContactFormStack(
  app,
  typeof stackName === "string" ? stackName : "ContactFormBackend",
  {
    description: "contact-form-backend: a contact form's POST endpoint (Lambda, HTTP API, SES)",
    codePath
  }
)

const assembly = app.synth()
if (!underCli) {
  const template = assembly.getStackArtifact(stack.artifactId).templateFullPath
  console.log(`synthesized ${stack.stackName}: ${relative(process.cwd(), template)}`)
}
