/**
 * The repository cites its own contract (docs/contract.md, "contract §N") and nothing
 * outside itself: no file of src/, test/, infra/, scripts/, bench/, docs/ or README.md
 * names the old contract document or a path beside the repository.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"

const root = resolve(import.meta.dirname, "..")

const filesUnder = (dir: string): ReadonlyArray<string> =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      return ["node_modules", "cdk.out", ".out", ".capture"].includes(entry.name)
        ? []
        : filesUnder(path)
    }
    return /\.(ts|mjs|js|md|json|sh)$/.test(entry.name) ? [path] : []
  })

// Spelled in pieces, so that this file does not cite what it forbids.
const forbidden = [new RegExp(`\\b${"SP"}${"EC"}\\b`), new RegExp(`\\.\\./${"sha"}${"red"}\\b`)]

describe("citations", () => {
  it("no file cites a contract or a path outside the repository", () => {
    const files = [
      "README.md",
      ...["src", "test", "infra", "scripts", "bench", "docs"].flatMap(filesUnder)
    ]
    const found = files.flatMap((file) =>
      readFileSync(join(root, file), "utf8")
        .split("\n")
        .flatMap((line, i) =>
          forbidden.some((pattern) => pattern.test(line))
            ? [`${file}:${i + 1}: ${line.trim()}`]
            : []
        )
    )
    expect(found).toEqual([])
  })
})
