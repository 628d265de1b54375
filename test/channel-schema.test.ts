/**
 * The webhook's published JSON Schema (docs/schemas/contact.submission.v1.json) and the body
 * we send (contract §11): every payload valid, the schema's limits the form's own, and a
 * payload that breaks it refused. The checker below reads exactly the keywords the schema
 * uses, and fails on any other, so that the schema cannot grow past what is checked.
 */
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { maxChars, maxExtraChars, maxExtraFields, maxExtraNameChars } from "../src/domain/form"
import { languages } from "../src/domain/languages"
import { webhookPayload, webhookType } from "../src/services/channels/webhook-payload"
import { long, short, submissionOf } from "./support/channel-receiver"

// biome-ignore lint/suspicious/noExplicitAny: a JSON Schema read from disk
type Schema = Record<string, any>
const schema: Schema = JSON.parse(
  readFileSync(resolve(import.meta.dirname, "../docs/schemas/contact.submission.v1.json"), "utf8")
)

const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/
const typeOf = (v: unknown) =>
  v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "number" ? "number" : typeof v
const known = new Set([
  "$schema",
  "$id",
  "title",
  "description",
  "type",
  "const",
  "enum",
  "required",
  "additionalProperties",
  "properties",
  "items",
  "maxItems",
  "minLength",
  "maxLength",
  "pattern",
  "format"
])

/** The problems of `value` against `s`, each with its JSON path. */
const problems = (s: Schema, value: unknown, path = "$"): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const key of Object.keys(s)) if (!known.has(key)) throw new Error(`unchecked keyword ${key}`)
  const types: ReadonlyArray<string> = s.type === undefined ? [] : [s.type].flat()
  if (types.length > 0 && !types.includes(typeOf(value))) return [`${path}: not ${types}`]
  if ("const" in s && value !== s.const) out.push(`${path}: not ${s.const}`)
  if (s.enum !== undefined && !s.enum.includes(value)) out.push(`${path}: not in enum`)
  if (typeof value === "string") {
    const length = Array.from(value).length
    if (s.minLength !== undefined && length < s.minLength) out.push(`${path}: too short`)
    if (s.maxLength !== undefined && length > s.maxLength) out.push(`${path}: too long`)
    if (s.pattern !== undefined && !new RegExp(s.pattern, "u").test(value))
      out.push(`${path}: pattern`)
    if (s.format === "date-time" && !(dateTime.test(value) && !Number.isNaN(Date.parse(value))))
      out.push(`${path}: not a date-time`)
  }
  if (Array.isArray(value)) {
    if (s.maxItems !== undefined && value.length > s.maxItems) out.push(`${path}: too many`)
    if (s.items !== undefined)
      for (const [i, v] of value.entries()) out.push(...problems(s.items, v, `${path}[${i}]`))
  }
  if (typeOf(value) === "object") {
    const object = value as Record<string, unknown>
    for (const key of s.required ?? []) if (!(key in object)) out.push(`${path}.${key}: missing`)
    for (const [key, v] of Object.entries(object)) {
      const inner = s.properties?.[key]
      if (inner !== undefined) out.push(...problems(inner, v, `${path}.${key}`))
      else if (s.additionalProperties === false) out.push(`${path}.${key}: not allowed`)
    }
  }
  return out
}

const at = new Date("2026-12-06T10:00:01.500Z")
const json = (value: unknown) => JSON.parse(JSON.stringify(value))

describe("contact.submission.v1", () => {
  it("every payload we send is valid: the largest form, a short one, marked and not", () => {
    for (const submission of [long, short, { ...short, possibleDuplicate: at.toISOString() }])
      expect(problems(schema, json(webhookPayload(submission, at)))).toEqual([])
    const unverified = { ...short, captcha: { _tag: "Unverified", reason: "http_503" } as const }
    expect(problems(schema, json(webhookPayload(unverified, at)))).toEqual([])
  })

  it("names every key the payload has, and requires all but the marks", () => {
    const payload = webhookPayload(
      {
        ...short,
        possibleDuplicate: at.toISOString(),
        spam: { score: 6, reasons: ["links", "fast_submit"] }
      },
      at
    )
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(payload).sort())
    expect(Object.keys(schema.properties.data.properties).sort()).toEqual(
      Object.keys(payload.data).sort()
    )
    expect([...schema.properties.data.required, "possibleDuplicate", "spam"].sort()).toEqual(
      Object.keys(payload.data).sort()
    )
    expect(schema.properties.type.const).toBe(webhookType)
  })

  it("keeps the form's own limits and languages", () => {
    const data = schema.properties.data.properties
    expect([
      data.name.maxLength,
      data.subject.maxLength,
      data.email.maxLength,
      data.message.maxLength
    ]).toEqual([maxChars.name, maxChars.subject, maxChars.email, maxChars.body])
    expect([
      data.extras.maxItems,
      data.extras.items.properties.name.maxLength,
      data.extras.items.properties.value.maxLength
    ]).toEqual([maxExtraFields, maxExtraNameChars, maxExtraChars])
    expect(data.language.enum).toEqual([...languages])
  })

  it("refuses a payload that breaks it, naming where", () => {
    const valid = json(
      webhookPayload(
        submissionOf([
          ["email", "v@example.com"],
          ["body", "hi"],
          ["company", "ACME"]
        ]),
        at
      )
    )
    const broken = (change: (p: Schema) => void) => {
      const copy = json(valid)
      change(copy)
      return problems(schema, copy)
    }
    expect(
      broken((p) => {
        delete p.data.id
      })
    ).toEqual(["$.data.id: missing"])
    expect(
      broken((p) => {
        p.type = "contact.submission.v2"
      })
    ).toEqual(["$.type: not contact.submission.v1"])
    expect(
      broken((p) => {
        p.data.secret = "x"
      })
    ).toEqual(["$.data.secret: not allowed"])
    expect(
      broken((p) => {
        p.data.message = "𝕳".repeat(maxChars.body + 1)
      })
    ).toEqual(["$.data.message: too long"])
    expect(
      broken((p) => {
        p.data.extras[0].value = 3
      })
    ).toEqual(["$.data.extras[0].value: not string"])
    expect(
      broken((p) => {
        p.data.receivedAt = "yesterday"
      })
    ).toEqual(["$.data.receivedAt: not a date-time"])
    expect(
      broken((p) => {
        p.data.language = "xx"
      })
    ).toEqual(["$.data.language: not in enum"])
  })
})
