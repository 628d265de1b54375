/**
 * The form contract of contract §2, field by field.
 */
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import {
  codePoints,
  type Fields,
  isHoneypot,
  visitorText,
  withLineBreaks
} from "../src/domain/fields"
import { decodeForm } from "../src/domain/form"
import type { FieldIssue } from "../src/domain/issues"
import { encodeItem, maxItemBytes, queueItem } from "../src/domain/item"
import { composeMail } from "../src/domain/mail"
import { mailtoLink, paragraphs } from "../src/pages/render"
import { testForm } from "./support/doubles"
import { largestValidForm } from "./support/largest-form"

const base: Fields = [
  ["email", "anna@example.org"],
  ["body", "Hello"]
]
const decode = (fields: Fields, captchaField: string | undefined = "frc-captcha-response") =>
  decodeForm(fields, { captchaField, language: "en" })
const issuesOf = (fields: Fields): ReadonlyArray<FieldIssue> =>
  Result.match(decode(fields), { onFailure: (e) => e.issues, onSuccess: () => [] })

describe("decodeForm", () => {
  it("accepts names with commas, quotes and non-ASCII; empty optional fields are absent", () => {
    const form = Result.getOrThrow(
      decode([...base, ["name", 'Müller, Anna "Annie" 李'], ["subject", ""], ["phone", ""]])
    )
    expect(form.name).toBe('Müller, Anna "Annie" 李')
    expect(form.subject).toBeUndefined()
    expect(form.extras).toEqual([])
  })

  it("emails follow the HTML type=email rule, ASCII, at most 254 characters", () => {
    for (const ok of ["a@b", "first.last+tag@sub.example.co.uk", "o'brien@example.ie"]) {
      expect(
        issuesOf([
          ["email", ok],
          ["body", "x"]
        ])
      ).toEqual([])
    }
    for (const bad of ["a@", "@b", "a b@c.d", "anna@exämple.de", "a@b..c", "a@-b.c", "<a@b.c>"]) {
      expect(
        issuesOf([
          ["email", bad],
          ["body", "x"]
        ])
      ).toEqual([{ field: "email", code: "invalid_email" }])
    }
    const long = `${"a".repeat(64)}@${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.${"e".repeat(10)}.com`
    expect(long.length).toBeGreaterThan(254)
    expect(
      issuesOf([
        ["email", long],
        ["body", "x"]
      ])
    ).toEqual([{ field: "email", code: "too_long", max: 254 }])
  })

  it("lengths count code points, not UTF-16 units", () => {
    const emoji = "😀".repeat(200)
    expect(emoji.length).toBe(400)
    expect(issuesOf([...base, ["subject", emoji]])).toEqual([])
    expect(issuesOf([...base, ["subject", `${emoji}x`]])).toEqual([
      { field: "subject", code: "too_long", max: 200 }
    ])
    expect(
      issuesOf([
        ["email", "a@b.c"],
        ["body", "x".repeat(10_001)]
      ])
    ).toEqual([{ field: "body", code: "too_long", max: 10_000 }])
  })

  it("one-line fields refuse CR, LF and every control character; the message keeps TAB, CR, LF", () => {
    for (const c of ["\r", "\n", "\u0000", "\u0007", "\u007f", "\u0085", "\t"]) {
      expect(issuesOf([...base, ["name", `a${c}b`]])).toEqual([
        { field: "name", code: "not_one_line" }
      ])
    }
    expect(
      issuesOf([
        ["email", "a@b.c"],
        ["body", "a\tb\r\nc\nd"]
      ])
    ).toEqual([])
    expect(
      issuesOf([
        ["email", "a@b.c"],
        ["body", "a\u0000b"]
      ])
    ).toEqual([{ field: "body", code: "control_characters" }])
  })

  it("message is an alias of body; the alias is named when it is the one sent", () => {
    expect(
      Result.getOrThrow(
        decode([
          ["email", "a@b.c"],
          ["message", "from alias"]
        ])
      ).body
    ).toBe("from alias")
    expect(
      issuesOf([
        ["email", "a@b.c"],
        ["message", "   "]
      ])
    ).toEqual([{ field: "message", code: "blank" }])
    expect(issuesOf([["email", "a@b.c"]])).toEqual([{ field: "message", code: "required" }])
  })

  it("body and message both non-empty: a 400 naming both as sent, neither text dropped", () => {
    for (const [first, second] of [
      ["message", "body"],
      ["body", "message"]
    ] as const) {
      expect(
        issuesOf([
          ["email", "a@b.c"],
          [first, "one text"],
          [second, "another"]
        ])
      ).toEqual([
        { field: first, code: "alias_conflict" },
        { field: second, code: "alias_conflict" }
      ])
    }
    // Blank is not empty: a field of spaces was sent all the same.
    expect(
      issuesOf([
        ["email", "a@b.c"],
        ["body", "text"],
        ["message", " "]
      ]).map((i) => i.code)
    ).toEqual(["alias_conflict", "alias_conflict"])
    // Other problems are still listed with it; the message's own rules wait for one field.
    expect(
      issuesOf([
        ["email", "nope"],
        ["body", "x".repeat(10_001)],
        ["message", "text"]
      ])
    ).toEqual([
      { field: "email", code: "invalid_email" },
      { field: "body", code: "alias_conflict" },
      { field: "message", code: "alias_conflict" }
    ])
  })

  it("one of body and message empty: the other is the message, whichever is sent first", () => {
    for (const fields of [
      [
        ["body", ""],
        ["message", "the text"]
      ],
      [
        ["message", "the text"],
        ["body", ""]
      ]
    ] as const) {
      expect(Result.getOrThrow(decode([["email", "a@b.c"], ...fields])).body).toBe("the text")
    }
    expect(
      Result.getOrThrow(
        decode([
          ["email", "a@b.c"],
          ["message", ""],
          ["body", "the text"]
        ])
      ).body
    ).toBe("the text")
  })

  it("extra fields: submission order, empty skipped, repeated joined, at most 20, each at most 2,000", () => {
    const form = Result.getOrThrow(decode([...base, ["b", "2"], ["a", "1"], ["b", "3"], ["c", ""]]))
    expect(form.extras).toEqual([
      ["b", "2, 3"],
      ["a", "1"]
    ])
    const many: Fields = Array.from({ length: 21 }, (_, i) => [`f${i}`, "x"] as const)
    expect(issuesOf([...base, ...many])).toEqual([
      { field: "_body", code: "too_many_fields", max: 20 }
    ])
    expect(issuesOf([...base, ["notes", "x".repeat(2_001)]])).toEqual([
      { field: "notes", code: "too_long", max: 2_000 }
    ])
    expect(issuesOf([...base, ["bad\nname", "x"]])).toEqual([
      { field: "_body", code: "bad_field_name" }
    ])
  })

  it("U+FFFE, U+FFFF and lone surrogates are refused in every field, the field named", () => {
    const refused = ["\uFFFE", "\uFFFF", "\uD800", "\uDBFF", "\uDC00", "\uDFFF"]
    for (const c of refused) {
      const fields: Fields = [
        ["email", `a${c}@b.c`],
        ["name", `Anna ${c}`],
        ["subject", `${c}Hi`],
        ["body", `Hello${c}`],
        ["phone", `555${c}`]
      ]
      // In the schema's order (email, message, subject, name), then the extra fields.
      expect(issuesOf(fields), JSON.stringify(c)).toEqual(
        ["email", "body", "subject", "name", "phone"].map((field) => ({
          field,
          code: "invalid_characters"
        }))
      )
      // In an extra field's name: a bad name, as a name too long or of two lines is.
      expect(issuesOf([...base, [`phone${c}`, "555"]])).toEqual([
        { field: "_body", code: "bad_field_name" }
      ])
      // Under the alias, the alias is named.
      expect(
        issuesOf([
          ["email", "a@b.c"],
          ["message", `Hello${c}`]
        ])
      ).toEqual([{ field: "message", code: "invalid_characters" }])
    }
  })

  it("every other character is text: pairs of surrogates, U+FFFD, U+FEFF and the other noncharacters", () => {
    for (const c of [
      "😀",
      "𝕳",
      "\uFFFD",
      "\uFEFF",
      "\uFDD0",
      "\uFDEF",
      "\u{1FFFE}",
      "\u{10FFFF}"
    ]) {
      expect(
        issuesOf([...base, ["name", `Anna ${c}`], ["subject", c], [`phone${c}`, `555${c}`]]),
        JSON.stringify(c)
      ).toEqual([])
    }
  })

  it("a known field sent twice is a 400, reported once", () => {
    expect(issuesOf([...base, ["email", "b@c.d"], ["email", "e@f.g"]])).toEqual([
      { field: "email", code: "duplicate" }
    ])
  })

  it("only the configured provider's token field counts", () => {
    const fields: Fields = [
      ...base,
      ["frc-captcha-solution", "v1-token"],
      ["frc-captcha-response", "v2-token"]
    ]
    expect(Result.getOrThrow(decode(fields)).captchaToken).toBe("v2-token")
    expect(Result.getOrThrow(decode(fields, "frc-captcha-solution")).captchaToken).toBe("v1-token")
    expect(
      Result.getOrThrow(decodeForm(fields, { captchaField: undefined, language: "en" }))
        .captchaToken
    ).toBeUndefined()
    expect(Result.getOrThrow(decode(fields)).extras).toEqual([])
  })

  it("every problem is listed at once", () => {
    expect(
      issuesOf([
        ["email", "nope"],
        ["subject", "a\nb"]
      ])
        .map((i) => i.field)
        .sort()
    ).toEqual(["email", "message", "subject"])
  })

  it("what the pages give back: both texts when body and message conflict, valid Unicode", () => {
    expect(
      visitorText([
        ["subject", "Hi"],
        ["message", "first"],
        ["email", "a@b.c"],
        ["body", "second"]
      ])
    ).toEqual({ subject: "Hi", body: "first\n\nsecond" })
    expect(visitorText([["message", "only"]])).toEqual({ body: "only" })
    // A refused form's answer still encodes: a lone surrogate is given back as U+FFFD.
    const given = visitorText([
      ["subject", "a\uD800"],
      ["body", "\uDC00b😀"]
    ])
    expect(given).toEqual({ subject: "a\uFFFD", body: "\uFFFDb😀" })
    expect(() => mailtoLink("o@example.com", given)).not.toThrow()
  })

  it("honeypot: non-empty _gotcha only", () => {
    expect(isHoneypot([["_gotcha", ""]])).toBe(false)
    expect(isHoneypot([["_gotcha", "x"]])).toBe(true)
  })
})

describe("the queue item (contract §7a: every valid form fits in its queue item)", () => {
  it("of the largest valid form, in the characters that cost the most, is under 256 KiB", () => {
    const form = Result.getOrThrow(decode(largestValidForm))
    // Each field at its limit, in code points.
    expect([form.email, form.name ?? "", form.subject ?? "", form.body].map(codePoints)).toEqual([
      254, 200, 200, 10_000
    ])
    expect(form.extras.map(([name, value]) => [codePoints(name), codePoints(value)])).toEqual(
      Array.from({ length: 20 }, () => [100, 2_000])
    )
    const item = queueItem({
      id: "0193d5a2-7c4e-8f3a-9b1d-2e6f4a8c0d17",
      form: "f".repeat(40),
      receivedAt: new Date("2026-12-06T12:00:00Z"),
      // Longer than any reason the transports give.
      reason: "r".repeat(100),
      permanent: true,
      contact: form,
      captcha: { _tag: "Unverified", reason: "secret_unavailable" }
    })
    const bytes = Buffer.byteLength(encodeItem(item), "utf8")
    // 52,400 code points of 4 bytes (209,600), the address (254) and the JSON around them:
    // 51,713 bytes to spare.
    expect(bytes).toBe(210_431)
    expect(bytes).toBeLessThan(maxItemBytes)
  })
})

describe("line breaks (contract §3: CRLF, CR and LF are each one break)", () => {
  it("counts a CR before CRLF as two breaks, in the mail, the paragraphs and the mailto body", () => {
    expect(withLineBreaks("a\r\r\nb\n\rc\r\n\nd", "\n")).toBe("a\n\nb\n\nc\n\nd")
    const form = Result.getOrThrow(
      decode([
        ["email", "anna@example.org"],
        ["body", "one\r\r\ntwo"],
        ["phone", "1\r2"]
      ])
    )
    const mail = composeMail(testForm(), { id: "id-1", form, captcha: { _tag: "Disabled" } })
    expect(mail.text).toBe(
      "one\n\ntwo\n\n--\nEmail: anna@example.org\nLanguage: en\nphone: 1\n  2\nCaptcha: disabled\n"
    )
    expect(paragraphs("one\r\r\ntwo")).toBe("<p>one</p>\n<p>two</p>")
    expect(mailtoLink("o@example.com", { body: "one\r\r\ntwo" })).toBe(
      "mailto:o@example.com?body=one%0D%0A%0D%0Atwo"
    )
  })
})
