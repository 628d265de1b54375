// Samples per variant and metric, and what becomes of them: the printed tables and the
// figures of bench/results.json (medians with min–max spread, ratios of ours to each
// baseline).
import type { BundleFigure } from "./bundle.js"
import { cell, ratio, ratioCell, type Summary, summarize, table } from "./stats.js"

/** variant -> metric -> one value per round */
export type Samples = Map<string, Map<string, number[]>>
/** "figure/variant" -> why that variant has no figures */
export type Failures = Map<string, string>
export interface Metric {
  readonly key: string
  readonly label: string
}

export const record = (samples: Samples, variant: string, values: Record<string, number>) => {
  const byMetric = samples.get(variant) ?? new Map<string, number[]>()
  samples.set(variant, byMetric)
  for (const [metric, value] of Object.entries(values)) {
    const list = byMetric.get(metric) ?? []
    list.push(value)
    byMetric.set(metric, list)
  }
}

const failuresOf = (failures: Failures, figure: string, variants: readonly string[]) =>
  Object.fromEntries(
    variants.flatMap((v) => {
      const why = failures.get(`${figure}/${v}`)
      return why ? [[v, why]] : []
    })
  )
const failureLines = (failed: Record<string, string>) =>
  Object.entries(failed).map(([v, why]) => `\n  ${v}: FAILED: ${why.split("\n")[0]}`)

export interface Report {
  readonly text: string
  readonly json: Record<string, unknown>
}

/**
 * A figure's table: each variant's medians, then ours against each baseline (ours/plain), and
 * each of `changes` (ours with one setting changed: ours-ses, ours-altcha, …) against ours
 * (ours-altcha/ours), which is what such a variant asks. The JSON keeps both directions.
 */
export const figureReport = (
  title: string,
  figure: string,
  samples: Samples,
  metrics: readonly Metric[],
  variants: readonly string[],
  failures: Failures,
  changes: readonly string[] = []
): Report => {
  const medians: Record<string, Record<string, Summary | undefined>> = {}
  for (const v of variants)
    medians[v] = Object.fromEntries(
      metrics.map((m) => [m.key, summarize(samples.get(v)?.get(m.key) ?? [])])
    )
  const others = variants.filter((v) => v !== "ours")
  const ratios: Record<string, Record<string, number | undefined>> = {}
  for (const b of others)
    ratios[`ours/${b}`] = Object.fromEntries(
      metrics.map((m) => [m.key, ratio(medians.ours?.[m.key], medians[b]?.[m.key])])
    )
  const changed = others.filter((v) => changes.includes(v))
  for (const c of changed)
    ratios[`${c}/ours`] = Object.fromEntries(
      metrics.map((m) => [m.key, ratio(medians[c]?.[m.key], medians.ours?.[m.key])])
    )
  const columns = [
    ...others.filter((v) => !changes.includes(v)).map((b) => `ours/${b}`),
    ...changed.map((c) => `${c}/ours`)
  ]
  const rows = metrics.map((m) => [
    m.label,
    ...variants.map((v) => cell(medians[v]?.[m.key])),
    ...columns.map((r) => ratioCell(ratios[r]?.[m.key]))
  ])
  const header = ["", ...variants, ...columns]
  const failed = failuresOf(failures, figure, variants)
  return {
    text: `## ${title}\n${table(header, rows)}${failureLines(failed).join("")}`,
    json: { medians, ratios, failures: failed }
  }
}

export interface SecretsFigure {
  readonly calls: number
  readonly mails: number
  readonly totalMs: number
  readonly maxRssMb: number
}
export const secretsReport = (
  submissions: number,
  results: Record<string, SecretsFigure>,
  failures: Failures
): Report => {
  const rows = Object.entries(results).map(([v, s]) => [
    v,
    String(s.calls),
    s.calls === 2 ? "yes" : "NO",
    String(s.mails),
    s.totalMs.toFixed(0),
    s.maxRssMb.toFixed(1)
  ])
  const failed = failuresOf(failures, "secrets", ["ours", "plain"])
  const header = ["", "GetSecretValue calls", "= 2", "mails sent", "total ms", "peak RSS MiB"]
  return {
    text: `## secrets (${submissions} submissions, 10 at a time, within the TTL)\n${table(header, rows)}${failureLines(failed).join("")}`,
    json: { submissions, expectedCalls: 2, variants: results, failures: failed }
  }
}

export const bundleReport = (bundles: Record<string, BundleFigure>): Report => {
  const names = Object.keys(bundles)
  const kib = (b: number | undefined) => (b === undefined ? "-" : `${(b / 1024).toFixed(1)} KiB`)
  const ours = bundles.ours
  const rows = [
    ["bytes", ...names.map((n) => kib(bundles[n]?.bytes))],
    ["gzip bytes", ...names.map((n) => kib(bundles[n]?.gzipBytes))],
    ["loaded at start (entry + static chunks)", ...names.map((n) => kib(bundles[n]?.startBytes))]
  ]
  const tops = names.map(
    (n) =>
      `\n  ${n} top packages: ${(bundles[n]?.topPackages ?? []).map((p) => `${p.name} ${kib(p.bytes)}`).join(", ")}`
  )
  const ratios = Object.fromEntries(
    names
      .filter((n) => n !== "ours" && n !== "bare")
      .flatMap((n) => {
        const other = bundles[n]
        return ours && other
          ? [
              [
                `ours/${n}`,
                {
                  bytes: ours.bytes / other.bytes,
                  gzipBytes: ours.gzipBytes / other.gzipBytes,
                  startBytes: ours.startBytes / other.startBytes
                }
              ]
            ]
          : []
      })
  )
  const ratioLines = Object.entries(ratios).map(
    ([name, r]) => `\n  ${name}: bytes ${r.bytes.toFixed(3)}×, gzip ${r.gzipBytes.toFixed(3)}×`
  )
  return {
    text: `## bundle\n${table(["", ...names], rows)}${tops.join("")}${ratioLines.join("")}`,
    json: { variants: bundles, ratios }
  }
}
