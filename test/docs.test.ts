/**
 * The documentation is whole: every relative link of README.md and docs/ resolves (files,
 * and anchors of Markdown pages), every "contract §N" the code cites is a section of
 * docs/contract.md, every answer code, field issue code, log outcome and metric the code
 * emits is in the contract, and docs/configuration.md is what `npm run docs` writes now.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { configurationPage } from "../scripts/docs"

const root = resolve(import.meta.dirname, "..")
const read = (path: string) => readFileSync(join(root, path), "utf8")

const filesUnder = (dir: string, ending: string): ReadonlyArray<string> =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      return ["node_modules", "cdk.out", "fixtures"].includes(entry.name)
        ? []
        : filesUnder(path, ending)
    }
    return entry.name.endsWith(ending) ? [path] : []
  })

const pages = ["README.md", ...filesUnder("docs", ".md")]
const contract = read("docs/contract.md")

/** Markdown without its fenced code blocks and inline code: what renders as links. */
const prose = (markdown: string): string =>
  markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "")

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string): string =>
  heading
    .replace(/`/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-")

const anchorsOf = (markdown: string): ReadonlySet<string> => {
  const seen = new Map<string, number>()
  const anchors = new Set<string>()
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "")
  for (const [, heading] of withoutFences.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(heading ?? "")
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    anchors.add(count === 0 ? base : `${base}-${count}`)
  }
  for (const [, id] of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id ?? "")
  return anchors
}

const linksOf = (markdown: string): ReadonlyArray<string> =>
  [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (m) => m[1] ?? ""
  )

describe("the documentation", () => {
  it("has the pages the README links to, a README a newcomer reads at once", () => {
    const readme = read("README.md")
    expect(readme.split("\n").length).toBeLessThanOrEqual(250)
    for (const command of ["npm ci", "npm start", "npm test", "npm run docs"]) {
      expect(readme, command).toContain(command)
    }
  })

  it("every relative link of README.md and docs/ resolves, anchors included", () => {
    const broken: Array<string> = []
    for (const page of pages) {
      for (const link of linksOf(read(page))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue
        const [path = "", anchor] = link.split("#")
        const target = path === "" ? page : relative(root, resolve(root, dirname(page), path))
        if (!existsSync(join(root, target))) {
          broken.push(`${page}: ${link} (no ${target})`)
          continue
        }
        if (anchor !== undefined && target.endsWith(".md")) {
          if (!anchorsOf(read(target)).has(decodeURIComponent(anchor))) {
            broken.push(`${page}: ${link} (no #${anchor} in ${target})`)
          }
        }
      }
    }
    expect(broken).toEqual([])
  })

  const sections = new Set(
    [...contract.matchAll(/^## (\d+a?)\. /gm)].map((m) => m[1] ?? "").filter((s) => s !== "")
  )

  it("the contract has sections 1 to 12 and 7a, in order", () => {
    expect([...sections]).toEqual([
      "1",
      "2",
      "3",
      "4",
      "5",
      "6",
      "7",
      "7a",
      "8",
      "9",
      "10",
      "11",
      "12"
    ])
  })

  it("every contract section the code and the pages cite exists", () => {
    const citing = [
      ...["src", "test", "infra", "scripts", "bench"].flatMap((dir) => filesUnder(dir, ".ts")),
      ...pages
    ]
    const missing: Array<string> = []
    for (const file of citing) {
      for (const [, list] of read(file).matchAll(
        /contract (§§?\s*\d+a?(?:(?:,\s*|\s+and\s+|\s+or\s+)§?\d+a?)*)/g
      )) {
        for (const [section] of (list ?? "").matchAll(/\d+a?/g)) {
          if (!sections.has(section)) missing.push(`${file}: contract §${section}`)
        }
      }
    }
    expect(missing).toEqual([])
  })

  const sources = filesUnder("src", ".ts").map((file) => [file, read(file)] as const)
  const named = (pattern: RegExp, files = sources): ReadonlyArray<string> => [
    ...new Set(files.flatMap(([, text]) => [...text.matchAll(pattern)].map((m) => m[1] ?? "")))
  ]
  const inContract = (name: string) => new RegExp(`\\b${name}\\b`).test(contract)

  it("every answer code of src/http/ is in the contract", () => {
    const http = sources.filter(([file]) => file.startsWith("src/http/"))
    const codes = named(/(?:error:\s*|\(\s*\d{3},\s*)"([a-z]+(?:_[a-z]+)+)"/g, http)
    expect(codes).toContain("invalid_form")
    expect(codes).toContain("delivery_unknown")
    expect(codes.filter((code) => !inContract(code))).toEqual([])
  })

  it("every field issue code and every log outcome is in the contract", () => {
    const issues = read("src/domain/issues.ts")
    const list = issues.slice(issues.indexOf("issueCodes"), issues.indexOf("] as const"))
    const codes = [...list.matchAll(/"([a-z_]+)"/g)].map((m) => m[1] ?? "")
    expect(codes).toContain("invalid_characters")
    const outcomes = named(/outcome:\s*"([a-z_]+)"/g)
    const unions = named(/outcome:\s*("[a-z_]+"(?:\s*\|\s*"[a-z_]+")+)/g).flatMap((union) =>
      [...union.matchAll(/"([a-z_]+)"/g)].map((m) => m[1] ?? "")
    )
    expect(outcomes).toContain("sent")
    expect([...codes, ...outcomes, ...unions].filter((name) => !inContract(name))).toEqual([])
  })

  it("every metric the code emits is in the contract", () => {
    const logging = read("src/logging.ts")
    const union = logging.slice(logging.indexOf("export type MetricName"))
    const declared = [...union.slice(0, union.indexOf("\n\n")).matchAll(/"(\w+)"/g)].map(
      (m) => m[1] ?? ""
    )
    const metrics = [...new Set([...declared, ...named(/metric:\s*"(\w+)"/g)])]
    expect(metrics).toContain("DeliveryUnknown")
    expect(metrics.filter((name) => !inContract(name))).toEqual([])
  })

  it("docs/configuration.md is what npm run docs writes from the readers now", () => {
    expect(read("docs/configuration.md")).toBe(configurationPage())
  })
})
