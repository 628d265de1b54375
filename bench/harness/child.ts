// Runs one measured child process and collects the JSON line it reports on fd 3.
import { spawn } from "node:child_process"

export interface ChildRun<R> {
  /** spawn -> exit, as the parent sees it */
  readonly wallMs: number
  readonly result: R
}

export const runChild = <R>(
  node: string,
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000
): Promise<ChildRun<R>> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(node, [script, ...args], {
      env,
      stdio: ["ignore", "ignore", "pipe", "pipe"]
    })
    let stderr = ""
    let reported = ""
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    child.stdio[3]?.on("data", (chunk: Buffer) => {
      reported += chunk.toString("utf8")
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    let wallMs = 0
    child.on("exit", () => {
      wallMs = performance.now() - started
    })
    child.on("error", reject)
    // "close" waits for fd 3 to drain; the wall time was taken at "exit".
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      const line = reported.trim().split("\n").pop()
      if (code !== 0 || !line) {
        const why = signal ? `signal ${signal}` : `exit code ${code}`
        reject(new Error(`${script} ${args.join(" ")}: ${why}\n${stderr.slice(-2000)}`))
        return
      }
      resolve({ wallMs, result: JSON.parse(line) as R })
    })
  })
