/**
 * The Dockerfile, which no test here can build (no container engine on this machine):
 * linted by dockerfile-utils, and read instruction by instruction for what the README
 * promises of the image. Its start command and health check are the ones that
 * test/server-artifact.test.ts runs against the artifact on Node 22 and 24.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Copy, DockerfileParser, Env, type Instruction } from "dockerfile-ast"
import { ValidationSeverity, type ValidatorSettings, validate } from "dockerfile-utils"
import { describe, expect, it } from "vitest"
import {
  dockerfileText,
  execForm,
  finalStage,
  healthCheckCommand,
  instructionsOf,
  startCommand
} from "./support/artifact"
import { repoRoot } from "./support/server"

const text = dockerfileText()
const image = finalStage(text)
const argumentsOf = (instruction: Instruction | undefined) =>
  (instruction?.getArguments() ?? []).map((a) => a.getValue())

/** Every configurable check of the linter raised to an error: nothing passes as a warning. */
const strict: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR
}

describe("the Dockerfile", () => {
  it("has no problem that dockerfile-utils finds", () => {
    const problems = validate(text, strict).map(
      (d) => `line ${d.range.start.line + 1}: ${d.message} (severity ${d.severity})`
    )
    expect(problems).toEqual([])
  })

  it("the linter does find problems: a broken Dockerfile is reported", () => {
    const broken = `${text}\nCMD node index.mjs\nHEALTHCHECK --interval=soon CMD true\nEXPOSE http\n`
    expect(validate(broken, strict).length).toBeGreaterThanOrEqual(3)
  })

  it("builds on Node 24 and runs on Node 24 slim", () => {
    const froms = DockerfileParser.parse(text).getFROMs()
    expect(froms.length).toBeGreaterThanOrEqual(2)
    expect(froms[0]?.getImageName()).toBe("node")
    expect(froms[0]?.getImageTag()).toMatch(/^24(-|$)/)
    const runtime = froms.at(-1)
    expect(runtime?.getImageName()).toBe("node")
    expect(runtime?.getImageTag()).toMatch(/^24-.*slim$/)
  })

  it("puts dist/server/ and nothing else of the build into the image, in its WORKDIR", () => {
    expect(instructionsOf(image, "ADD")).toEqual([])
    const copies = instructionsOf(image, "COPY")
    expect(copies).toHaveLength(1)
    const [source, destination] = argumentsOf(copies[0])
    expect(source).toMatch(/(^|\/)dist\/server\/$/)
    expect(destination).toBe("./")
    // From the build stage, not from the build context: what `npm run build` made there.
    const build = DockerfileParser.parse(text).getFROMs()[0]?.getBuildStage()
    const copy = copies[0]
    expect(copy instanceof Copy && copy.getFromFlag()?.getValue()).toBe(build)
    expect(argumentsOf(instructionsOf(image, "WORKDIR").at(-1))).toEqual(["/app"])
  })

  it("runs as the unprivileged user node, never root", () => {
    const lastUser = image.findLastIndex((i) => i.getKeyword() === "USER")
    expect(lastUser).toBeGreaterThan(0)
    expect(argumentsOf(image[lastUser])).toEqual(["node"])
    // The CMD and HEALTHCHECK that follow it run as that user.
    expect(image.findIndex((i) => i.getKeyword() === "CMD")).toBeGreaterThan(lastUser)
  })

  it("starts with `node index.mjs`, the command that the artifact test runs", () => {
    expect(instructionsOf(image, "ENTRYPOINT")).toEqual([])
    expect(startCommand()).toEqual(["node", "index.mjs"])
  })

  it("listens on every interface at PORT, which it exposes, and stops on SIGTERM", () => {
    const env = Object.fromEntries(
      image.flatMap((i) =>
        i instanceof Env ? i.getProperties().map((p) => [p.getName(), p.getValue()]) : []
      )
    )
    expect(env).toEqual({ HOST: "0.0.0.0", PORT: "3000" })
    expect(argumentsOf(instructionsOf(image, "EXPOSE")[0])).toEqual([env.PORT])
    expect(argumentsOf(instructionsOf(image, "STOPSIGNAL")[0])).toEqual(["SIGTERM"])
  })

  it("checks its health with node against /healthz on PORT (slim images have no curl)", () => {
    const [healthcheck, ...more] = instructionsOf(image, "HEALTHCHECK")
    expect(more).toEqual([])
    expect(healthcheck && execForm(healthcheck)).toEqual(healthCheckCommand())
    const [program, flag, script] = healthCheckCommand()
    expect([program, flag]).toEqual(["node", "-e"])
    expect(script).toContain("/healthz")
    expect(script).toContain("process.env.PORT")
  })

  it("bakes in no secret: no ARG, no LABEL, and no variable but HOST and PORT (above)", () => {
    expect(DockerfileParser.parse(text).getARGs()).toEqual([])
    expect(instructionsOf(image, "LABEL")).toEqual([])
  })
})

describe(".dockerignore", () => {
  it("keeps this machine's installs, builds, mails and secrets out of the build context", () => {
    const ignored = readFileSync(join(repoRoot, ".dockerignore"), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"))
    for (const entry of [".git", "node_modules", "dist", "outbox", ".env", "*.pem"]) {
      expect(ignored).toContain(entry)
    }
  })
})
