// What the infra tests share: a stand-in for dist/lambda.zip, cdk-nag's AwsSolutions pack
// run on an app's construct tree, the acknowledgments written in the code, cfn-lint, and
// reading a role's grants out of a template.
import { execFile, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { isDeepStrictEqual } from "node:util"
import AdmZip from "adm-zip"
import { Validations } from "aws-cdk-lib"
import { AwsSolutionsChecks } from "cdk-nag"
import type { IConstruct } from "constructs"
import { afterAll } from "vitest"

export const root = fileURLToPath(new URL("../..", import.meta.url))

/** A directory of the test's own, removed after the file's tests. */
export const workDir = (prefix: string) => {
  const work = mkdtempSync(join(tmpdir(), prefix))
  afterAll(() => rmSync(work, { recursive: true, force: true }))
  return work
}

/** A zip standing in for dist/lambda.zip, with `files` beside index.mjs. */
export const standInZip = (path: string, files: Readonly<Record<string, string>> = {}) => {
  const zip = new AdmZip()
  zip.addFile("index.mjs", Buffer.from("export const handler = async () => ({})\n"))
  for (const [name, content] of Object.entries(files)) zip.addFile(name, Buffer.from(content))
  zip.writeZip(path)
  return path
}

/** cdk-nag's AwsSolutions findings, warnings and errors, that nothing acknowledges. */
export const nagFindings = (scope: IConstruct) =>
  new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(scope).violations.map((v) => ({
    rule: v.ruleName,
    severity: v.severity,
    resources: v.violatingResources.map((r) => r.constructPath),
    description: v.description
  }))

/** Every acknowledgment (suppression) written on the tree: where, which rule, why. */
export const acknowledgments = (scope: IConstruct) =>
  scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ""),
          reason
        }))
      )
  )

// cfn-lint comes from Python (pip), not npm. Missing locally: the test says so and is
// skipped; missing in CI: the test fails, so that a broken template cannot pass unseen.
export const cfnLintMissing = spawnSync("cfn-lint", ["--version"]).error !== undefined
export const skipCfnLint = cfnLintMissing && !process.env.CI
if (skipCfnLint) console.warn("skipping cfn-lint: it is not on PATH (pip install cfn-lint)")

export type Run = { status: number | null; stdout: string; stderr: string }
export const run = (file: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  new Promise<Run>((resolve) => {
    execFile(file, args, { cwd: root, env, encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({
        status: error === null ? 0 : typeof error.code === "number" ? error.code : null,
        stdout,
        stderr
      })
    )
  })

/** cfn-lint's findings on the templates, run from the repository root (.cfnlintrc applies). */
export const cfnLint = async (templates: string[]) => {
  const { status, stdout, stderr } = await run("cfn-lint", ["--format", "json", ...templates])
  const matches: { Level: string; Rule: { Id: string }; Message: string }[] = JSON.parse(
    stdout || "[]"
  )
  return { status, stderr, matches }
}

export type Statement = {
  Sid?: string
  Action: string | string[]
  Resource: unknown
  Effect: string
}
type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>

export const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value])

/** The statements of every policy attached to a role, in a template's resources. */
export const statementsOf = (resources: Resources, roleId: string): Statement[] =>
  Object.values(resources)
    .filter((r) => r.Type === "AWS::IAM::Policy")
    .filter((r) => asList(r.Properties?.Roles).some((x) => isDeepStrictEqual(x, { Ref: roleId })))
    .flatMap((r) => {
      const document = r.Properties?.PolicyDocument as { Statement: Statement[] } | undefined
      return document?.Statement ?? []
    })

/** The role a function of the template runs as. */
export const roleOf = (resources: Resources, functionId: string): string => {
  const role = resources[functionId]?.Properties?.Role as { "Fn::GetAtt": [string, string] }
  return role["Fn::GetAtt"][0]
}

/** The logical id of the one resource of `type` whose properties pass `test`. */
export const onlyId = (
  resources: Resources,
  type: string,
  test: (properties: Record<string, unknown>) => boolean = () => true
) => {
  const ids = Object.entries(resources)
    .filter(([, r]) => r.Type === type && test(r.Properties ?? {}))
    .map(([id]) => id)
  if (ids.length !== 1) throw new Error(`expected one such ${type}, found ${ids.length}`)
  return ids[0] ?? ""
}

/** A function's environment variables in a template's resources, as written there. */
export const variablesOf = (resources: Resources, functionId: string): Record<string, unknown> => {
  const environment = resources[functionId]?.Properties?.Environment as
    | { Variables: Record<string, unknown> }
    | undefined
  if (environment === undefined) throw new Error(`${functionId} has no environment`)
  return environment.Variables
}
