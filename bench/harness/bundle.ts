// The bundle figure: bytes, gzip bytes and the heaviest packages, from esbuild's metafile.
import { readFileSync } from "node:fs"
import { gzipSync } from "node:zlib"

interface Metafile {
  outputs: Record<
    string,
    {
      bytes: number
      inputs: Record<string, { bytesInOutput: number }>
      imports?: readonly { path: string; kind: string }[]
    }
  >
}
export interface BundleFigure {
  readonly bytes: number
  readonly gzipBytes: number
  /** The entry and every chunk it imports statically: what an import loads before it runs. */
  readonly startBytes: number
  readonly topPackages: readonly { readonly name: string; readonly bytes: number }[]
}

const packageOf = (input: string) => {
  const parts = input.split("node_modules/")
  if (parts.length < 2) return "(own code)"
  const path = parts[parts.length - 1] ?? ""
  const [scope = "", name = ""] = path.split("/")
  return scope.startsWith("@") ? `${scope}/${name}` : scope
}

/** The entry's output and the chunks it reaches by static `import` (not `import()`). */
const loadedAtStart = (meta: Metafile): number => {
  const entry = Object.keys(meta.outputs).find((out) => /(^|\/)index\.m?js$/.test(out))
  const seen = new Set<string>()
  const next = entry === undefined ? [] : [entry]
  for (let out = next.pop(); out !== undefined; out = next.pop()) {
    if (seen.has(out)) continue
    seen.add(out)
    for (const { path, kind } of meta.outputs[out]?.imports ?? [])
      if (kind === "import-statement" && path in meta.outputs) next.push(path)
  }
  return [...seen].reduce((sum, out) => sum + (meta.outputs[out]?.bytes ?? 0), 0)
}

export const analyzeBundle = (bundlePath: string, metaPath: string): BundleFigure => {
  const code = readFileSync(bundlePath)
  const meta = JSON.parse(readFileSync(metaPath, "utf8")) as Metafile
  const byPackage = new Map<string, number>()
  for (const [outPath, output] of Object.entries(meta.outputs)) {
    if (!outPath.endsWith(".mjs") && !outPath.endsWith(".js")) continue
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input)
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput)
    }
  }
  const topPackages = [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([name, bytes]) => ({ name, bytes }))
  return {
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    startBytes: loadedAtStart(meta),
    topPackages
  }
}
