// The example as a CDK app of its own:
//   npm run build && npx cdk synth --app "npx tsx infra/examples/app.ts"
// (deploy it the same way, with `cdk deploy`). infra/test/example.test.ts synthesizes it,
// runs cdk-nag's AwsSolutions pack and cfn-lint on it.
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { App } from "aws-cdk-lib"
import { ExampleStack } from "./stack.js"

const codePath = fileURLToPath(new URL("../../dist/lambda.zip", import.meta.url))
if (!existsSync(codePath)) {
  console.error("dist/lambda.zip is missing: run `npm run build` first.")
  process.exit(1)
}

const app = new App()
new ExampleStack(app, "ContactFormExample", {
  description: "contact-form-backend's example: two sites' forms, mail with Slack and a webhook",
  codePath
})
app.synth()
