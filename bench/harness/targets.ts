// The latency targets of issue 16, judged against the medians of one run: ours/plain at most a
// ratio, or ours at most an absolute value. Printed with met / not met so that one look says
// which hold; "before" (--before) gets its own ratio beside ours.
import type { ProfileName } from "./profiles.js"
import { cell, ratio, ratioCell, type Summary, table } from "./stats.js"

export type Medians = (
  figure: "cold" | "warm-real",
  profile: ProfileName,
  variant: string,
  metric: string
) => Summary | undefined

interface Target {
  readonly what: string
  readonly figure: "cold" | "warm-real"
  readonly profile: ProfileName
  readonly metric: string
  readonly limit:
    | { readonly ratioToPlain: number }
    | { readonly atMost: number; readonly unit: string }
  /** The loopback cold-start target holds on Lambda's Node major only. */
  readonly node24?: true
}

export const targets: readonly Target[] = [
  {
    what: "cold start, realistic (spawn → exit: import + first submission)",
    figure: "cold",
    profile: "realistic",
    metric: "wallMs",
    limit: { ratioToPlain: 1.0 }
  },
  {
    what: "first call of a cold process, realistic (after import)",
    figure: "cold",
    profile: "realistic",
    metric: "firstCallMs",
    limit: { ratioToPlain: 0.8 }
  },
  {
    what: "warm submission, real bundle, realistic",
    figure: "warm-real",
    profile: "realistic",
    metric: "submissionMs",
    limit: { ratioToPlain: 0.8 }
  },
  {
    what: "cold start, loopback (Node 24, no NODE_EXTRA_CA_CERTS)",
    figure: "cold",
    profile: "loopback",
    metric: "wallMs",
    limit: { ratioToPlain: 1.2 },
    node24: true
  },
  ...(["realistic", "loopback"] as const).map(
    (profile): Target => ({
      what: `peak RSS, cold start + one submission, ${profile}`,
      figure: "cold",
      profile,
      metric: "rssAfterFirstCallMb",
      limit: { atMost: 100, unit: "MiB" }
    })
  )
]

export interface TargetResult {
  readonly what: string
  readonly limit: string
  readonly ours: number | undefined
  readonly plain: number | undefined
  readonly ratio: number | undefined
  readonly beforeRatio?: number | undefined
  /** undefined: not measured in this run (or not on Node 24 where that matters). */
  readonly met: boolean | undefined
}

export const judgeTargets = (
  medians: Medians,
  /** Whether a variant's figure failed (a submission that did not reach the relay, an error). */
  failed: (figure: "cold" | "warm-real", profile: ProfileName, variant: string) => boolean,
  childNodeMajor: number,
  withBefore: boolean
): { text: string; json: TargetResult[] } => {
  const results = targets.map((t): TargetResult => {
    const of = (variant: string) => medians(t.figure, t.profile, variant, t.metric)
    const ours = of("ours")
    const plain = of("plain")
    const r = ratio(ours, plain)
    const value = "ratioToPlain" in t.limit ? r : ours?.median
    const bound = "ratioToPlain" in t.limit ? t.limit.ratioToPlain : t.limit.atMost
    const applies = !t.node24 || childNodeMajor === 24
    return {
      what: t.what,
      limit:
        "ratioToPlain" in t.limit
          ? `≤ ${t.limit.ratioToPlain.toFixed(1)}× plain`
          : `≤ ${t.limit.atMost} ${t.limit.unit}`,
      ours: ours?.median,
      plain: plain?.median,
      ratio: r,
      ...(withBefore ? { beforeRatio: ratio(of("before"), plain) } : {}),
      met: value === undefined || !applies ? undefined : value <= bound
    }
  })
  const rows = results.map((r, i) => {
    const t = targets[i]
    const summary = (variant: string) =>
      t === undefined ? undefined : medians(t.figure, t.profile, variant, t.metric)
    const failedVariants =
      t === undefined ? [] : ["ours", "plain"].filter((v) => failed(t.figure, t.profile, v))
    const met =
      r.met !== undefined
        ? r.met
          ? "met"
          : "NOT MET"
        : failedVariants.length > 0
          ? `FAILED (${failedVariants.join(", ")})`
          : t?.node24 && childNodeMajor !== 24
            ? `n/a (Node ${childNodeMajor})`
            : "not measured"
    return [
      r.what,
      cell(summary("ours")),
      cell(summary("plain")),
      ratioCell(r.ratio),
      ...(withBefore ? [ratioCell(r.beforeRatio)] : []),
      r.limit,
      met
    ]
  })
  const header = [
    "target",
    "ours",
    "plain",
    "ours/plain",
    ...(withBefore ? ["before/plain"] : []),
    "limit",
    ""
  ]
  return { text: `## targets (issue 16)\n${table(header, rows)}`, json: results }
}
