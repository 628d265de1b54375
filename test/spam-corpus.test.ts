/**
 * The spam judgement against our own corpus (test/fixtures/spam-corpus.json, contract §12):
 * at the default threshold no customer message is marked (a false positive is a customer
 * whose mail looks like spam), and the share of spam it marks is the one docs/spam.md says.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { judge } from "../src/spam/judge"
import { DEFAULT_SPAM_THRESHOLD } from "../src/spam/signals"

interface Sample {
  readonly language?: string
  readonly name?: string
  readonly email: string
  readonly subject?: string
  readonly message: string
  readonly t?: number
}
const corpus: { readonly spam: ReadonlyArray<Sample>; readonly customers: ReadonlyArray<Sample> } =
  JSON.parse(readFileSync(new URL("fixtures/spam-corpus.json", import.meta.url), "utf8"))

const marked = (samples: ReadonlyArray<Sample>) =>
  samples.filter(
    (s) =>
      judge(
        {
          email: s.email,
          body: s.message,
          ...(s.subject === undefined ? {} : { subject: s.subject }),
          ...(s.name === undefined ? {} : { name: s.name })
        },
        s.t,
        DEFAULT_SPAM_THRESHOLD
      ).spam
  )

describe("the corpus", () => {
  it("holds customers in each of the eight languages, some with one or two links", () => {
    expect(new Set(corpus.customers.map((c) => c.language)).size).toBe(8)
    expect(corpus.customers.filter((c) => /https?:\/\//.test(c.message)).length).toBeGreaterThan(8)
  })

  it("marks no customer message at the default threshold", () => {
    expect(marked(corpus.customers).map((c) => c.message)).toEqual([])
  })

  it("marks the share of spam docs/spam.md reports", () => {
    const share = `${marked(corpus.spam).length} of the ${corpus.spam.length} spam messages`
    expect(readFileSync(new URL("../docs/spam.md", import.meta.url), "utf8")).toContain(share)
  })
})
