// Medians, spreads, ratios and the printed table.

export interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly n: number
}

export const summarize = (values: readonly number[]): Summary | undefined => {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
  return { median, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0, n: sorted.length }
}

export const ratio = (ours: Summary | undefined, baseline: Summary | undefined) =>
  ours && baseline && baseline.median !== 0 ? ours.median / baseline.median : undefined

const format = (value: number) =>
  Math.abs(value) >= 100
    ? value.toFixed(0)
    : Math.abs(value) >= 10
      ? value.toFixed(1)
      : value.toFixed(2)

export const cell = (s: Summary | undefined) =>
  s === undefined
    ? "-"
    : s.n > 1
      ? `${format(s.median)} [${format(s.min)}–${format(s.max)}]`
      : format(s.median)

export const ratioCell = (r: number | undefined) => (r === undefined ? "-" : `${r.toFixed(2)}×`)

export const table = (header: readonly string[], rows: readonly (readonly string[])[]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")
}
