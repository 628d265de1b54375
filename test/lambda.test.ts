/**
 * The Lambda edge through the real adapter (`makeLambdaHandler`, what `handler` is built
 * with) over service doubles: every answer of contract §2 and §3, asserting status,
 * headers, body and whether a mail was sent.
 */

import { simpleParser } from "mailparser"
import { describe, expect, it } from "vitest"
import {
  CaptchaDown,
  CaptchaMisconfiguredDouble,
  CaptchaRejecting,
  CaptchaVerifying,
  MailDying,
  MailScripted,
  makeTestHandler,
  SecretsMissing,
  SecretsRotated
} from "./support/doubles"
import {
  browser,
  formBody,
  formPost,
  functionUrlEvent,
  httpApiEvent,
  json,
  jsonPost,
  restApiEvent,
  urlencoded
} from "./support/events"

const valid = {
  name: 'Müller, Anna "Annie"',
  email: "anna@example.org",
  subject: "Question about pricing",
  body: "Hello,\r\n\r\nhow much is it?",
  "frc-captcha-response": "token-ok"
}

const expectSecurityHeaders = (headers: Record<string, string>) => {
  expect(headers["cache-control"]).toBe("no-store")
  expect(headers["x-content-type-options"]).toBe("nosniff")
  expect(headers["content-security-policy"]).toContain("default-src 'none'")
  expect(headers["content-security-policy"]).not.toMatch(/script-src/)
  for (const name of Object.keys(headers)) expect(name).toBe(name.toLowerCase())
}

describe("successful submissions", () => {
  it("valid JSON → 200 {ok:true}, one mail", async () => {
    const t = await makeTestHandler()
    const result = await t.handler(jsonPost(valid))
    expect(result.statusCode).toBe(200)
    expect(result.headers["content-type"]).toBe("application/json; charset=utf-8")
    expect(JSON.parse(result.body)).toEqual({ ok: true })
    expectSecurityHeaders(result.headers)
    expect(t.mail.sent).toHaveLength(1)
    expect(t.mail.sent[0]?.password).toBe("smtp-pass-1")
    await t.dispose()
  })

  it("valid urlencoded, base64 as HTTP API sends it → 303 to the success URL", async () => {
    const t = await makeTestHandler()
    const result = await t.handler(formPost(valid))
    expect(result.statusCode).toBe(303)
    expect(result.headers.location).toBe("https://www.example.com/thanks")
    expect(result.body).toBe("")
    expectSecurityHeaders(result.headers)
    expect(t.mail.sent).toHaveLength(1)
    await t.dispose()
  })

  it("German (language field) → the German success URL", async () => {
    const t = await makeTestHandler()
    const result = await t.handler(formPost({ ...valid, language: "de" }))
    expect(result.statusCode).toBe(303)
    expect(result.headers.location).toBe("https://www.example.com/de/danke")
    await t.dispose()
  })

  it.each([
    ["REST API 1.0 with the sender's header casing", restApiEvent],
    ["Function URL", functionUrlEvent]
  ])("%s → 303, mail sent", async (_, make) => {
    const t = await makeTestHandler()
    const result = await t.handler(
      make({
        body: formBody(valid),
        headers: { "CONTENT-TYPE": "Application/X-WWW-Form-Urlencoded; charset=UTF-8", ...browser }
      })
    )
    expect(result.statusCode).toBe(303)
    expect(t.mail.sent).toHaveLength(1)
    await t.dispose()
  })

  it("multipart fields → 303, mail sent; a file part → 400", async () => {
    const t = await makeTestHandler()
    const boundary = "----cfb"
    const part = (name: string, value: string, filename?: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ""}\r\n\r\n${value}\r\n`
    const fields = Object.entries(valid)
      .map(([k, v]) => part(k, v))
      .join("")
    const headers = { "Content-Type": `multipart/form-data; boundary=${boundary}`, ...browser }
    const ok = await t.handler(
      httpApiEvent({ body: `${fields}--${boundary}--\r\n`, base64: true, headers })
    )
    expect(ok.statusCode).toBe(303)
    const withFile = await t.handler(
      httpApiEvent({
        body: `${fields}${part("cv", "%PDF", "cv.pdf")}--${boundary}--\r\n`,
        base64: true,
        headers: { ...headers, Accept: "application/json" }
      })
    )
    expect(withFile.statusCode).toBe(400)
    expect(JSON.parse(withFile.body).issues).toEqual([{ field: "cv", message: "must be text" }])
    expect(t.mail.sent).toHaveLength(1)
    await t.dispose()
  })

  it("multipart names beyond Latin-1 arrive as sent (a field named in Cyrillic or emoji is mailed so named; a file so named is still refused)", async () => {
    const t = await makeTestHandler()
    const boundary = "----cfb"
    const part = (name: string, value: string, filename?: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ""}\r\n\r\n${value}\r\n`
    const fields = [...Object.entries(valid), ["телефон", "+7 495 000"], ["🦓 zebra", "yes"]]
      .map(([k, v]) => part(k ?? "", v ?? ""))
      .join("")
    const headers = { "Content-Type": `multipart/form-data; boundary=${boundary}`, ...browser }
    const ok = await t.handler(
      httpApiEvent({ body: `${fields}--${boundary}--\r\n`, base64: true, headers })
    )
    expect(ok.statusCode).toBe(303)
    const mail = await simpleParser(t.mail.sent[0]?.raw ?? "")
    expect(mail.text).toContain("телефон: +7 495 000")
    expect(mail.text).toContain("🦓 zebra: yes")
    const withFile = await t.handler(
      httpApiEvent({
        body: `${fields}${part("резюме", "%PDF", "резюме.pdf")}--${boundary}--\r\n`,
        base64: true,
        headers: { ...headers, Accept: "application/json" }
      })
    )
    expect(withFile.statusCode).toBe(400)
    expect(JSON.parse(withFile.body).issues).toEqual([{ field: "резюме", message: "must be text" }])
    expect(t.mail.sent).toHaveLength(1)
    await t.dispose()
  })
})

describe("JSON with a byte-order mark", () => {
  it("one leading U+FEFF is read as none, as text and as base64; a second one is not JSON", async () => {
    const t = await makeTestHandler()
    const text = `\uFEFF${JSON.stringify(valid)}`
    const asText = await t.handler(httpApiEvent({ body: text, headers: json }))
    expect([asText.statusCode, JSON.parse(asText.body)]).toEqual([200, { ok: true }])
    // The bytes EF BB BF as a file written by an editor starts, base64 as API Gateway sends it.
    const { subject: _, ...noSubject } = valid
    const asBytes = await t.handler(
      httpApiEvent({ body: `\uFEFF${JSON.stringify(noSubject)}`, base64: true, headers: json })
    )
    expect([asBytes.statusCode, JSON.parse(asBytes.body)]).toEqual([200, { ok: true }])
    expect(t.mail.sent).toHaveLength(2)
    const mail = await simpleParser(t.mail.sent[0]?.raw ?? "")
    expect(mail.subject).toBe(`[Contact] ${valid.subject}`)
    const twice = await t.handler(httpApiEvent({ body: `\uFEFF${text}`, headers: json }))
    expect([twice.statusCode, JSON.parse(twice.body).issues]).toEqual([
      400,
      [{ field: "_body", message: "could not be read" }]
    ])
    await t.dispose()
  })
})

describe("the mail (contract §5)", () => {
  it("From fixed, To the owner, visitor only in Reply-To, prefix, extra fields in order, captcha line", async () => {
    const t = await makeTestHandler({ captcha: CaptchaDown("timeout") })
    const fields: ReadonlyArray<readonly [string, string]> = [
      ...Object.entries(valid),
      ["phone", "555-0100"],
      ["company", ""],
      ["topic", "sales"],
      ["topic", "support"]
    ]
    await t.handler(formPost(fields))
    expect(t.mail.sent).toHaveLength(1)
    const mail = await simpleParser(t.mail.sent[0]?.raw ?? "")
    expect(mail.from?.value).toEqual([{ name: "Web contact form", address: "noreply@example.com" }])
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : []).toEqual([
      { name: "Site Owner", address: "owner@example.com" }
    ])
    expect(mail.replyTo?.value).toEqual([
      { name: 'Müller, Anna "Annie"', address: "anna@example.org" }
    ])
    expect(mail.subject).toBe("[Contact] [unverified] Question about pricing")
    expect(mail.headers.get("content-type")).toMatchObject({
      value: "text/plain",
      params: { charset: "utf-8" }
    })
    expect(mail.text?.replace(/\r\n/g, "\n")).toBe(
      [
        "Hello,",
        "",
        "how much is it?",
        "",
        "--",
        'Name: Müller, Anna "Annie"',
        "Email: anna@example.org",
        "Language: en",
        "phone: 555-0100",
        "topic: sales, support",
        "Captcha: NOT verified (timeout)",
        ""
      ].join("\n")
    )
    // The raw header never carries the visitor's address as sender.
    expect(t.mail.sent[0]?.raw).toMatch(/^From: Web contact form <noreply@example\.com>$/m)
    await t.dispose()
  })

  it("verified captcha: no [unverified], 'Captcha: verified'; default subject when none given", async () => {
    const t = await makeTestHandler()
    const { subject: _, ...noSubject } = valid
    await t.handler(jsonPost(noSubject))
    const mail = await simpleParser(t.mail.sent[0]?.raw ?? "")
    expect(mail.subject).toBe("[Contact] Contact form message")
    expect(mail.text).toContain("Captcha: verified")
    await t.dispose()
  })
})

describe("honeypot", () => {
  it("filled → success answer, no mail", async () => {
    const t = await makeTestHandler()
    const result = await t.handler(formPost({ ...valid, _gotcha: "http://spam.example" }))
    expect(result.statusCode).toBe(303)
    expect(result.headers.location).toBe("https://www.example.com/thanks")
    expect(t.mail.sent).toHaveLength(0)
    expect(t.logs.at(-1)).toMatchObject({ outcome: "honeypot" })
    await t.dispose()
  })

  it("filled on an otherwise invalid form → still success, no mail", async () => {
    const t = await makeTestHandler()
    const result = await t.handler(jsonPost({ email: "nope", _gotcha: "x" }))
    expect(result.statusCode).toBe(200)
    expect(JSON.parse(result.body)).toEqual({ ok: true })
    expect(t.mail.sent).toHaveLength(0)
    await t.dispose()
  })
})

describe("invalid input → 4xx, no mail", () => {
  const cannotBeSent =
    "contains characters that cannot be sent (U+FFFE, U+FFFF or a broken character)"
  const cases: ReadonlyArray<readonly [string, object, string, string]> = [
    ["missing email", { ...valid, email: "" }, "email", "is required"],
    ["invalid email", { ...valid, email: "anna@" }, "email", "must be a valid email address"],
    ["blank body", { ...valid, body: " \r\n\t " }, "body", "must not be blank"],
    [
      "CRLF in subject",
      { ...valid, subject: "Hi\r\nBcc: victim@example.com" },
      "subject",
      "must be a single line without control characters"
    ],
    [
      "LF in name",
      { ...valid, name: "Anna\nBcc: x@example.com" },
      "name",
      "must be a single line without control characters"
    ],
    ["a non-string value", { ...valid, body: ["a"] }, "body", "must be text"],
    // contract §7a: text that cannot travel in a queue item is refused, the field named.
    [
      "a lone surrogate (a JSON escape) in the message",
      { ...valid, body: "Hi \uD83D" },
      "body",
      cannotBeSent
    ],
    ["a lone low surrogate in the name", { ...valid, name: "\uDE00Anna" }, "name", cannotBeSent],
    ["U+FFFF in the subject", { ...valid, subject: "Hi \uFFFF" }, "subject", cannotBeSent],
    ["U+FFFE in an extra field", { ...valid, phone: "\uFFFE555" }, "phone", cannotBeSent],
    [
      "a lone surrogate in an extra field's name",
      { ...valid, "phone\uD800": "555" },
      "_body",
      "has a field name that is too long, not a single line or holds characters that cannot be sent"
    ]
  ]
  it.each(cases)("%s → 400 naming the field", async (_, fields, field, message) => {
    const t = await makeTestHandler()
    const result = await t.handler(jsonPost(fields))
    expect(result.statusCode).toBe(400)
    expect(JSON.parse(result.body)).toEqual({
      ok: false,
      error: "invalid_form",
      issues: [{ field, message }]
    })
    expect(t.mail.sent).toHaveLength(0)
    await t.dispose()
  })

  it("U+FFFE and U+FFFF travel in every format, and are refused in each, the field named", async () => {
    const t = await makeTestHandler()
    const fields = { ...valid, name: "Anna \uFFFE", body: "Hello \uFFFF" }
    const boundary = "----cfb"
    const multipart = Object.entries(fields)
      .map(
        ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`
      )
      .join("")
    for (const event of [
      formPost(fields, { Accept: "application/json" }),
      jsonPost(fields),
      httpApiEvent({
        body: `${multipart}--${boundary}--\r\n`,
        base64: true,
        headers: {
          "Content-Type": `multipart/form-data; boundary=${boundary}`,
          Accept: "application/json"
        }
      })
    ]) {
      const result = await t.handler(event)
      expect([result.statusCode, JSON.parse(result.body).issues]).toEqual([
        400,
        [
          { field: "body", message: cannotBeSent },
          { field: "name", message: cannotBeSent }
        ]
      ])
    }
    expect(t.mail.sent).toHaveLength(0)
    await t.dispose()
  })

  it("message is an alias of body; a known field sent twice is a 400", async () => {
    const t = await makeTestHandler()
    const { body, ...rest } = valid
    expect((await t.handler(jsonPost({ ...rest, message: body }))).statusCode).toBe(200)
    const twice = await t.handler(
      formPost([...Object.entries(valid), ["email", "other@example.org"]], {
        Accept: "application/json"
      })
    )
    expect(twice.statusCode).toBe(400)
    expect(JSON.parse(twice.body).issues).toEqual([
      { field: "email", message: "was sent more than once" }
    ])
    expect(t.mail.sent).toHaveLength(1)
    await t.dispose()
  })

  it("the 400 page names each problem and gives back what was written", async () => {
    const t = await makeTestHandler()
    const result = await t.handler(formPost({ ...valid, email: "", subject: "<b>Hi</b>" }))
    expect(result.statusCode).toBe(400)
    expect(result.headers["content-type"]).toBe("text/html; charset=utf-8")
    expect(result.body).toContain("<strong>Email</strong> is required")
    expect(result.body).toContain("&#60;b&#62;Hi&#60;/b&#62;")
    expect(result.body).toContain('href="mailto:owner@example.com"')
    await t.dispose()
  })

  it("an unknown or malformed language → the default language, never an error nor a header", async () => {
    const t = await makeTestHandler()
    for (const language of ["ja", "de\r\nX-Evil: 1", "../../etc"]) {
      const result = await t.handler(formPost({ ...valid, language }))
      expect(result.statusCode).toBe(303)
      expect(result.headers.location).toBe("https://www.example.com/thanks")
      expect(JSON.stringify(result.headers)).not.toContain("Evil")
    }
    const mail = await simpleParser(t.mail.sent[0]?.raw ?? "")
    expect(mail.text).toContain("Language: en")
    await t.dispose()
  })

  it("malformed JSON → 400, not 5xx", async () => {
    const t = await makeTestHandler()
    for (const body of ['{"email": ', "[]", '"text"', "null"]) {
      const result = await t.handler(httpApiEvent({ body, headers: json }))
      expect(result.statusCode).toBe(400)
      expect(JSON.parse(result.body)).toEqual({
        ok: false,
        error: "invalid_form",
        issues: [{ field: "_body", message: "could not be read" }]
      })
    }
    await t.dispose()
  })

  it("invalid base64 → 400", async () => {
    const t = await makeTestHandler()
    const result = await t.handler(
      httpApiEvent({
        rawBase64: "not base64!!",
        headers: { ...urlencoded, Accept: "application/json" }
      })
    )
    expect(result.statusCode).toBe(400)
    expect(JSON.parse(result.body).error).toBe("invalid_form")
    await t.dispose()
  })

  it("missing or unsupported content type → 415", async () => {
    const t = await makeTestHandler()
    for (const headers of [
      {},
      { "Content-Type": "text/plain" },
      { "Content-Type": "application/xml" }
    ]) {
      const result = await t.handler(
        httpApiEvent({ body: formBody(valid), headers: { ...headers, Accept: "application/json" } })
      )
      expect(result.statusCode).toBe(415)
      expect(JSON.parse(result.body)).toEqual({ ok: false, error: "unsupported_media_type" })
    }
    const page = await t.handler(
      httpApiEvent({ body: "x", headers: { "Content-Type": "text/plain", ...browser } })
    )
    expect(page.statusCode).toBe(415)
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8")
    expect(page.body).toContain('href="mailto:owner@example.com"')
    expect(t.mail.sent).toHaveLength(0)
    await t.dispose()
  })

  it("too large → 413, saying how long a message may be, in characters", async () => {
    const t = await makeTestHandler({ env: { MAX_BODY_BYTES: "12000" } })
    const result = await t.handler(jsonPost({ ...valid, body: "x".repeat(20_000) }))
    expect(result.statusCode).toBe(413)
    // 12 bytes a character at worst (urlencoded emoji): 12,000 bytes hold 1,000.
    expect(JSON.parse(result.body)).toEqual({
      ok: false,
      error: "payload_too_large",
      maxMessageCharacters: 1_000
    })
    const page = await t.handler(
      formPost({ ...valid, body: "x".repeat(20_000) }, { "Accept-Language": "de" })
    )
    expect(page.statusCode).toBe(413)
    expect(page.body).toContain("<p>Eine Nachricht darf bis zu 1.000 Zeichen lang sein.</p>")
    expect(t.mail.sent).toHaveLength(0)
    await t.dispose()
  })

  it("the default limit admits every valid form: 10,000 emoji urlencoded with 20 extra fields of 2,000", async () => {
    const t = await makeTestHandler()
    const emoji = "😀"
    const fields: Array<readonly [string, string]> = [
      ["email", "anna@example.org"],
      ["name", emoji.repeat(200)],
      ["subject", emoji.repeat(200)],
      ["body", emoji.repeat(10_000)],
      ["frc-captcha-response", "t".repeat(8_192)],
      ...Array.from({ length: 20 }, (_, i): readonly [string, string] => [
        `${emoji.repeat(98)}${String(i).padStart(2, "0")}`,
        emoji.repeat(2_000)
      ])
    ]
    const result = await t.handler(formPost(fields))
    expect(result.statusCode).toBe(303)
    expect(t.mail.sent).toHaveLength(1)
    await t.dispose()
  })

  it("GET → 405 with Allow", async () => {
    const t = await makeTestHandler()
    const result = await t.handler(httpApiEvent({ method: "GET", headers: browser }))
    expect(result.statusCode).toBe(405)
    expect(result.headers.allow).toBe("POST, OPTIONS")
    expect(result.headers["content-type"]).toBe("text/html; charset=utf-8")
    await t.dispose()
  })
})

describe("malformed API events → 400 unsupported_event, a warning, never thrown", () => {
  const isRecord = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null
  /** A copy of `event` with the field at `path` set to `value`. */
  const spoil = (event: object, path: ReadonlyArray<string>, value: unknown): unknown => {
    const copy: unknown = structuredClone(event)
    let at: unknown = copy
    for (const key of path.slice(0, -1)) at = isRecord(at) ? at[key] : undefined
    const last = path.at(-1)
    if (isRecord(at) && last !== undefined) at[last] = value
    return copy
  }
  // Lambda hands the handler whatever JSON its caller sent (a test event, a hand-written
  // invocation): a field of the wrong type is no API event, and a thrown error would be a
  // function error (contract §2).
  const http = formPost(valid)
  const rest = restApiEvent({ body: formBody(valid), headers: { ...urlencoded, ...browser } })
  const cases: ReadonlyArray<readonly [string, object, ReadonlyArray<string>, unknown]> = [
    ["a header value that is a number", http, ["headers", "accept"], 5],
    ["a header value that is null", http, ["headers", "accept"], null],
    ["a header value that is an object", http, ["headers", "accept"], {}],
    ["a header value that is an array", http, ["headers", "content-type"], ["text/plain"]],
    ["headers that are a string", http, ["headers"], "content-type: text/plain"],
    ["headers that are an array", http, ["headers"], ["content-type"]],
    ["headers that are a number", http, ["headers"], 5],
    ["a multiValueHeaders value that is a string", rest, ["multiValueHeaders", "Accept"], "*/*"],
    ["a multiValueHeaders value holding a number", rest, ["multiValueHeaders", "Accept"], [5]],
    ["a multiValueHeaders value holding null", rest, ["multiValueHeaders", "Accept"], [null]],
    ["multiValueHeaders that are a string", rest, ["multiValueHeaders"], "Accept: */*"],
    ["multiValueHeaders that are a number", rest, ["multiValueHeaders"], 5],
    [
      "REST headers beside good multiValueHeaders, a value a number",
      rest,
      ["headers", "Accept"],
      5
    ],
    ["a body that is a number", http, ["body"], 5],
    ["a body that is an object", http, ["body"], { email: "anna@example.org" }],
    ["isBase64Encoded that is a string", http, ["isBase64Encoded"], "true"],
    ["isBase64Encoded that is a number", rest, ["isBase64Encoded"], 1],
    ["rawPath that is a number", http, ["rawPath"], 5],
    ["path that is an object", rest, ["path"], {}],
    ["pathParameters that are a string", http, ["pathParameters"], "form"],
    ["a pathParameters form that is a number", http, ["pathParameters"], { form: 5 }],
    ["requestContext that is a string (REST)", rest, ["requestContext"], "context"],
    ["requestContext.http that is a string", http, ["requestContext", "http"], "POST"],
    [
      "requestContext.http.sourceIp that is a number",
      http,
      ["requestContext", "http", "sourceIp"],
      5
    ],
    ["requestContext.identity that is an array", rest, ["requestContext", "identity"], []],
    [
      "requestContext.identity.sourceIp that is an object",
      rest,
      ["requestContext", "identity", "sourceIp"],
      {}
    ],
    ["requestContext.requestId that is a number", rest, ["requestContext", "requestId"], 5]
  ]

  it.each(cases)("%s", async (_, event, path, value) => {
    const t = await makeTestHandler()
    const result = await t.handler(spoil(event, path, value))
    expect([result.statusCode, result.headers["content-type"], JSON.parse(result.body)]).toEqual([
      400,
      "application/json; charset=utf-8",
      { ok: false, error: "unsupported_event" }
    ])
    expect(t.logs.map((line) => [line.level, line.reason])).toEqual([["warn", "unsupported_event"]])
    expect(t.mail.sent).toHaveLength(0)
    await t.dispose()
  })

  it("null where API Gateway sends null is no malformation: headers, body, pathParameters", async () => {
    const t = await makeTestHandler()
    const get = await t.handler({
      ...restApiEvent({ method: "GET" }),
      headers: null,
      multiValueHeaders: null,
      body: null,
      pathParameters: null
    })
    expect(get.statusCode).toBe(405)
    // An empty multiValueHeaders list is a header not sent.
    const post = await t.handler(spoil(rest, ["multiValueHeaders", "X-Empty"], []))
    expect(post.statusCode).toBe(303)
    await t.dispose()
  })
})

describe("captcha outcomes", () => {
  it.each([
    ["missing token", CaptchaVerifying(), { ...valid, "frc-captcha-response": "" }],
    ["rejected by the API", CaptchaRejecting, valid]
  ])("%s → 400 captcha_failed, no mail", async (_, captcha, fields) => {
    const t = await makeTestHandler({ captcha })
    const result = await t.handler(jsonPost(fields))
    expect(result.statusCode).toBe(400)
    expect(JSON.parse(result.body)).toEqual({ ok: false, error: "captcha_failed" })
    expect(t.mail.sent).toHaveLength(0)
    await t.dispose()
  })

  it("our configuration is wrong (401 from the API) → 500 page, no mail, logged as an error", async () => {
    const t = await makeTestHandler({ captcha: CaptchaMisconfiguredDouble })
    const result = await t.handler(formPost(valid))
    expect(result.statusCode).toBe(500)
    expect(result.body).toContain("Something went wrong")
    expect(t.mail.sent).toHaveLength(0)
    expect(t.logs.at(-1)).toMatchObject({
      level: "error",
      outcome: "delivery_failed",
      reason: "captcha_config_http_401_auth_invalid"
    })
    await t.dispose()
  })

  it("the API is down → mail sent, marked unverified, logged as a warning", async () => {
    const t = await makeTestHandler({ captcha: CaptchaDown("unreachable") })
    const result = await t.handler(jsonPost(valid))
    expect(result.statusCode).toBe(200)
    expect(t.mail.sent).toHaveLength(1)
    expect(t.logs.at(-1)).toMatchObject({
      level: "warn",
      outcome: "sent",
      captcha: "unverified:unreachable"
    })
    await t.dispose()
  })
})

describe("delivery failures → 500 page with the visitor's text and the fallback", () => {
  const hostile = {
    ...valid,
    subject: "Re: <script>alert(1)</script>",
    body: "Para one & <script>x</script>\r\n\r\nPara two"
  }

  it("SMTP secret missing → 500 page", async () => {
    const t = await makeTestHandler({ secrets: SecretsMissing("smtp") })
    const result = await t.handler(formPost(valid))
    expect(result.statusCode).toBe(500)
    expect(result.headers["content-type"]).toBe("text/html; charset=utf-8")
    expect(t.logs.at(-1)).toMatchObject({
      outcome: "delivery_failed",
      reason: "secret_smtp_missing"
    })
    expect(t.mail.sent).toHaveLength(0)
    await t.dispose()
  })

  it("SMTP refusing → 500 page, escaped subject and message, paragraphs, prefilled mailto", async () => {
    const t = await makeTestHandler({ mail: (log) => MailScripted(log, [{ responseCode: 554 }]) })
    const result = await t.handler(formPost(hostile))
    expect(result.statusCode).toBe(500)
    expect(result.headers["content-type"]).toBe("text/html; charset=utf-8")
    expectSecurityHeaders(result.headers)
    expect(result.body).toContain("Something went wrong")
    expect(result.body).not.toContain("<script>")
    expect(result.body).toContain("Re: &#60;script&#62;alert(1)&#60;/script&#62;")
    expect(result.body).toContain(
      "<p>Para one &#38; &#60;script&#62;x&#60;/script&#62;</p>\n<p>Para two</p>"
    )
    expect(result.body).toContain(
      `mailto:owner@example.com?subject=${encodeURIComponent(hostile.subject).replace(/'/g, "&#39;")}&#38;body=Para%20one%20%26%20%3Cscript%3Ex%3C%2Fscript%3E%0D%0A%0D%0APara%20two`
    )
    expect(t.mail.attempts).toHaveLength(1)
    expect(t.mail.sent).toHaveLength(0)
    await t.dispose()
  })

  it("SMTP unreachable → 500 page after the retries", async () => {
    const down = { code: "ECONNECTION" } as const
    const t = await makeTestHandler({ mail: (log) => MailScripted(log, [down, down, down]) })
    const result = await t.handler(formPost(valid))
    expect(result.statusCode).toBe(500)
    expect(result.body).toContain("How much is it?".toLowerCase())
    expect(t.mail.attempts).toHaveLength(3)
    expect(t.logs.at(-1)).toMatchObject({ reason: "smtp_connection" })
    await t.dispose()
  })

  it.each([
    ["a drop noticed as a close (ECONNECTION)", { code: "ECONNECTION" }, "smtp_connection"],
    [
      "a drop noticed while writing (ESOCKET, ECONNRESET)",
      { code: "ESOCKET", originalCode: "ECONNRESET" },
      "smtp_connection"
    ],
    ["a drop noticed as EPIPE", { code: "ESOCKET", originalCode: "EPIPE" }, "smtp_connection"],
    [
      "nothing listening (ESOCKET, ECONNREFUSED)",
      { code: "ESOCKET", originalCode: "ECONNREFUSED" },
      "smtp_socket"
    ]
  ])("%s every time → retried, then the 500 page with one reason", async (_, step, reason) => {
    const t = await makeTestHandler({ mail: (log) => MailScripted(log, [step, step, step]) })
    const result = await t.handler(formPost(valid))
    expect(result.statusCode).toBe(500)
    expect(t.mail.attempts).toHaveLength(3)
    expect(t.logs.at(-1)).toMatchObject({ reason })
    await t.dispose()
  })

  it("a transient failure then success → sent once", async () => {
    const t = await makeTestHandler({ mail: (log) => MailScripted(log, [{ responseCode: 451 }]) })
    const result = await t.handler(formPost(valid))
    expect(result.statusCode).toBe(303)
    expect(t.mail.attempts).toHaveLength(2)
    expect(t.mail.sent).toHaveLength(1)
    await t.dispose()
  })

  it("535 then success after the secret changed → sent", async () => {
    const t = await makeTestHandler({
      secrets: SecretsRotated,
      mail: (log) => MailScripted(log, [], { acceptPassword: "smtp-pass-2" })
    })
    const result = await t.handler(formPost(valid))
    expect(result.statusCode).toBe(303)
    expect(t.mail.attempts.map((a) => a.password)).toEqual(["smtp-pass-1", "smtp-pass-2"])
    expect(t.mail.sent).toHaveLength(1)
    await t.dispose()
  })

  it("JSON mode: the exact delivery_failed shape with the fallback object", async () => {
    const t = await makeTestHandler({
      env: { FALLBACK_PHONE: "+49 30 1234567" },
      mail: (log) => MailScripted(log, [{ responseCode: 554 }])
    })
    const result = await t.handler(jsonPost({ ...valid, subject: "Hi there" }))
    expect(result.statusCode).toBe(500)
    expect(JSON.parse(result.body)).toEqual({
      ok: false,
      error: "delivery_failed",
      fallback: {
        email: "owner@example.com",
        phone: "+49 30 1234567",
        mailto:
          "mailto:owner@example.com?subject=Hi%20there&body=Hello%2C%0D%0A%0D%0Ahow%20much%20is%20it%3F"
      }
    })
    await t.dispose()
  })

  it("a defect (a bug of ours) still answers the 500 page with the visitor's text, logged once", async () => {
    const t = await makeTestHandler({
      mail: () => MailDying,
      env: { ALLOWED_ORIGINS: "https://www.example.com" }
    })
    const result = await t.handler(formPost(valid, { Origin: "https://www.example.com" }))
    expect(result.statusCode).toBe(500)
    expect(result.headers["access-control-allow-origin"]).toBe("https://www.example.com")
    expect(result.body).toContain("Something went wrong")
    expect(result.body).toContain("how much is it?")
    expect(result.body).toContain("mailto:owner@example.com?subject=Question%20about%20pricing")
    expect(t.logs).toHaveLength(1)
    expect(t.logs[0]).toMatchObject({
      level: "error",
      outcome: "delivery_failed",
      reason: "defect"
    })
    await t.dispose()
  })

  it("in German: 'Leider ist etwas schiefgelaufen', paragraphs split on CRLF blank lines", async () => {
    const t = await makeTestHandler({ secrets: SecretsMissing("smtp") })
    const result = await t.handler(
      formPost({ ...valid, language: "de", body: "Erster Absatz\r\n\r\nZweiter Absatz" })
    )
    expect(result.statusCode).toBe(500)
    expect(result.body).toContain('<html lang="de">')
    expect(result.body).toContain("Leider ist etwas schiefgelaufen")
    expect(result.body).toContain("<p>Erster Absatz</p>\n<p>Zweiter Absatz</p>")
    await t.dispose()
  })

  it("the language comes from Accept-Language when the form has none", async () => {
    const t = await makeTestHandler({ secrets: SecretsMissing("smtp") })
    const result = await t.handler(
      formPost(valid, { "Accept-Language": "ja;q=0.9, de-DE;q=0.8, en;q=0.1" })
    )
    expect(result.body).toContain("Leider ist etwas schiefgelaufen")
    await t.dispose()
  })

  it.each([
    ["q=0 in upper case refuses German", "de;Q=0, en;q=0.5", "en"],
    ["a region in upper case falls back to its language", "DE-AT;Q=0.9, en;q=0.1", "de"],
    ["q=0 refuses a language however it is spelled", "de-DE, DE;q=0", "en"],
    ["the highest q wins, not the first", "en;q=0.2, de;q=0.8", "de"],
    ["a Brazilian region falls back to Portuguese", "pt-BR", "pt"],
    ["a region with its language after it", "pl-PL, pl;q=0.9, en;q=0.8", "pl"],
    ["Belgian Dutch before French", "nl-BE;q=0.9, fr-BE;q=0.8", "nl"],
    ["q=0 refuses French, the next one wins", "fr-CA, fr;q=0, es;q=0.5", "es"],
    ["tags and q in mixed case", "IT-it;Q=0.7, Es-Mx;q=0.6", "it"],
    ["an unsupported language is skipped, not the default", "ja, nl;q=0.3", "nl"]
  ])("Accept-Language per RFC 9110: %s", async (_, header, language) => {
    const t = await makeTestHandler({ secrets: SecretsMissing("smtp") })
    const result = await t.handler(formPost(valid, { "Accept-Language": header }))
    expect(result.body).toContain(`<html lang="${language}">`)
    await t.dispose()
  })
})

describe("CORS", () => {
  const env = { ALLOWED_ORIGINS: "https://www.example.com, https://example.com" }

  it("ALLOWED_ORIGINS unset → Access-Control-Allow-Origin: *", async () => {
    const t = await makeTestHandler()
    const result = await t.handler(jsonPost(valid, { Origin: "https://anywhere.example" }))
    expect(result.headers["access-control-allow-origin"]).toBe("*")
    await t.dispose()
  })

  it("allowed origin echoed with Vary on success and on errors", async () => {
    const t = await makeTestHandler({ env })
    const ok = await t.handler(jsonPost(valid, { Origin: "https://example.com" }))
    const bad = await t.handler(jsonPost({ email: "x" }, { Origin: "https://example.com" }))
    for (const result of [ok, bad]) {
      expect(result.headers["access-control-allow-origin"]).toBe("https://example.com")
      expect(result.headers.vary).toBe("Origin")
    }
    expect([ok.statusCode, bad.statusCode]).toEqual([200, 400])
    await t.dispose()
  })

  it("disallowed origin (also null) → 403, no mail; no Origin → served without CORS headers", async () => {
    const t = await makeTestHandler({ env })
    for (const origin of ["https://evil.example", "null"]) {
      const result = await t.handler(jsonPost(valid, { Origin: origin }))
      expect(result.statusCode).toBe(403)
      expect(JSON.parse(result.body)).toEqual({ ok: false, error: "origin_not_allowed" })
      expect(result.headers["access-control-allow-origin"]).toBeUndefined()
    }
    const plain = await t.handler(jsonPost(valid))
    expect(plain.statusCode).toBe(200)
    expect(plain.headers["access-control-allow-origin"]).toBeUndefined()
    expect(t.mail.sent).toHaveLength(1)
    await t.dispose()
  })

  it("preflight from a listed origin → 204 with methods, headers, max-age; unlisted → 403", async () => {
    const t = await makeTestHandler({ env })
    const headers = { Origin: "https://www.example.com", "Access-Control-Request-Method": "POST" }
    const ok = await t.handler(httpApiEvent({ method: "OPTIONS", headers }))
    expect(ok.statusCode).toBe(204)
    expect(ok.headers).toMatchObject({
      "access-control-allow-origin": "https://www.example.com",
      "access-control-allow-methods": "POST, OPTIONS",
      "access-control-allow-headers": "Content-Type, Accept, X-Requested-With",
      "access-control-max-age": "600",
      "cache-control": "no-store"
    })
    const bad = await t.handler(
      httpApiEvent({ method: "OPTIONS", headers: { ...headers, Origin: "https://evil.example" } })
    )
    expect(bad.statusCode).toBe(403)
    await t.dispose()
  })
})

describe("negotiation", () => {
  it.each([
    ["application/json", true],
    ["text/html, application/json", false],
    ["application/json;q=0.9, text/html;q=0.8", true],
    ["*/*", false],
    ["application/json, */*", false],
    ["application/json, */*;q=0.1", true]
  ])("Accept %s → JSON %s", async (accept, isJson) => {
    const t = await makeTestHandler()
    const result = await t.handler(formPost({ email: "" }, { Accept: accept }))
    expect(result.headers["content-type"]).toBe(
      isJson ? "application/json; charset=utf-8" : "text/html; charset=utf-8"
    )
    await t.dispose()
  })

  it("X-Requested-With: XMLHttpRequest (any case) → JSON", async () => {
    const t = await makeTestHandler()
    const result = await t.handler(
      formPost({ email: "" }, { "x-requested-with": "xmlhttprequest" })
    )
    expect(result.headers["content-type"]).toBe("application/json; charset=utf-8")
    await t.dispose()
  })
})

describe("logs", () => {
  it("one JSON line per submission with requestId and outcome, never the visitor's text", async () => {
    const t = await makeTestHandler({ secrets: SecretsMissing("smtp") })
    await t.handler(formPost({ ...valid, body: "my secret plan" }), { awsRequestId: "req-42" })
    expect(t.logs).toHaveLength(1)
    expect(t.logs[0]).toMatchObject({
      level: "error",
      msg: "submission",
      requestId: "req-42",
      outcome: "delivery_failed"
    })
    const all = JSON.stringify(t.logs)
    for (const text of [
      "my secret plan",
      "anna@example.org",
      "Müller",
      "203.0.113.7",
      "smtp-pass"
    ]) {
      expect(all).not.toContain(text)
    }
    await t.dispose()
  })
})
