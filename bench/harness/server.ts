// The server figure: a server process on loopback, loaded by autocannon in its own
// process (bench/load-child.mjs): the server gets one core, the load generator the other.
import { spawn } from "node:child_process"
import { createServer } from "node:net"
import { fileURLToPath } from "node:url"
import { runChild } from "./child.js"

export interface ServerCommand {
  readonly command: string
  readonly args: readonly string[]
  readonly env: Readonly<Record<string, string>>
  /** Where it runs; the repository root by default. */
  readonly cwd?: string
}
export interface LoadResult {
  readonly reqPerSec: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly answered: number
  readonly expected: number
  readonly errors: number
}

const root = fileURLToPath(new URL("../..", import.meta.url))
const loadChild = fileURLToPath(new URL("../load-child.mjs", import.meta.url))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })

export interface RunningServer {
  readonly url: string
  stop(): Promise<void>
}

export const startServer = async (
  command: ServerCommand,
  env: NodeJS.ProcessEnv
): Promise<RunningServer> => {
  const port = await freePort()
  // Its own process group, so that stopping `npm start` also stops npm's children.
  const child = spawn(command.command, command.args, {
    cwd: command.cwd ?? root,
    env: { ...env, ...command.env, PORT: String(port), HOST: "127.0.0.1" },
    detached: true,
    stdio: ["ignore", "ignore", "pipe"]
  })
  let stderr = ""
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
  })
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  let alive = true
  void exited.then(() => {
    alive = false
  })
  const stop = async () => {
    if (!alive || child.pid === undefined) return
    process.kill(-child.pid, "SIGTERM")
    const timer = setTimeout(() => alive && child.pid && process.kill(-child.pid, "SIGKILL"), 3000)
    await exited
    clearTimeout(timer)
  }
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (!alive)
      throw new Error(
        `${command.command} ${command.args.join(" ")} exited:\n${stderr.slice(-2000)}`
      )
    try {
      const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) })
      await response.body?.cancel()
      if (response.status === 200) break
    } catch {}
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`server did not answer ${base}/healthz within 30 s:\n${stderr.slice(-2000)}`)
    }
    await sleep(50)
  }
  return { url: `${base}/contact`, stop }
}

interface LoadReport {
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  answered: number
  statuses: Record<string, number>
  errors: number
}

/** Loads `url` from bench/load-child.mjs; `expectedStatus` answers are counted. */
export const load = async (
  url: string,
  seconds: number,
  connections: number,
  expectedStatus: number
): Promise<LoadResult> => {
  const { result } = await runChild<LoadReport>(
    process.execPath,
    loadChild,
    [url, String(seconds), String(connections)],
    { PATH: process.env.PATH ?? "" },
    (seconds + 30) * 1000
  )
  return {
    reqPerSec: result.reqPerSec,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    answered: result.answered,
    expected: result.statuses[String(expectedStatus)] ?? 0,
    errors: result.errors
  }
}
