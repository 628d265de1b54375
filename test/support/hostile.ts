/**
 * Generators (fast-check) for the hostile-input suite: hostile but VALID forms (what a
 * real visitor may send and must reach the owner), forms invalid by construction (each
 * with the answer contract §2 gives it), and anything at all; and how each is encoded
 * into a real-shaped Lambda event.
 */
import fc from "fast-check"
import { bodyBytesForEveryForm } from "../../src/domain/limits"
import { functionUrlEvent, httpApiEvent, restApiEvent } from "./events"

export type Field = readonly [name: string, value: string]
export type Format = "urlencoded" | "json" | "multipart"
export type Shape = "http" | "rest" | "url"

/** The default limit, derived from the field rules (contract §2): every valid form fits. */
export const MAX_BODY_BYTES = bodyBytesForEveryForm
export const listedOrigin = "https://www.example.com"

// ---------------------------------------------------------------------------------------
// Strings

const cp = (s: string) => Array.from(s)
/** At most `max` code points (never half a surrogate pair). */
export const cut = (s: string, max: number) => cp(s).slice(0, max).join("")
/** Exactly `n` code points, repeating `seed`. */
const fill = (seed: string, n: number) => {
  const points = cp(seed.length === 0 ? "x" : seed)
  return Array.from({ length: n }, (_, i) => points[i % points.length]).join("")
}

/**
 * What no field may hold (contract §7a): U+FFFE, U+FFFF and lone surrogates (with `u`, a
 * pair is one code point outside the class). The other noncharacters are text.
 */
const unsendable = /[\uD800-\uDFFF\uFFFE\uFFFF]/gu
/** What "one line" forbids (contract §2): every control character. */
const controls = /[\u0000-\u001f\u007f-\u009f]/g
/** What a message forbids: control characters other than TAB, CR and LF. */
const messageControls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g

/** Markup, header and encoded-word look-alikes: what an attacker would paste anywhere. */
const payloads = fc.constantFrom(
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "'><svg/onload=alert(1)>",
  '<a href="javascript:alert(1)">x</a>',
  "<iframe src=//evil.example>",
  "</blockquote></main><form action=//evil.example>",
  "&lt;b&gt; &amp;#60; &#x3C;",
  "=?utf-8?q?Bcc:_evil@example.net?=",
  "=?UTF-8?B?PHNjcmlwdD4=?=",
  " =?UTF-8?Q?a=0D=0ABcc:_evil@example.net?= ",
  '"Evil" <evil@example.net>, other@example.net',
  "Bcc: evil@example.net",
  "%0d%0aBcc:%20evil@example.net",
  "mailto:evil@example.net?cc=x",
  '\\"quoted\\" back\\slash',
  "Müller, Anna",
  'O\'Brien "the Great"',
  "\u202e\u2066RTL\u2069",
  "\ufeff\u200b\u2028\u2029",
  "𝕳𝖊𝖑𝖑𝖔 👩‍👩‍👧‍👦 🏳️‍🌈",
  "ẞ ﷽ ｆｕｌｌ Ωμέγα Ελληνικά 中文 العربية"
)
/** Half a surrogate pair: only a JSON escape can send one (`"\ud800"`). */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c))
/** What contract §7a refuses in every field; half of them only JSON can carry. */
const unsendableChar = fc.oneof(fc.constantFrom("\uFFFE", "\uFFFF"), loneSurrogate)

const pieces = (extra: fc.Arbitrary<string>) =>
  fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: fc.string({ unit: "grapheme", maxLength: 24 }) },
        { weight: 2, arbitrary: payloads },
        { weight: 1, arbitrary: unsendableChar },
        { weight: 2, arbitrary: extra }
      ),
      { maxLength: 8 }
    )
    .map((parts) => parts.join(""))

/** One line (no control character at all), at most `max` code points, often exactly `max`. */
const oneLine = (max: number) =>
  pieces(fc.constant(" "))
    .map((s) => s.replace(controls, "").replace(unsendable, ""))
    .chain((s) => fc.constantFrom(cut(s, max), fill(s, max)))

const breaks = fc.constantFrom(
  "\r\n",
  "\n",
  "\r",
  "\t",
  "\r\n\r\n",
  "\r\n.\r\n",
  "\n.\n",
  "\r\n..\r\n",
  "\nFrom me\n",
  "\n--\nCaptcha: verified\n",
  "\r\nBcc: evil@example.net\r\nSubject: spoofed\r\n\r\n",
  // SMTP smuggling: ends of DATA that a lenient receiver would accept, then commands.
  "\n.\r\nMAIL FROM:<evil@example.net>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\n",
  "\r\n.\nRSET\n",
  "\r.\r\nQUIT\r\n"
)

/** A message (TAB, CR, LF allowed), not blank, up to 10,000 code points: often at the limit. */
const message = (marker: string) =>
  pieces(breaks)
    .map((s) => `${marker} ${s.replace(messageControls, "").replace(unsendable, "")}`)
    .chain((s) => fc.constantFrom(cut(s, 10_000), fill(s, 10_000)))

// The HTML `type=email` rule: atext (and dots) before the @, LDH labels after it.
const atext = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-"
const label = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(..."abcxyz019"), minLength: 1, maxLength: 1 }),
    fc.string({
      unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-"),
      maxLength: 20
    }),
    fc.string({ unit: fc.constantFrom(..."abcXYZ789"), maxLength: 1 })
  )
  .map(([a, b, c]) => (b === "" && c === "" ? a : `${a}${b}${c === "" ? "z" : c}`))

/** A domain of 189 characters: with a 64-character local part, a 254-character address. */
const longDomain = ["b".repeat(63), "c".repeat(63), "d".repeat(61)].join(".")

/** A valid address whose local part starts with `marker` (so logs can be searched for it). */
const email = (marker: string) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.string({ unit: fc.constantFrom(...atext), maxLength: 40 }),
          fc.array(label, { minLength: 1, maxLength: 4 })
        )
        .map(([local, labels]) => `${marker}${local}@${labels.join(".")}`)
    },
    {
      // Exactly 254 characters: the longest address the contract accepts.
      weight: 1,
      arbitrary: fc
        .string({
          unit: fc.constantFrom(...atext),
          minLength: 64 - marker.length,
          maxLength: 64 - marker.length
        })
        .map((local) => `${marker}${local}@${longDomain}`)
    }
  )

const knownNames = new Set([
  "email",
  "body",
  "message",
  "subject",
  "name",
  "language",
  "_gotcha",
  "frc-captcha-solution",
  "frc-captcha-response"
])

/**
 * Extra fields: names unique as sent (Object.prototype's included), one line each; values
 * with breaks. No lone surrogate in a name or a value: a valid form holds none (contract §7a). (Seed -1197278783 once found two names of lone surrogates that every
 * format brought as U+FFFD, one field: such a name is now refused, `unsendable` below.)
 */
const extras = fc.uniqueArray(
  fc
    .tuple(
      fc.oneof(
        oneLine(100),
        fc.constantFrom(
          "__proto__",
          "constructor",
          "toString",
          "hasOwnProperty",
          "phone",
          "Name",
          "Captcha"
        )
      ),
      fc.oneof(
        pieces(breaks)
          .map((s) => s.replace(messageControls, "").replace(unsendable, ""))
          .chain((s) => fc.constantFrom(cut(s, 2_000), fill(s, 2_000))),
        fc.constant("")
      )
    )
    .filter(([name]) => !knownNames.has(name)),
  { maxLength: 20, selector: ([name]) => name }
)

// ---------------------------------------------------------------------------------------
// Valid forms

export interface ValidForm {
  readonly marker: string
  readonly email: string
  /** What the mail carries as the message: `body`, else `message`. */
  readonly body: string
  readonly subject: string | undefined
  readonly name: string | undefined
  readonly language: string | undefined
  readonly extras: ReadonlyArray<Field>
  /** The fields in submission order, as sent. */
  readonly fields: ReadonlyArray<Field>
}

let markers = 0
/** A token no log line and no template contains: `Vq` and a counter. */
const nextMarker = () => `Vq${(++markers).toString(36).padStart(4, "0")}x`

export const validForm: fc.Arbitrary<ValidForm> = fc
  .constant(null)
  .map(nextMarker)
  .chain((marker) =>
    fc
      .record({
        marker: fc.constant(marker),
        email: email(marker.toLowerCase()),
        body: message(marker),
        // The message in `body` or in its alias `message`, the other one sent empty or not
        // at all: both non-empty is a 400 (contract §2, `bothMessageFields` below).
        alias: fc.constantFrom("body", "message", "body, message empty", "message, body empty"),
        subject: fc.option(
          oneLine(200).map((s) => cut(`${marker}${s}`, 200)),
          { nil: undefined }
        ),
        name: fc.option(
          oneLine(200).map((s) => cut(`${marker}${s}`, 200)),
          { nil: undefined }
        ),
        language: fc.option(
          fc.constantFrom("en", "de", "fr", "pl", "pt", "", "../de", "DE", "de\u0000"),
          {
            nil: undefined
          }
        ),
        honeypotEmpty: fc.boolean(),
        extras,
        positions: fc.array(fc.nat(), { minLength: 8, maxLength: 8 })
      })
      .map((r): ValidForm => {
        const known: Array<Field> = [["email", r.email]]
        if (r.alias === "body, message empty") known.push(["message", ""], ["body", r.body])
        else if (r.alias === "message, body empty") known.push(["message", r.body], ["body", ""])
        else known.push([r.alias, r.body])
        if (r.subject !== undefined) known.push(["subject", r.subject])
        if (r.name !== undefined) known.push(["name", r.name])
        if (r.language !== undefined) known.push(["language", r.language])
        if (r.honeypotEmpty) known.push(["_gotcha", ""])
        // Known fields anywhere among the extras; the extras keep their own order.
        const fields: Array<Field> = [...r.extras]
        known.forEach((field, i) => {
          fields.splice((r.positions[i] ?? 0) % (fields.length + 1), 0, field)
        })
        return {
          marker,
          email: r.email,
          body: r.body,
          subject: r.subject === "" ? undefined : r.subject,
          name: r.name === "" ? undefined : r.name,
          language: r.language,
          extras: r.extras,
          fields
        }
      })
  )

// ---------------------------------------------------------------------------------------
// Encoding a form into an event

export interface Encoded {
  readonly contentType: string
  readonly bytes: Uint8Array
}

/** A multipart name as browsers send it: `"`, CR and LF percent-encoded. */
const partName = (name: string) =>
  name.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A")

export const encodeForm = (
  format: Format,
  fields: ReadonlyArray<Field>,
  boundary: string
): Encoded => {
  switch (format) {
    case "urlencoded":
      return {
        contentType: "application/x-www-form-urlencoded",
        bytes: Buffer.from(new URLSearchParams(fields.map(([k, v]) => [k, v])).toString(), "utf8")
      }
    case "json":
      // By hand: keeps duplicate keys, `__proto__` as a key, and lone surrogates as escapes.
      return {
        contentType: "application/json",
        bytes: Buffer.from(
          `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`,
          "utf8"
        )
      }
    case "multipart":
      return {
        // `(`, `)` and `'` are allowed in a boundary, but tspecials in a header: quoted.
        contentType: `multipart/form-data; boundary=${/^[\w-]+$/.test(boundary) ? boundary : `"${boundary}"`}`,
        bytes: Buffer.from(
          `${fields
            .map(
              ([k, v]) =>
                `--${boundary}\r\nContent-Disposition: form-data; name="${partName(k)}"\r\n\r\n${v}\r\n`
            )
            .join("")}--${boundary}--\r\n`,
          "utf8"
        )
      }
  }
}

/** How the answer is negotiated: Accept values with a known outcome (contract §3). */
export const acceptChoices = [
  {
    headers: { Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" },
    json: false
  },
  { headers: {}, json: false },
  { headers: { Accept: "*/*" }, json: false },
  { headers: { Accept: "application/json;q=0.9, text/html" }, json: false },
  { headers: { Accept: "application/json" }, json: true },
  { headers: { Accept: "text/html;q=0.5, application/json" }, json: true },
  { headers: { "X-Requested-With": "xmlHTTPrequest" }, json: true }
] as const

export interface EventSpec {
  readonly shape: Shape
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  readonly bytes: Uint8Array | undefined
  /** API Gateway's `isBase64Encoded`. */
  readonly base64: boolean
  /** Sent as the body string with `isBase64Encoded: true`, whatever it is. */
  readonly rawBase64?: string
}

export const toEvent = (spec: EventSpec) => {
  const input = {
    method: spec.method,
    headers: spec.headers,
    ...(spec.rawBase64 !== undefined
      ? { rawBase64: spec.rawBase64 }
      : spec.bytes === undefined
        ? {}
        : spec.base64
          ? { rawBase64: Buffer.from(spec.bytes).toString("base64") }
          : { body: Buffer.from(spec.bytes).toString("utf8") })
  }
  switch (spec.shape) {
    case "http":
      return httpApiEvent(input)
    case "rest":
      return restApiEvent(input)
    case "url":
      return functionUrlEvent(input)
  }
}

/** The body's size as the edge sees it (decoded). */
export const bodySize = (spec: EventSpec) => spec.bytes?.byteLength ?? 0

export const shapes = fc.constantFrom<Shape>("http", "rest", "url")
export const formats = fc.constantFrom<Format>("urlencoded", "json", "multipart")
export const boundaries = fc
  .string({ unit: fc.constantFrom(..."abcXYZ0189'()+_-"), minLength: 8, maxLength: 40 })
  .map((s) => `----hostile${s}`)

/** The media type's spelling, one of four: its case and a charset do not matter. */
export const spell = (contentType: string, variant: number): string => {
  const [media = "", ...params] = contentType.split(";")
  // The boundary keeps its case: it is matched byte for byte.
  const rest = params.map((p) => `;${p}`).join("")
  switch (variant % 4) {
    case 1:
      return `${media.toUpperCase()}${rest}`
    case 2:
      return `${media}${rest}; charset=UTF-8`
    case 3:
      return ` ${media.replace(/(^|\/)(.)/g, (_, s: string, c: string) => `${s}${c.toUpperCase()}`)} ${rest}`
    default:
      return contentType
  }
}

/**
 * Multipart names that arrive as sent: without `"`, `\\`, CR and LF (browsers escape those).
 * Any other character, Cyrillic or emoji too, arrives as sent since Effect 4's parser (the
 * previous one, multipasta 0.2, dropped a name above U+00FF).
 */
export const multipartSafe = (fields: ReadonlyArray<Field>) =>
  fields.every(([name]) => !/["\\\r\n]/.test(name))

/** Header names in the sender's casing (REST API 1.0 keeps it). */
export const casing = fc.constantFrom<(name: string) => string>(
  (n) => n,
  (n) => n.toLowerCase(),
  (n) => n.toUpperCase()
)
export const recased = (headers: Readonly<Record<string, string>>, f: (name: string) => string) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [f(k), v]))

/** Anything at all, control characters and lone surrogates included. */
function anyStringArb(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.string({ unit: "binary-ascii", maxLength: 40 }),
    pieces(fc.string({ unit: "binary-ascii", maxLength: 4 })),
    payloads
  )
}
export const anyString = anyStringArb()

// ---------------------------------------------------------------------------------------
// Invalid by construction: a valid form with exactly one thing broken

/** Which check of contract §2 a case breaks; the first failing check answers. */
export type Broken = "origin" | "method" | "media" | "size" | "parse" | "honeypot" | "validation"

export interface Case {
  readonly why: string
  readonly broken: Broken
  readonly spec: EventSpec
  /** Everything the visitor wrote in this case starts with it. */
  readonly marker: string
}

interface Base {
  readonly form: ValidForm
  readonly format: Format
  readonly shape: Shape
  readonly boundary: string
  readonly accept: number
  readonly base64: boolean
}

const base: fc.Arbitrary<Base> = fc.record({
  form: validForm,
  format: formats,
  shape: shapes,
  boundary: boundaries,
  accept: fc.nat(acceptChoices.length - 1),
  base64: fc.boolean()
})

interface Change {
  readonly fields?: ReadonlyArray<Field>
  readonly format?: Format
  /** The body as sent, instead of the encoded fields. */
  readonly bytes?: Uint8Array
  /** `null`: no Content-Type header at all. */
  readonly contentType?: string | null
  readonly method?: string
  readonly origin?: string
  readonly rawBase64?: string
}

const build = (b: Base, why: string, broken: Broken, change: Change = {}): Case => {
  const fields = change.fields ?? b.form.fields
  const wanted = change.format ?? b.format
  // Names multipart cannot carry (multipartSafe) would change the case: urlencoded then
  // (unless the case brings its own multipart bytes).
  const format =
    wanted === "multipart" && change.bytes === undefined && !multipartSafe(fields)
      ? "urlencoded"
      : wanted
  const encoded = encodeForm(format, fields, b.boundary)
  const contentType = change.contentType === undefined ? encoded.contentType : change.contentType
  const accept = acceptChoices[b.accept] ?? acceptChoices[0]
  const bytes = change.bytes ?? encoded.bytes
  return {
    why,
    broken,
    marker: b.form.marker,
    spec: {
      shape: b.shape,
      method: change.method ?? "POST",
      headers: {
        ...accept.headers,
        ...(contentType === null ? {} : { "Content-Type": contentType }),
        ...(change.origin === undefined ? {} : { Origin: change.origin })
      },
      bytes,
      // Bytes that are not UTF-8 can only travel base64-encoded.
      base64: b.base64 || !isUtf8(bytes),
      ...(change.rawBase64 === undefined ? {} : { rawBase64: change.rawBase64 })
    }
  }
}

const isUtf8 = (bytes: Uint8Array) => {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}

/** `fields` with the first `name` set to `value` (appended when absent). */
const setField = (fields: ReadonlyArray<Field>, name: string, value: string): Array<Field> => {
  const at = fields.findIndex(([n]) => n === name)
  return at === -1
    ? [...fields, [name, value]]
    : fields.map((field, i): Field => (i === at ? [name, value] : field))
}
const insert = (s: string, at: number, piece: string) => {
  const points = Array.from(s)
  const i = at % (points.length + 1)
  return [...points.slice(0, i), piece, ...points.slice(i)].join("")
}
/** The field that carries the message: `body` when sent non-empty, else `message`. */
const messageField = (form: ValidForm) =>
  form.fields.some(([n, v]) => n === "body" && v !== "") ? "body" : "message"

const char = (ranges: ReadonlyArray<readonly [number, number]>) =>
  fc
    .oneof(...ranges.map(([min, max]) => fc.integer({ min, max })))
    .map((c) => String.fromCharCode(c))

type Mutation = fc.Arbitrary<(b: Base) => Case>

const controlInOneLine: Mutation = fc
  .record({
    field: fc.constantFrom("name", "subject"),
    control: char([
      [0x00, 0x1f],
      [0x7f, 0x9f]
    ]),
    at: fc.nat()
  })
  .map(({ at, control, field }) => (b) => {
    const current = b.form.fields.find(([n]) => n === field)?.[1] ?? b.form.marker
    return build(b, `U+${control.charCodeAt(0).toString(16)} in ${field}`, "validation", {
      fields: setField(b.form.fields, field, insert(current, at, control))
    })
  })

const controlInMessage: Mutation = fc
  .record({
    control: char([
      [0x00, 0x08],
      [0x0b, 0x0c],
      [0x0e, 0x1f],
      [0x7f, 0x9f]
    ]),
    at: fc.nat()
  })
  .map(({ at, control }) => (b) => {
    const field = messageField(b.form)
    return build(b, `U+${control.charCodeAt(0).toString(16)} in the message`, "validation", {
      fields: setField(b.form.fields, field, insert(b.form.body, at, control))
    })
  })

const invalidEmail: Mutation = fc
  .oneof(
    fc
      .record({
        piece: fc.constantFrom(...' <>,;:"()[]\\\r\n\u0000ü\u00a0@'),
        at: fc.nat()
      })
      .map(
        ({ at, piece }) =>
          (email: string) =>
            insert(email, at, piece)
      ),
    fc
      .constantFrom(
        "",
        "plain",
        "@example.org",
        "anna@",
        "anna@-example.org",
        "anna@example-.org",
        "anna@.example.org",
        "anna@example..org",
        `anna@${"b".repeat(64)}.org`,
        `${"a".repeat(64)}@${["b".repeat(63), "c".repeat(63), "d".repeat(62)].join(".")}`,
        "anna@example.org\r\nBcc: evil@example.net",
        "anna@example.org, evil@example.net",
        "Anna <anna@example.org>",
        "anna@exämple.org"
      )
      .map((fixed) => () => fixed)
  )
  .map(
    (spoil) => (b) =>
      build(b, "an invalid email", "validation", {
        fields: setField(b.form.fields, "email", spoil(b.form.email))
      })
  )

const tooLong: Mutation = fc
  .record({
    what: fc.constantFrom("name", "subject", "message", "extra", "extras", "extra name"),
    filler: fc.constantFrom("x", "é", "𝕳", "<"),
    value: fc.constantFrom("1", "\u00e9", "𝕳")
  })
  .map(({ filler, value, what }) => (b) => {
    const fill = (n: number) => filler.repeat(n)
    const fields = b.form.fields.filter(([n]) => n !== "_gotcha")
    switch (what) {
      case "name":
      case "subject":
        return build(b, `${what} of 201`, "validation", {
          fields: setField(fields, what, fill(201))
        })
      case "message":
        return build(b, "a message of 10,001", "validation", {
          fields: setField(fields, messageField(b.form), fill(10_001))
        })
      case "extra":
        return build(b, "an extra field of 2,001", "validation", {
          fields: setField(fields, "x-extra-long", fill(2_001))
        })
      case "extra name":
        return build(b, "an extra field's name of 101", "validation", {
          fields: setField(fields, fill(101), value)
        })
      default:
        return build(b, "21 extra fields", "validation", {
          fields: [
            ...fields.filter(([n]) => knownNames.has(n)),
            ...Array.from({ length: 21 }, (_, i): Field => [`x${i}`, value])
          ]
        })
    }
  })

/**
 * An extra field that breaks a rule: named like a member of Object.prototype, or with the
 * visitor's own words (a mis-encoded body makes those of the message), which no log may show.
 */
const spoiledExtra: Mutation = fc
  .record({
    name: fc.constantFrom(
      "__proto__",
      "constructor",
      "toString",
      "valueOf",
      "hasOwnProperty",
      "phone",
      "the visitor's words"
    ),
    how: fc.constantFrom(
      "control character",
      "2,001 characters",
      "a control character in its name"
    ),
    control: char([
      [0x00, 0x08],
      [0x0b, 0x0c],
      [0x0e, 0x1f],
      [0x7f, 0x9f]
    ])
  })
  .map(({ control, how, name: chosen }) => (b: Base) => {
    const name = chosen === "the visitor's words" ? `${b.form.marker} please call me` : chosen
    return build(b, `extra ${chosen}: ${how}`, "validation", {
      fields: setField(
        b.form.fields,
        how === "a control character in its name" ? `${name}${control}` : name,
        how === "2,001 characters" ? "v".repeat(2_001) : `value${control}`
      )
    })
  })

/** Both `body` and `message` non-empty: a 400 naming both, whichever order they come in. */
const bothMessageFields: Mutation = fc
  .constantFrom("the visitor's words", " ", "\t", "\u00a0")
  .map((chosen) => (b) => {
    const other = messageField(b.form) === "body" ? "message" : "body"
    // Blank is not empty: a field of spaces was sent all the same.
    const text = chosen === "the visitor's words" ? `${b.form.marker} another text` : chosen
    return build(b, `both body and message, ${JSON.stringify(chosen)} in ${other}`, "validation", {
      fields: setField(b.form.fields, other, text)
    })
  })

/**
 * U+FFFE, U+FFFF or a lone surrogate in one field, its name included (contract §7a). A
 * lone surrogate only travels as a JSON escape (UTF-8 has no form for it): JSON then.
 */
const unsendableInAField: Mutation = fc
  .record({
    what: fc.constantFrom("email", "name", "subject", "message", "extra", "extra name"),
    char: unsendableChar,
    at: fc.nat()
  })
  .map(({ at, char, what }) => (b) => {
    const why = `U+${char.charCodeAt(0).toString(16)} in the ${what}`
    const format = /[\uD800-\uDFFF]/.test(char) ? "json" : b.format
    const current = (field: string) => b.form.fields.find(([n]) => n === field)?.[1] ?? ""
    switch (what) {
      case "extra":
        return build(b, why, "validation", {
          format,
          fields: setField(b.form.fields, "x-extra", insert("value", at, char))
        })
      case "extra name":
        return build(b, why, "validation", {
          format,
          fields: setField(b.form.fields, insert("x-extra", at, char), "value")
        })
      default: {
        const field = what === "message" ? messageField(b.form) : what
        return build(b, why, "validation", {
          format,
          fields: setField(b.form.fields, field, insert(current(field), at, char))
        })
      }
    }
  })

const knownTwice: Mutation = fc
  .record({
    name: fc.constantFrom(...knownNames),
    format: fc.constantFrom<Format>("urlencoded", "multipart")
  })
  .map(({ format, name }) => (b) => {
    // An empty honeypot sent twice: still a duplicate, and still not a bot's.
    const value = name === "_gotcha" ? "" : (b.form.fields.find(([n]) => n === name)?.[1] ?? "x")
    const once = name === "_gotcha" ? b.form.fields.filter(([n]) => n !== "_gotcha") : b.form.fields
    return build(b, `${name} twice`, "validation", {
      fields: [...once, [name, value], [name, value]],
      format: multipartSafe(b.form.fields) ? format : "urlencoded"
    })
  })

/** JSON, but not an object whose values are all strings. */
const notAnObjectOfStrings: Mutation = fc
  .oneof(
    fc
      .jsonValue({ maxDepth: 3 })
      .filter((v) => typeof v !== "object" || v === null || Array.isArray(v))
      .map((v) => () => JSON.stringify(v)),
    fc
      .record({
        wrong: fc.oneof(
          fc.constantFrom("1", "true", "null", "1e309", "-0", "{}", "[]"),
          fc
            .jsonValue({ maxDepth: 2 })
            .filter((v) => typeof v !== "string")
            .map((v) => JSON.stringify(v))
        ),
        asArray: fc.boolean(),
        at: fc.nat()
      })
      .map(({ asArray, at, wrong }) => (fields: ReadonlyArray<Field>) => {
        const i = at % fields.length
        return `{${fields
          .map(
            ([k, v], j) =>
              `${JSON.stringify(k)}:${j !== i ? JSON.stringify(v) : asArray ? `[${JSON.stringify(v)}]` : wrong}`
          )
          .join(",")}}`
      }),
    fc
      .integer({ min: 1_000, max: 30_000 })
      .map(
        (depth) => (fields: ReadonlyArray<Field>) =>
          `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)},`).join("")}"nested":${"[".repeat(depth)}${"]".repeat(depth)}}`
      )
  )
  .map(
    (json) => (b) =>
      build(b, "JSON that is not an object of strings", "parse", {
        format: "json",
        bytes: Buffer.from(json(b.form.fields), "utf8")
      })
  )

const notJson: Mutation = fc
  .oneof(
    anyStringArb()
      .filter((s) => {
        try {
          // One leading byte-order mark is skipped (contract §2's JSON, as decoders do).
          JSON.parse(s.replace(/^\uFEFF/, ""))
          return false
        } catch {
          return true
        }
      })
      .map((s) => () => s),
    fc.nat().map((n) => (fields: ReadonlyArray<Field>) => {
      const text = `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`
      return text.slice(0, n % text.length)
    })
  )
  .map(
    (text) => (b) =>
      build(b, "not JSON", "parse", {
        format: "json",
        bytes: Buffer.from(text(b.form.fields), "utf8")
      })
  )

/** Bytes that are not UTF-8 (multipart values are decoded leniently: not this case). */
const notUtf8: Mutation = fc
  .record({
    bad: fc.constantFrom(
      [0xff],
      [0xc0, 0x80],
      [0x80],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82]
    ),
    at: fc.nat(),
    format: fc.constantFrom<Format>("urlencoded", "json")
  })
  .map(({ at, bad, format }) => (b) => {
    const bytes = encodeForm(format, b.form.fields, b.boundary).bytes
    const i = at % (bytes.length + 1)
    return build(b, "bytes that are not UTF-8", "parse", {
      format,
      bytes: Buffer.concat([bytes.subarray(0, i), Buffer.from(bad), bytes.subarray(i)])
    })
  })

const notBase64: Mutation = fc
  .record({ piece: fc.constantFrom(" ", "\n", "-", "_", "!", "*", ".", "="), at: fc.nat() })
  .map(({ at, piece }) => (b) => {
    const encoded = Buffer.from(encodeForm(b.format, b.form.fields, b.boundary).bytes).toString(
      "base64"
    )
    // "=" at the very end can still be valid padding: put it first then.
    const spoiled = piece === "=" ? `=${encoded}` : insert(encoded, at, piece)
    return build(b, "base64 that is not base64", "parse", { rawBase64: spoiled })
  })

const filePart: Mutation = fc
  .constantFrom("notes.txt", "Grüße.pdf", 'a\\"b.txt', "")
  .map((filename) => (b) => {
    const fields = multipartSafe(b.form.fields)
      ? b.form.fields
      : b.form.fields.filter(([n]) => knownNames.has(n))
    const encoded = encodeForm("multipart", fields, b.boundary)
    const text = Buffer.from(encoded.bytes).toString("utf8")
    const close = `--${b.boundary}--\r\n`
    const file = `--${b.boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\nfile content\r\n`
    return build(b, "a file part", "parse", {
      format: "multipart",
      bytes: Buffer.from(text.slice(0, text.length - close.length) + file + close, "utf8")
    })
  })

const brokenMultipart: Mutation = fc
  .constantFrom("no boundary", "another boundary", "no closing line", "garbage")
  .map((how) => (b) => {
    const encoded = encodeForm(
      "multipart",
      [
        ["email", b.form.email],
        ["body", b.form.body]
      ],
      b.boundary
    )
    const text = Buffer.from(encoded.bytes).toString("utf8")
    switch (how) {
      case "no boundary":
        return build(b, how, "parse", { format: "multipart", contentType: "multipart/form-data" })
      case "another boundary":
        return build(b, how, "parse", {
          format: "multipart",
          contentType: "multipart/form-data; boundary=somethingelse"
        })
      case "no closing line":
        return build(b, how, "parse", {
          format: "multipart",
          bytes: Buffer.from(text.slice(0, text.lastIndexOf(`--${b.boundary}--`)), "utf8")
        })
      default:
        return build(b, how, "parse", {
          format: "multipart",
          bytes: Buffer.from(`${b.form.marker}\r\n\r\n--\r\n`, "utf8")
        })
    }
  })

const wrongMediaType: Mutation = fc
  .constantFrom<string | null>(
    null,
    "",
    "text/plain",
    "text/html",
    "application/xml",
    "text/json",
    "application/json-patch+json",
    "application/x-www-form-urlencoded-x",
    "multipart/mixed; boundary=x",
    "form-data",
    "*/*",
    "application/*",
    "json",
    "application/json\u0000",
    "\u00e0pplication/json"
  )
  .map(
    (contentType) => (b) =>
      build(b, `Content-Type ${JSON.stringify(contentType)}`, "media", { contentType })
  )

const tooLarge: Mutation = fc
  .record({ format: formats, extra: fc.integer({ min: 1, max: 2_000 }) })
  .map(
    ({ extra, format }) =>
      (b) =>
        build(b, "a body over MAX_BODY_BYTES", "size", {
          format: format === "multipart" && !multipartSafe(b.form.fields) ? "urlencoded" : format,
          fields: [...b.form.fields, ["pad", "p".repeat(MAX_BODY_BYTES + extra)]]
        })
  )

const otherMethod: Mutation = fc
  .constantFrom("GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT", "PROPFIND")
  .map((method) => (b) => build(b, `${method}`, "method", { method }))

const unlistedOrigin: Mutation = fc
  .oneof(
    fc.constantFrom(
      "null",
      "",
      "https://evil.example",
      "https://www.example.com.evil.example",
      "http://www.example.com",
      "https://www.example.com:8443",
      "HTTPS://WWW.EXAMPLE.COM",
      "https://www.example.com/",
      " https://www.example.com",
      "https://www.example.com\r\nX-Injected: 1",
      "https://www.example.com, https://evil.example"
    ),
    anyStringArb().filter((s) => s !== listedOrigin)
  )
  .map((origin) => (b) => build(b, `Origin ${JSON.stringify(origin)}`, "origin", { origin }))

const tenThousandFields: Mutation = fc
  .record({
    kind: fc.constantFrom("distinct", "one extra repeated", "email repeated"),
    format: formats
  })
  .map(({ format, kind }) => (b) => {
    const known: Array<Field> = [
      ["email", "anna@example.org"],
      ["body", b.form.marker]
    ]
    const many = Array.from(
      { length: 10_000 },
      (_, i): Field =>
        kind === "distinct"
          ? [i.toString(36), "1"]
          : kind === "email repeated"
            ? ["email", "anna@example.org"]
            : ["x", "1"]
    )
    // JSON keeps the last of repeated keys: only the other formats can repeat a field.
    const used = kind !== "distinct" && format === "json" ? "urlencoded" : format
    return build(b, `10,000 fields, ${kind}`, "validation", {
      format: used,
      fields: [...known, ...many]
    })
  })

const honeypot: Mutation = anyStringArb()
  .filter((s) => s !== "")
  .map(
    (value) => (b) =>
      build(b, "the honeypot filled", "honeypot", {
        fields: setField(b.form.fields, "_gotcha", value),
        format: b.format === "multipart" && !multipartSafe(b.form.fields) ? "urlencoded" : b.format
      })
  )

const emptyBody: Mutation = fc.constant((b: Base) =>
  build(b, "an empty body", "parse", { bytes: new Uint8Array() })
)

/** Each case with its one broken check; the status follows from contract §2's order. */
export const invalidCase: fc.Arbitrary<Case> = fc
  .tuple(
    base,
    fc.oneof(
      controlInOneLine,
      controlInMessage,
      invalidEmail,
      tooLong,
      spoiledExtra,
      bothMessageFields,
      unsendableInAField,
      knownTwice,
      notAnObjectOfStrings,
      notJson,
      notUtf8,
      notBase64,
      filePart,
      brokenMultipart,
      wrongMediaType,
      tooLarge,
      otherMethod,
      unlistedOrigin,
      tenThousandFields,
      honeypot,
      emptyBody
    )
  )
  .map(([b, mutate]) => mutate(b))

/** The answer a case must get: the first failing check of origin → method → media → size → … */
export const expectedStatus = (c: Case): number | "sent" => {
  switch (c.broken) {
    case "origin":
      return 403
    case "method":
      return c.spec.method === "OPTIONS" ? 204 : 405
    case "media":
      return 415
  }
  const size =
    c.spec.rawBase64 !== undefined
      ? Math.floor((c.spec.rawBase64.length / 4) * 3)
      : (c.spec.bytes?.byteLength ?? 0)
  if (size > MAX_BODY_BYTES) return 413
  return c.broken === "honeypot" ? "sent" : 400
}
