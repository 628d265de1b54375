/**
 * The house rules of src/ (README, Architecture), read from the code's own imports: files
 * stay short, the flow knows nothing of HTTP, AWS, SMTP or the adapters, services never
 * import the edge, and imports flow one way, without cycles.
 */
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { describe, expect, it } from "vitest"

const root = resolve(import.meta.dirname, "../src")

const files = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? files(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : []
  )

const sources = files(root)
const name = (path: string) => relative(root, path)
const specifiers = (path: string): ReadonlyArray<string> =>
  [
    ...readFileSync(path, "utf8").matchAll(
      /(?:^|\n)\s*(?:import|export)[^"']*?from\s+["']([^"']+)["']/g
    )
  ].map((m) => m[1] ?? "")
/** The files of src/ that `path` imports. */
const localImports = (path: string): ReadonlyArray<string> =>
  specifiers(path)
    .filter((s) => s.startsWith("."))
    .map((s) => name(`${resolve(dirname(path), s)}.ts`))

const graph = new Map(sources.map((path) => [name(path), localImports(path)]))

describe("the layout of src/", () => {
  it("has no file over 200 lines", () => {
    const long = sources
      .map((path) => [name(path), readFileSync(path, "utf8").split("\n").length - 1] as const)
      .filter(([, lines]) => lines > 200)
    expect(long).toEqual([])
  })

  it("every import of src/ names a file that exists", () => {
    for (const [file, imports] of graph) {
      for (const imported of imports)
        expect(graph.has(imported), `${file} → ${imported}`).toBe(true)
    }
  })

  it("the flow imports nothing from HTTP, AWS, SMTP or the adapters", () => {
    const program = specifiers(join(root, "program.ts"))
    expect(
      program.filter((s) => /http|adapters|@aws-sdk|nodemailer|lambda|server/.test(s))
    ).toEqual([])
  })

  it("services, the domain and the configuration never import the edge, the adapters or the server", () => {
    const below = [...graph].filter(([file]) => /^(services|domain|config)\//.test(file))
    for (const [file, imports] of below) {
      expect(
        imports.filter((i) =>
          /^(http|adapters|server|pages)\/|^(program|layers|lambda|server)\.ts$/.test(i)
        ),
        file
      ).toEqual([])
    }
  })

  it("the domain imports only the domain", () => {
    for (const [file, imports] of graph) {
      if (file.startsWith("domain/")) {
        expect(
          imports.filter((i) => !i.startsWith("domain/")),
          file
        ).toEqual([])
      }
    }
  })

  it("has no import cycle", () => {
    const cycles: Array<string> = []
    const state = new Map<string, "open" | "done">()
    const visit = (file: string, path: ReadonlyArray<string>) => {
      if (state.get(file) === "done") return
      if (state.get(file) === "open") return void cycles.push([...path, file].join(" → "))
      state.set(file, "open")
      for (const next of graph.get(file) ?? []) visit(next, [...path, file])
      state.set(file, "done")
    }
    for (const file of graph.keys()) visit(file, [])
    expect(cycles).toEqual([])
  })
})
