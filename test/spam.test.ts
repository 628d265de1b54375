/**
 * The spam judgement's parts (contract §12): each signal of the table alone at its boundary,
 * together past the threshold and exactly at it; the link counter's gate against linkify-it
 * itself; the disposable list (its lookup at both ends, parents, case) and that the committed
 * file is what the installed mailchecker gives; the verdict as the mail shows it and as the
 * queue item stores it.
 */
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { Schema } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  SPAM_HEADER,
  SPAM_SUBJECT_MARKER,
  SpamVerdict,
  spamFooterLine,
  spamHeaderValue
} from "../src/domain/spam-verdict"
import { isDisposableEmail } from "../src/spam/disposable"
import { judge } from "../src/spam/judge"
import { countLinks, holdsLinkOrEmail, linksIn, mayHoldLink } from "../src/spam/links"
import {
  DEFAULT_SPAM_THRESHOLD,
  FAST_SUBMIT_MS,
  LINK_LIMIT,
  readElapsed,
  type SpamForm,
  signals
} from "../src/spam/signals"

const root = new URL("..", import.meta.url).pathname
const clean: SpamForm = {
  name: "Inès Okafor",
  email: "ines.okafor@example.org",
  subject: "Quote for 40 chairs",
  body: "Could you send a quote for forty oak chairs? Delivery by March. Thanks!"
}
const SLOW = 60_000
const reasonsOf = (form: SpamForm, elapsedMs: number | undefined = SLOW) =>
  judge(form, elapsedMs, DEFAULT_SPAM_THRESHOLD).reasons

describe("links", () => {
  const withLinks = (n: number) =>
    Array.from({ length: n }, (_, i) => `https://shop${i}.example.com/p?id=${i}`).join(" and ")

  it(`exactly ${LINK_LIMIT} links do not fire; ${LINK_LIMIT + 1} do`, () => {
    expect(countLinks(withLinks(LINK_LIMIT))).toBe(LINK_LIMIT)
    expect(reasonsOf({ ...clean, body: `See ${withLinks(LINK_LIMIT)}.` })).toEqual([])
    expect(reasonsOf({ ...clean, body: `See ${withLinks(LINK_LIMIT + 1)}.` })).toEqual(["links"])
  })

  it("counts the message, the subject and the name together", () => {
    const form = {
      ...clean,
      name: "Bob",
      subject: "Re: www.example.net",
      body: "Look at cheap-pills.xyz and https://example.com/x"
    }
    expect(reasonsOf({ ...form, subject: "Hello" })).toEqual([])
    expect(reasonsOf(form)).toEqual(["links"])
  })

  it("schemaless domains under known TLDs count; email addresses, mailto: and IPs do not", () => {
    expect(linksIn("see example.com, www.test.org and пример.рф or münchen.de")).toEqual([
      "example.com",
      "www.test.org",
      "пример.рф",
      "münchen.de"
    ])
    expect(linksIn("//cdn.example.com/a ftp://files.example.com HTTPS://EXAMPLE.COM")).toHaveLength(
      3
    )
    expect(
      countLinks("Write to anna@example.com, bob@example.org or mailto:carl@example.net")
    ).toBe(0)
    expect(countLinks("version 1.2.3 at 10.0.0.1 costs 3.50 e.g. z.B. ca. 20 usw.")).toBe(0)
  })

  it("a sentence run into the next (`Hello.It`, `preis.Es`) is not a link", () => {
    expect(countLinks("Hello.It's me.Danke für den preis.Es ist gut.Do you ship to Spain.Se")).toBe(
      0
    )
    expect(countLinks("Shop at Example.Com")).toBe(0)
    expect(countLinks("Shop at www.Example.Com or example.com")).toBe(2)
  })

  it("the gate lets through every text in which linkify-it finds a link", () => {
    const piece = fc.constantFrom(
      "example.com",
      "www.x.org",
      "a.b",
      "https://",
      "//",
      "x.y/z",
      "мир.рф",
      "xn--p1ai",
      "@",
      "mailto:",
      ".",
      " ",
      "\n",
      "Hello.It",
      "3.50",
      "ftp:",
      "<",
      "(",
      "ab",
      "É"
    )
    fc.assert(
      fc.property(
        fc.array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 12 }),
        (parts) => {
          const text = parts.join("")
          if (linksIn(text).length > 0) expect(mayHoldLink(text)).toBe(true)
        }
      ),
      { numRuns: 2_000 }
    )
  })
})

describe("name_link", () => {
  it.each([
    ["a URL", "Bob https://seo.example.com"],
    ["a bare domain", "Visit cheap-pills.xyz"],
    ["an email address", "bob@example.com"]
  ])("%s in the name fires", (_, name) => {
    expect(reasonsOf({ ...clean, name })).toEqual(["name_link"])
  })

  it.each([
    "Inès Okafor",
    "Dr. Müller",
    "Seán O'Brien-Smith",
    "Anna @ ACME",
    "J.R.R. Tolkien",
    "李小龍"
  ])("a name like %s does not", (name) => {
    expect(holdsLinkOrEmail(name)).toBe(false)
    expect(reasonsOf({ ...clean, name })).toEqual([])
  })
})

describe("disposable_email", () => {
  const lines = readFileSync(new URL("../src/spam/disposable-domains.txt", import.meta.url), "utf8")
    .split("\n")
    .filter((line) => line !== "")
  const domains = lines.slice(1)

  it("a listed domain fires, in any case, and so do its subdomains", () => {
    expect(reasonsOf({ ...clean, email: "x@mailinator.com" })).toEqual(["disposable_email"])
    expect(isDisposableEmail("x@MAILINATOR.COM")).toBe(true)
    expect(isDisposableEmail("x@a.b.mailinator.com")).toBe(true)
  })

  it("an unlisted domain does not, nor one that only contains a listed one", () => {
    expect(reasonsOf(clean)).toEqual([])
    for (const email of [
      "x@gmail.com",
      "x@mailinator.com.example.org",
      "x@xmailinator.com",
      "x@com",
      "x@"
    ])
      expect(isDisposableEmail(email), email).toBe(false)
  })

  it("finds the list's first and last domains, and nothing beyond either end", () => {
    expect(lines[0]).toMatch(/^# .*mailchecker/)
    expect(domains.length).toBeGreaterThan(10_000)
    for (const domain of [domains[0], domains[domains.length - 1], domains[1000]])
      expect(isDisposableEmail(`x@${domain}`), domain).toBe(true)
    expect(isDisposableEmail("x@0")).toBe(false)
    expect(isDisposableEmail("x@zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.zz")).toBe(false)
    expect(isDisposableEmail("x@#")).toBe(false)
  })

  it("the committed list is what the installed mailchecker gives (else rerun the script)", () => {
    const run = spawnSync(process.execPath, ["scripts/disposable-domains.mjs", "--check"], {
      cwd: root,
      encoding: "utf8"
    })
    expect(run.status, run.stderr).toBe(0)
  })
})

describe("fast_submit", () => {
  it(`${FAST_SUBMIT_MS - 1} ms fires, ${FAST_SUBMIT_MS} ms does not, no _t is not judged`, () => {
    expect(reasonsOf(clean, FAST_SUBMIT_MS - 1)).toEqual(["fast_submit"])
    expect(reasonsOf(clean, 0)).toEqual(["fast_submit"])
    expect(reasonsOf(clean, FAST_SUBMIT_MS)).toEqual([])
    expect(reasonsOf(clean, undefined)).toEqual([])
  })

  it("reads `_t` as written by performance.now(), and nothing else", () => {
    expect(readElapsed("2999.5")).toBe(2999.5)
    expect(readElapsed("4200")).toBe(4200)
    for (const value of [undefined, "", " 12", "-5", "1e3", "abc", "12.", "Infinity", "0x10"])
      expect(readElapsed(value), String(value)).toBeUndefined()
  })
})

describe("the judgement", () => {
  const spammy: SpamForm = {
    name: "Buy now https://pills.example.com",
    email: "x@mailinator.com",
    subject: "Offer",
    body: "https://a.example.com https://b.example.com https://c.example.com"
  }

  it("a clean message: score 0, no reasons, not spam", () => {
    expect(judge(clean, SLOW, DEFAULT_SPAM_THRESHOLD)).toEqual({
      score: 0,
      reasons: [],
      spam: false
    })
  })

  it("each signal of ours alone stays under the default threshold; any two reach it", () => {
    const local = signals.filter((s) => s.name !== "akismet")
    for (const signal of local) expect(signal.weight).toBeLessThan(DEFAULT_SPAM_THRESHOLD)
    for (const a of local)
      for (const b of local)
        if (a !== b) expect(a.weight + b.weight).toBeGreaterThanOrEqual(DEFAULT_SPAM_THRESHOLD)
    expect(judge({ ...clean, email: "x@mailinator.com" }, 100, 5)).toEqual({
      score: 6,
      reasons: ["disposable_email", "fast_submit"],
      spam: true
    })
  })

  it("exactly at the threshold is spam; one below is not", () => {
    expect(judge(clean, SLOW, 5, true)).toEqual({ score: 5, reasons: ["akismet"], spam: true })
    expect(judge(clean, 100, 3)).toEqual({ score: 3, reasons: ["fast_submit"], spam: true })
    expect(judge(clean, 100, 4).spam).toBe(false)
    expect(judge({ ...clean, email: "x@mailinator.com" }, 100, 6).spam).toBe(true)
    expect(judge({ ...clean, email: "x@mailinator.com" }, 100, 7).spam).toBe(false)
  })

  it("every signal at once: every reason, in the table's order", () => {
    expect(judge(spammy, 10, DEFAULT_SPAM_THRESHOLD, true)).toEqual({
      score: 17,
      reasons: ["links", "name_link", "disposable_email", "fast_submit", "akismet"],
      spam: true
    })
  })

  it("the table's names are unique and header-safe", () => {
    const names = signals.map((s) => s.name)
    expect(new Set(names).size).toBe(names.length)
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*$/)
  })
})

describe("the verdict in the mail and in the queue item", () => {
  const verdict = { score: 7, reasons: ["links", "fast_submit"] }

  it("renders the subject marker, the header and the footer line", () => {
    expect(SPAM_SUBJECT_MARKER).toBe("[Spam?] ")
    expect(SPAM_HEADER).toBe("X-Contact-Spam")
    expect(spamHeaderValue(verdict)).toBe("score=7; reasons=links,fast_submit")
    expect(spamFooterLine(verdict)).toBe("Spam: score 7 (links, fast_submit)")
    expect(spamFooterLine({ score: 0, reasons: [] })).toBe("Spam: score 0")
  })

  it("a judgement is a verdict the schema keeps as it is", () => {
    const judged = judge(clean, 100, 5, true)
    const stored = Schema.decodeUnknownSync(SpamVerdict)(
      JSON.parse(JSON.stringify({ score: judged.score, reasons: judged.reasons }))
    )
    expect(stored).toEqual({ score: 8, reasons: ["fast_submit", "akismet"] })
  })

  it.each([
    ["a negative score", { score: -1, reasons: [] }],
    ["a fractional score", { score: 1.5, reasons: [] }],
    ["a reason with a line break", { score: 3, reasons: ["links\r\nBcc: x@example.com"] }],
    ["a reason that is not a name", { score: 3, reasons: ["links; score=0"] }],
    ["no reasons", { score: 3 }]
  ])("refuses %s", (_, value) => {
    expect(() => Schema.decodeUnknownSync(SpamVerdict)(value)).toThrow()
  })
})
