/**
 * Shared by the reliability suites (faults, hostile input, load): timing an answer, and
 * what a log line may never contain (contract §6).
 */
import { expect } from "vitest"

/** Runs `f` and measures how long its answer took, in milliseconds. */
export const timed = async <A>(f: () => Promise<A>): Promise<{ value: A; ms: number }> => {
  const start = performance.now()
  const value = await f()
  return { value, ms: performance.now() - start }
}

export type LogLine = Readonly<Record<string, unknown>>

/** The lines of one submission that say how it ended (`outcome`). */
export const outcomeLines = (lines: ReadonlyArray<LogLine>): ReadonlyArray<LogLine> =>
  lines.filter((line) => "outcome" in line)

/**
 * No line contains any of `forbidden` (secrets, what the visitor wrote, their address,
 * their IP), in any field, as JSON would carry it or as text.
 */
export const expectNoLeak = (
  lines: ReadonlyArray<LogLine | string>,
  forbidden: ReadonlyArray<string>
) => {
  const needles = forbidden.filter((s) => s !== "")
  for (const line of lines) {
    const text = typeof line === "string" ? line : JSON.stringify(line)
    for (const needle of needles) {
      // Both the raw text and its JSON-escaped form (quotes, backslashes, line breaks).
      const escaped = JSON.stringify(needle).slice(1, -1)
      if (text.includes(needle) || text.includes(escaped)) {
        expect.fail(`a log line contains ${JSON.stringify(needle)}: ${text.slice(0, 300)}`)
      }
    }
  }
}

/**
 * Exactly one line says how the submission ended, with this outcome and (on failure) this
 * reason; a delivery failure is the only error line, logged once.
 */
export const expectLoggedOnce = (
  lines: ReadonlyArray<LogLine>,
  expected: { readonly outcome: string; readonly reason?: string; readonly level?: string }
) => {
  const outcomes = outcomeLines(lines)
  expect(outcomes, JSON.stringify(lines)).toHaveLength(1)
  const [line] = outcomes
  expect(line).toMatchObject({ outcome: expected.outcome })
  if (expected.reason !== undefined) expect(line?.reason).toBe(expected.reason)
  else expect(line).not.toHaveProperty("reason")
  if (expected.level !== undefined) expect(line?.level).toBe(expected.level)
  expect(typeof line?.requestId).toBe("string")
  const errors = lines.filter((l) => l.level === "error")
  const failing = expected.outcome === "delivery_failed" || expected.outcome === "delivery_unknown"
  expect(errors).toHaveLength(failing ? 1 : 0)
}
