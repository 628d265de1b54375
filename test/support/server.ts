/**
 * The Node server for tests: in this process (`startServer`, over the real `serve`), or
 * as a child process running src/server.ts exactly as `npm start` does (`spawnServer`), or
 * any other server command such as the built artifact (`spawnChild`), for what needs a
 * process of its own: signals and exit codes. Always on port 0.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { createInterface } from "node:readline"
import { Effect, Exit, Scope } from "effect"
import { type Serving, serve } from "../../src/server/app"

export const repoRoot = resolve(import.meta.dirname, "../..")

/** A fresh directory removed when the process exits. */
export const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export interface TestServer extends Serving {
  /** JSON log lines and human lines, as written. */
  readonly logs: ReadonlyArray<string>
  readonly said: ReadonlyArray<string>
  close(): Promise<void>
}

/** Runs the server in this process with exactly `env` (the real environment is not read). */
export const startServer = async (env: Record<string, string>): Promise<TestServer> => {
  const scope = Effect.runSync(Scope.make())
  const logs: Array<string> = []
  const said: Array<string> = []
  const serving = await Effect.runPromise(
    serve({
      env: { PORT: "0", ...env },
      cwd: repoRoot,
      log: (line) => logs.push(line),
      say: (line) => said.push(line)
    }).pipe(Scope.provide(scope))
  )
  return { ...serving, logs, said, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

export interface ChildServer {
  readonly child: ChildProcess
  readonly stdout: ReadonlyArray<string>
  readonly stderr: ReadonlyArray<string>
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>
  /** Resolves with the first stdout or stderr line that matches. */
  line(match: RegExp): Promise<string>
}

/** Only `env`, plus what a Node child needs: no variable of the test process leaks in. */
export const childEnv = (env: Readonly<Record<string, string>>): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  ...env
})

/** A child process running src/server.ts with only `env` (plus PATH and HOME). */
export const spawnServer = (env: Record<string, string>): ChildServer =>
  spawnChild([process.execPath, "--import", "tsx", "src/server.ts"], { cwd: repoRoot, env })

/** Any server command (`[binary, ...args]`) in `cwd`, with only `env` (plus PATH and HOME). */
export const spawnChild = (
  [command, ...args]: readonly [string, ...string[]],
  options: { readonly cwd: string; readonly env: Record<string, string> }
): ChildServer => {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: childEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"]
  })
  const stdout: Array<string> = []
  const stderr: Array<string> = []
  const waiters: Array<{ match: RegExp; resolve: (line: string) => void }> = []
  const collect = (stream: NodeJS.ReadableStream, lines: Array<string>) =>
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line)
      for (const waiter of waiters.filter((w) => w.match.test(line))) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(line)
      }
    })
  if (child.stdout) collect(child.stdout, stdout)
  if (child.stderr) collect(child.stderr, stderr)
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"))
  )
  const line = (match: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const seen = [...stdout, ...stderr].find((l) => match.test(l))
      if (seen !== undefined) return resolve(seen)
      waiters.push({ match, resolve })
      void exited.then((code) =>
        reject(new Error(`server exited (${code}) before printing ${match}: ${stderr.join("\n")}`))
      )
    })
  return { child, stdout, stderr, exited, line }
}

/** The URL of a spawned server, from its JSON `listening` line. */
export const listeningUrl = async (server: ChildServer): Promise<string> => {
  const line = await server.line(/"msg":"listening"/)
  const parsed: unknown = JSON.parse(line)
  if (typeof parsed === "object" && parsed !== null && "url" in parsed) {
    return String(parsed.url)
  }
  throw new Error(`no url in ${line}`)
}

/** A loopback port nothing listens on (bound, then released). */
export const closedPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
