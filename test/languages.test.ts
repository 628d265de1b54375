/**
 * The eight languages of contract §3 as one table. Every page, rendered directly, comes
 * out in each language with its `lang` (the pages other issues are still wiring, 404, 409,
 * 429 and the kept 500, included); the answers the handler already gives come out in each
 * language through the real Lambda adapter; and the counted words follow each language's
 * plural rules.
 */
import { describe, expect, it } from "vitest"
import type { FieldIssue } from "../src/domain/issues"
import { languages } from "../src/domain/languages"
import { formPage } from "../src/pages/form"
import { type ErrorKind, errorPage, escapeHtml } from "../src/pages/render"
import { notFoundPage, outboxPage, sentPage } from "../src/pages/site"
import type { Strings } from "../src/pages/strings"
import { allStrings, stringsFor } from "../src/pages/translations"
import { CaptchaRejecting, MailScripted, makeTestHandler, SecretsMissing } from "./support/doubles"
import { browser, formPost, httpApiEvent, json } from "./support/events"

/** contract §3's list, written out: the test does not ask the code which languages exist. */
const eight = ["en", "de", "fr", "es", "it", "nl", "pt", "pl"] as const
type Tag = (typeof eight)[number]

const ownNames: Readonly<Record<Tag, string>> = {
  en: "English",
  de: "Deutsch",
  fr: "Français",
  es: "Español",
  it: "Italiano",
  nl: "Nederlands",
  pt: "Português",
  pl: "Polski"
}

/** Every page kind; a new one in `Strings` fails the first test until it is listed here. */
const kinds: ReadonlyArray<ErrorKind> = [
  "invalid_form",
  "captcha_failed",
  "delivery_failed",
  "origin_not_allowed",
  "method_not_allowed",
  "payload_too_large",
  "unsupported_media_type",
  "already_received",
  "rate_limited",
  "form_not_found",
  "delivery_kept",
  "delivery_unknown"
]

const en = stringsFor("en")
const de = stringsFor("de")
const fallback = { email: "owner@example.com", phone: "+49 30 1234567" }
const visitor = { subject: "Frage <zum> Preis", body: "Première ligne\r\n\r\nZażółć gęślą jaźń" }
const prefilled = `mailto:owner@example.com?subject=${encodeURIComponent(visitor.subject)}&body=${encodeURIComponent(visitor.body)}`

/**
 * Every text of a language file, by its path (`errors.rate_limited.lead`); a function's text
 * is what it says of a sample number.
 */
const texts = (value: unknown, path = ""): ReadonlyArray<readonly [string, string]> =>
  typeof value === "string"
    ? [[path, value]]
    : typeof value === "function"
      ? [[path, String(value(200))]]
      : typeof value === "object" && value !== null
        ? Object.entries(value).flatMap(([key, inner]) =>
            texts(inner, path === "" ? key : `${path}.${key}`)
          )
        : []

const words = (text: string) => text.split(/\s+/).length

describe("the languages", () => {
  it("are contract §3's eight, each with its file, its tag and its own name", () => {
    expect(languages).toEqual(eight)
    expect(allStrings.map((s) => [s.lang, s.form.languageName])).toEqual(
      eight.map((tag) => [tag, ownNames[tag]])
    )
    for (const tag of eight) expect(stringsFor(tag).lang).toBe(tag)
    expect([...kinds].sort()).toEqual(Object.keys(en.errors).sort())
  })

  it("each give the 500 page a heading of their own", () => {
    const headings = eight.map((tag) => stringsFor(tag).errors.delivery_failed.title)
    expect(new Set(headings).size).toBe(eight.length)
    expect(headings.slice(0, 2)).toEqual([
      "Something went wrong",
      "Leider ist etwas schiefgelaufen"
    ])
  })

  it("leave no text empty", () => {
    for (const tag of eight) {
      for (const [path, text] of texts(stringsFor(tag)))
        expect(text.trim(), `${tag} ${path}`).not.toBe("")
    }
  })
})

describe.each(eight)("in %s", (tag) => {
  const strings: Strings = stringsFor(tag)
  const html = `<html lang="${tag}">`

  it("every error page renders in the language: title, lead, fallback, the visitor's text", () => {
    for (const kind of kinds) {
      const issues: ReadonlyArray<FieldIssue> = [{ field: "email", code: "required" }]
      const page = errorPage({
        kind,
        strings,
        fallback,
        ...(kind === "invalid_form" ? { issues } : {}),
        visitor
      })
      const { lead, title } = strings.errors[kind]
      expect(page).toContain(html)
      expect(page).toContain(`<title>${escapeHtml(title)}</title>`)
      expect(page).toContain(`<h1>${escapeHtml(title)}</h1>`)
      expect(page).toContain(`<p>${escapeHtml(lead)}</p>`)
      expect(page).toContain(`<p>${escapeHtml(strings.fallbackLead)}</p>`)
      expect(page).toContain(`${escapeHtml(strings.fallbackPhone)}: <a href="tel:+49301234567">`)
      expect(page).toContain(`<h2>${escapeHtml(strings.yourMessage)}</h2>`)
      expect(page).toContain("Frage &#60;zum&#62; Preis")
      expect(page).toContain("<p>Première ligne</p>\n<p>Zażółć gęślą jaźń</p>")
      if (tag !== "en") expect(page).not.toContain(`<h1>${escapeHtml(en.errors[kind].title)}</h1>`)
      if (tag !== "de") expect(page).not.toContain(`<h1>${escapeHtml(de.errors[kind].title)}</h1>`)
    }
  })

  it("the 400 page names each problem in the language", () => {
    const page = errorPage({
      kind: "invalid_form",
      strings,
      fallback,
      issues: [
        { field: "email", code: "invalid_email" },
        { field: "subject", code: "too_long", max: 200 },
        { field: "phone", code: "invalid_characters" }
      ]
    })
    // An extra field is shown by its name as sent.
    expect(page).toContain(
      `<li><strong>phone</strong> ${escapeHtml(strings.issues.invalid_characters(0))}</li>`
    )
    expect(page).toContain(
      `<li><strong>${escapeHtml(strings.fieldNames.email ?? "")}</strong> ${escapeHtml(strings.issues.invalid_email(0))}</li>`
    )
    expect(page).toContain(
      `<li><strong>${escapeHtml(strings.fieldNames.subject ?? "")}</strong> ${escapeHtml(strings.issues.too_long(200))}</li>`
    )
    expect(strings.issues.too_long(200)).toContain("200")
    expect(strings.issues.too_many_fields(20)).toContain("20")
  })

  it("the 500 page keeps the visitor's text and the prefilled mailto:, the kept one a plain one", () => {
    const failed = errorPage({ kind: "delivery_failed", strings, fallback, visitor, prefill: true })
    expect(failed).toContain(
      `<a href="${escapeHtml(prefilled)}">${escapeHtml(strings.writeUs)}</a>`
    )
    const kept = errorPage({ kind: "delivery_kept", strings, fallback, visitor })
    expect(kept).toContain(`<h1>${escapeHtml(strings.errors.delivery_kept.title)}</h1>`)
    expect(kept).toContain('<a href="mailto:owner@example.com">owner@example.com</a>')
    expect(kept).toContain("<p>Première ligne</p>")
  })

  it("the demo form, the success page, the outbox and the 404 page render in the language", () => {
    const form = formPage({ strings, banner: "embedded", fallback, formId: "default" }, allStrings)
    expect(form).toContain(html)
    expect(form).toContain(`<input type="hidden" name="language" value="${tag}">`)
    expect(form).toContain(`<h1 id="form-title">${escapeHtml(strings.form.title)}</h1>`)
    for (const label of [strings.form.name, strings.form.email, strings.form.message]) {
      expect(form).toContain(`>${escapeHtml(label)}`)
    }
    expect(form).toContain(`<button type="submit">${escapeHtml(strings.form.send)}</button>`)
    expect(form).toContain(escapeHtml(strings.form.captchaOff))
    // The script's words are the language's, 500 heading included.
    expect(form).toContain(escapeHtml(JSON.stringify(strings.errors.delivery_failed.title)))
    // The switch: all eight, each in its own name, the current one not a link.
    const nav = /<nav aria-label="([^"]*)">(.*)<\/nav>/.exec(form)
    expect(nav?.[1]).toBe(escapeHtml(strings.form.languageNav))
    const entries = [...(nav?.[2] ?? "").matchAll(/<(a|span)([^>]*)>([^<]*)</g)]
    expect(entries.map((m) => m[3])).toEqual(eight.map((t) => escapeHtml(ownNames[t])))
    for (const [, element, attributes] of entries) {
      const lang = / lang="([^"]+)"/.exec(attributes ?? "")?.[1]
      if (lang === tag)
        expect([element, attributes]).toEqual(["span", ` aria-current="true" lang="${tag}"`])
      else
        expect([element, attributes]).toEqual([
          "a",
          ` href="/?lang=${lang}" lang="${lang}" hreflang="${lang}"`
        ])
    }

    const sent = sentPage(strings, undefined, allStrings)
    expect(sent).toContain(html)
    expect(sent).toContain(`<h1>${escapeHtml(strings.form.sent)}</h1>`)
    expect(sent).toContain(`<a href="/?lang=${tag}">${escapeHtml(strings.form.another)}</a>`)

    const outbox = outboxPage(strings, [])
    expect(outbox).toContain(html)
    expect(outbox).toContain(`<p>${escapeHtml(strings.form.outboxEmpty)}</p>`)
    const one = outboxPage(strings, [
      {
        file: "a.eml",
        date: new Date("2026-03-01T12:00:00Z"),
        subject: "Hi",
        from: "x@example.org",
        replyTo: "y@example.org",
        to: "owner@example.com",
        text: "Hello"
      }
    ])
    expect(one).toContain(`<th scope="col">${escapeHtml(strings.form.outboxColumns.replyTo)}</th>`)

    const missing = notFoundPage(strings)
    expect(missing).toContain(html)
    expect(missing).toContain(`<h1>${escapeHtml(strings.form.notFound.title)}</h1>`)
  })

  it("says when to retry and how long a message may be, with the numbers", () => {
    expect(strings.retryAfter(1)).toContain(" 1 ")
    expect(strings.retryAfter(30)).toContain(" 30 ")
    expect(strings.retryAfter(1)).not.toBe(strings.retryAfter(30).replace("30", "1"))
    expect(strings.sizeLimit(10_000)).toContain((10_000).toLocaleString(strings.lang))
  })
})

// The six that came after English and German.
describe.each(eight.filter((tag) => tag !== "en" && tag !== "de"))("in %s", (tag) => {
  it("every sentence is in its own words, not in English or German", () => {
    const english = new Map(texts(en))
    const german = new Map(texts(de))
    for (const [path, text] of texts(stringsFor(tag))) {
      // Short labels may coincide across languages (Date, Message, Telefon); sentences not.
      if (words(english.get(path) ?? "") < 3) continue
      expect([path, text]).not.toEqual([path, english.get(path)])
      expect([path, text]).not.toEqual([path, german.get(path)])
    }
    for (const kind of kinds) {
      expect(stringsFor(tag).errors[kind].title).not.toBe(en.errors[kind].title)
      expect(stringsFor(tag).errors[kind].title).not.toBe(de.errors[kind].title)
    }
  })
})

describe("plurals", () => {
  it.each([
    ["en", 1, "in 1 second."],
    ["en", 30, "in 30 seconds."],
    ["de", 1, "in 1 Sekunde erneut"],
    ["fr", 1, "dans 1 seconde."],
    ["fr", 2, "dans 2 secondes."],
    ["es", 1, "dentro de 1 segundo."],
    ["es", 30, "dentro de 30 segundos."],
    ["it", 1, "tra 1 secondo."],
    ["it", 30, "tra 30 secondi."],
    ["nl", 1, "over 1 seconde opnieuw"],
    ["nl", 30, "over 30 seconden opnieuw"],
    ["pt", 1, "daqui a 1 segundo."],
    ["pt", 30, "daqui a 30 segundos."],
    ["pl", 1, "za 1 sekundę."],
    ["pl", 2, "za 2 sekundy."],
    ["pl", 4, "za 4 sekundy."],
    ["pl", 5, "za 5 sekund."],
    ["pl", 12, "za 12 sekund."],
    ["pl", 22, "za 22 sekundy."],
    ["pl", 25, "za 25 sekund."]
  ] as const)("%s, %i seconds: “%s”", (tag, seconds, text) => {
    expect(stringsFor(tag).retryAfter(seconds)).toContain(text)
  })

  it("Polish counts characters too: 1 znak, 254 znaki, 200 and 10 000 znaków", () => {
    const pl = stringsFor("pl")
    expect(pl.issues.too_long(1)).toBe("może mieć najwyżej 1 znak")
    expect(pl.issues.too_long(254)).toBe("może mieć najwyżej 254 znaki")
    expect(pl.issues.too_long(200)).toBe("może mieć najwyżej 200 znaków")
    expect(pl.sizeLimit(10_000)).toBe("Wiadomość może mieć najwyżej 10\u00a0000 znaków.")
    expect(pl.sizeLimit(2_002)).toBe("Wiadomość może mieć najwyżej 2002 znaki.")
  })
})

// ---------------------------------------------------------------------------------------
// Through the handler: the answers it gives today, in each language

const valid = {
  name: "Anna Müller",
  email: "anna@example.org",
  subject: visitor.subject,
  body: visitor.body,
  "frc-captcha-response": "token-ok"
}
const successUrls = Object.fromEntries(
  eight.map((tag) => [`SUCCESS_URL_${tag.toUpperCase()}`, `https://www.example.com/${tag}/thanks`])
)

describe.each(eight)("the handler in %s", (tag) => {
  const strings = stringsFor(tag)
  const html = `<html lang="${tag}">`
  const heading = (kind: ErrorKind) => `<h1>${escapeHtml(strings.errors[kind].title)}</h1>`
  const acceptLanguage = { "Accept-Language": `${tag};q=0.9, en;q=0.1` }

  it("redirects a sent form to the language's SUCCESS_URL", async () => {
    const t = await makeTestHandler({ env: successUrls })
    const result = await t.handler(formPost({ ...valid, language: tag }))
    expect([result.statusCode, result.headers.location]).toEqual([
      303,
      `https://www.example.com/${tag}/thanks`
    ])
    await t.dispose()
  })

  it("400: the page names each problem, the JSON's field messages are in the language", async () => {
    const t = await makeTestHandler()
    const page = await t.handler(formPost({ ...valid, email: "", language: tag }))
    expect(page.statusCode).toBe(400)
    expect(page.body).toContain(html)
    expect(page.body).toContain(heading("invalid_form"))
    expect(page.body).toContain(
      `<strong>${escapeHtml(strings.fieldNames.email ?? "")}</strong> ${escapeHtml(strings.issues.required(0))}`
    )
    // JSON, the language from Accept-Language alone (no language field).
    const { body, ...rest } = valid
    const answer = await t.handler(
      httpApiEvent({
        body: JSON.stringify({ ...rest, email: "anna@", message: " " }),
        headers: { ...json, ...acceptLanguage }
      })
    )
    expect(answer.statusCode).toBe(400)
    expect(JSON.parse(answer.body)).toEqual({
      ok: false,
      error: "invalid_form",
      issues: [
        { field: "email", message: strings.issues.invalid_email(0) },
        { field: "message", message: strings.issues.blank(0) }
      ]
    })
    await t.dispose()
  })

  it("400 for body and message both sent: the page says so once, the JSON names both", async () => {
    const t = await makeTestHandler()
    const { body, ...rest } = valid
    const page = await t.handler(
      formPost([
        ...Object.entries(rest),
        ["message", "Zweiter Text"],
        ["body", body],
        ["language", tag]
      ])
    )
    expect(page.statusCode).toBe(400)
    expect(page.body).toContain(html)
    const line = `<li><strong>${escapeHtml(strings.fieldNames.message ?? "")}</strong> ${escapeHtml(strings.issues.alias_conflict(0))}</li>`
    expect(page.body.split(line)).toHaveLength(2)
    // Neither text is lost: the page gives back both, in the order sent.
    expect(page.body).toContain(
      "<p>Zweiter Text</p>\n<p>Première ligne</p>\n<p>Zażółć gęślą jaźń</p>"
    )
    expect(t.mail.sent).toHaveLength(0)
    const answer = await t.handler(
      httpApiEvent({
        body: JSON.stringify({ ...rest, body, message: "Zweiter Text" }),
        headers: { ...json, ...acceptLanguage }
      })
    )
    expect([answer.statusCode, JSON.parse(answer.body)]).toEqual([
      400,
      {
        ok: false,
        error: "invalid_form",
        issues: [
          { field: "body", message: strings.issues.alias_conflict(0) },
          { field: "message", message: strings.issues.alias_conflict(0) }
        ]
      }
    ])
    await t.dispose()
  })

  it("400 captcha_failed, 403, 405, 413 and 415 pages come in the language", async () => {
    const rejecting = await makeTestHandler({ captcha: CaptchaRejecting })
    const captcha = await rejecting.handler(formPost({ ...valid, language: tag }))
    await rejecting.dispose()
    const t = await makeTestHandler({
      env: { ALLOWED_ORIGINS: "https://www.example.com", MAX_BODY_BYTES: "1000" }
    })
    const origin = await t.handler(
      formPost(valid, { ...acceptLanguage, Origin: "https://evil.example" })
    )
    const method = await t.handler(
      httpApiEvent({ method: "GET", headers: { ...browser, ...acceptLanguage } })
    )
    const large = await t.handler(formPost({ ...valid, body: "x".repeat(2_000) }, acceptLanguage))
    const media = await t.handler(
      httpApiEvent({
        body: "x",
        headers: { "Content-Type": "text/plain", ...browser, ...acceptLanguage }
      })
    )
    await t.dispose()
    for (const [result, status, kind] of [
      [captcha, 400, "captcha_failed"],
      [origin, 403, "origin_not_allowed"],
      [method, 405, "method_not_allowed"],
      [large, 413, "payload_too_large"],
      [media, 415, "unsupported_media_type"]
    ] as const) {
      expect([kind, result.statusCode]).toEqual([kind, status])
      expect(result.body).toContain(html)
      expect(result.body).toContain(heading(kind))
      expect(result.body).toContain(`<p>${escapeHtml(strings.fallbackLead)}</p>`)
    }
  })

  it("500: its own heading, the visitor's text and the prefilled mailto:", async () => {
    const t = await makeTestHandler({ secrets: SecretsMissing("smtp") })
    const result = await t.handler(formPost({ ...valid, language: tag }))
    expect(result.statusCode).toBe(500)
    expect(result.body).toContain(html)
    expect(result.body).toContain(heading("delivery_failed"))
    if (tag !== "en") expect(result.body).not.toContain("Something went wrong")
    if (tag !== "de") expect(result.body).not.toContain("Leider ist etwas schiefgelaufen")
    expect(result.body).toContain("Frage &#60;zum&#62; Preis")
    expect(result.body).toContain("<p>Première ligne</p>\n<p>Zażółć gęślą jaźń</p>")
    expect(result.body).toContain(
      `<a href="${escapeHtml(prefilled)}">${escapeHtml(strings.writeUs)}</a>`
    )
    await t.dispose()
  })

  it("500 unknown (contract §7a): probably arrived, the text kept, a plain mailto, no 'already' wording", async () => {
    // The relay took the message and the connection dropped before its 250; no queue.
    const t = await makeTestHandler({
      mail: (log) => MailScripted(log, [{ code: "ECONNECTION", afterData: true }])
    })
    const result = await t.handler(formPost({ ...valid, language: tag }))
    expect(result.statusCode).toBe(500)
    expect(result.body).toContain(html)
    expect(result.body).toContain(heading("delivery_unknown"))
    expect(result.body).toContain("Frage &#60;zum&#62; Preis")
    expect(result.body).toContain("<p>Première ligne</p>\n<p>Zażółć gęślą jaźń</p>")
    // A plain mailto: it has probably arrived, no second copy invited.
    expect(result.body).toContain('href="mailto:owner@example.com"')
    expect(result.body).not.toContain(escapeHtml(prefilled))
    for (const text of Object.values(strings.errors.already_received)) {
      expect(result.body).not.toContain(escapeHtml(text))
    }
    if (tag === "en") expect(result.body).not.toMatch(/already/i)
    await t.dispose()
  })
})
