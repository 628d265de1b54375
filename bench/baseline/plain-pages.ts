// Frozen baseline: do not optimise (frozen 2026-11-27). Part of bench/baseline/plain.ts:
// the strings of each language, the HTML pages and the response builders, without Effect.

export type Language = "en" | "de"
export type ErrorCode =
  | "invalid_form"
  | "captcha_failed"
  | "delivery_failed"
  | "origin_not_allowed"
  | "method_not_allowed"
  | "payload_too_large"
  | "unsupported_media_type"
export type IssueKind =
  | "required"
  | "invalid_email"
  | "too_long"
  | "one_line"
  | "blank"
  | "control_characters"
  | "duplicate"
  | "too_many_fields"
  | "file_not_allowed"
  | "invalid_body"

export interface Issue {
  readonly field: string
  readonly kind: IssueKind
}
export interface PlainResponse {
  statusCode: number
  headers: Record<string, string>
  body: string
}
export interface PageContext {
  readonly language: Language
  readonly json: boolean
  readonly cors: Record<string, string>
  readonly fallbackEmail: string
  readonly fallbackPhone: string | undefined
  readonly subject?: string | undefined
  readonly message?: string | undefined
}

interface Strings {
  readonly titles: Record<ErrorCode, string>
  readonly explanations: Record<ErrorCode, string>
  readonly issues: Record<IssueKind, string>
  readonly fallback: string
  readonly phone: string
  readonly yourMessage: string
  readonly subject: string
}

export const strings: Record<Language, Strings> = {
  en: {
    titles: {
      invalid_form: "Please check your message",
      captcha_failed: "The anti-spam check failed",
      delivery_failed: "Something went wrong",
      origin_not_allowed: "This form cannot be sent from here",
      method_not_allowed: "Method not allowed",
      payload_too_large: "Your message is too large",
      unsupported_media_type: "Unsupported form encoding"
    },
    explanations: {
      invalid_form: "Some fields need your attention:",
      captcha_failed: "We could not confirm that a person sent this form. Please try again.",
      delivery_failed: "Your message could not be delivered. Please contact us directly.",
      origin_not_allowed: "This form may only be sent from our own website.",
      method_not_allowed: "This address only accepts submitted forms.",
      payload_too_large: "Please shorten your message and try again.",
      unsupported_media_type: "Your browser sent the form in a way we cannot read."
    },
    issues: {
      required: "This field is required.",
      invalid_email: "Please enter a valid email address.",
      too_long: "This field is too long.",
      one_line: "This field must be a single line.",
      blank: "This field must not be blank.",
      control_characters: "This field contains characters that are not allowed.",
      duplicate: "This field was sent more than once.",
      too_many_fields: "The form has too many fields.",
      file_not_allowed: "Files cannot be attached.",
      invalid_body: "The form could not be read."
    },
    fallback: "You can also write to us at",
    phone: "or call",
    yourMessage: "Your message",
    subject: "Subject"
  },
  de: {
    titles: {
      invalid_form: "Bitte prüfen Sie Ihre Nachricht",
      captcha_failed: "Die Spam-Prüfung ist fehlgeschlagen",
      delivery_failed: "Leider ist etwas schiefgelaufen",
      origin_not_allowed: "Dieses Formular kann von hier nicht gesendet werden",
      method_not_allowed: "Methode nicht erlaubt",
      payload_too_large: "Ihre Nachricht ist zu groß",
      unsupported_media_type: "Nicht unterstützte Formularkodierung"
    },
    explanations: {
      invalid_form: "Einige Felder brauchen Ihre Aufmerksamkeit:",
      captcha_failed:
        "Wir konnten nicht bestätigen, dass ein Mensch das Formular gesendet hat. Bitte versuchen Sie es erneut.",
      delivery_failed:
        "Ihre Nachricht konnte nicht zugestellt werden. Bitte kontaktieren Sie uns direkt.",
      origin_not_allowed: "Dieses Formular darf nur von unserer Website gesendet werden.",
      method_not_allowed: "Diese Adresse nimmt nur gesendete Formulare an.",
      payload_too_large: "Bitte kürzen Sie Ihre Nachricht und versuchen Sie es erneut.",
      unsupported_media_type: "Ihr Browser hat das Formular in einer unlesbaren Form gesendet."
    },
    issues: {
      required: "Dieses Feld ist erforderlich.",
      invalid_email: "Bitte geben Sie eine gültige E-Mail-Adresse ein.",
      too_long: "Dieses Feld ist zu lang.",
      one_line: "Dieses Feld muss einzeilig sein.",
      blank: "Dieses Feld darf nicht leer sein.",
      control_characters: "Dieses Feld enthält nicht erlaubte Zeichen.",
      duplicate: "Dieses Feld wurde mehrfach gesendet.",
      too_many_fields: "Das Formular hat zu viele Felder.",
      file_not_allowed: "Dateien können nicht angehängt werden.",
      invalid_body: "Das Formular konnte nicht gelesen werden."
    },
    fallback: "Sie erreichen uns auch unter",
    phone: "oder telefonisch unter",
    yourMessage: "Ihre Nachricht",
    subject: "Betreff"
  }
}

const statusOf: Record<ErrorCode, number> = {
  invalid_form: 400,
  captcha_failed: 400,
  delivery_failed: 500,
  origin_not_allowed: 403,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415
}

const baseHeaders = { "cache-control": "no-store", "x-content-type-options": "nosniff" }
const pageHeaders = {
  ...baseHeaders,
  "content-type": "text/html; charset=utf-8",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}
const jsonHeaders = { ...baseHeaders, "content-type": "application/json; charset=utf-8" }

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const paragraphs = (text: string): string =>
  text
    .split(/\r?\n\s*\r?\n/)
    .filter((p) => p.trim() !== "")
    .map((p) => `<p>${escapeHtml(p).replace(/\r?\n/g, "<br>")}</p>`)
    .join("")

// RFC 6068: percent-encode (spaces as %20, never "+"), line breaks as CRLF.
const mailtoLink = (email: string, subject?: string, message?: string): string => {
  const params: string[] = []
  if (subject) params.push(`subject=${encodeURIComponent(subject)}`)
  if (message) {
    const cut = Array.from(message).slice(0, 1500).join("")
    params.push(`body=${encodeURIComponent(cut.replace(/\r?\n/g, "\r\n"))}`)
  }
  return `mailto:${email}${params.length > 0 ? `?${params.join("&")}` : ""}`
}

export const success = (json: boolean, location: string, cors: Record<string, string>) =>
  json
    ? { statusCode: 200, headers: { ...jsonHeaders, ...cors }, body: '{"ok":true}' }
    : { statusCode: 303, headers: { ...pageHeaders, ...cors, location }, body: "" }

export const preflight = (cors: Record<string, string>): PlainResponse => ({
  statusCode: 204,
  headers: {
    ...baseHeaders,
    ...cors,
    "access-control-allow-methods": "POST, OPTIONS",
    "access-control-allow-headers": "Content-Type, Accept, X-Requested-With",
    "access-control-max-age": "600"
  },
  body: ""
})

export const failure = (
  code: ErrorCode,
  ctx: PageContext,
  issues: readonly Issue[] = []
): PlainResponse => {
  const s = strings[ctx.language]
  const extra: Record<string, string> =
    code === "method_not_allowed" ? { allow: "POST, OPTIONS" } : {}
  if (ctx.json) {
    const payload: Record<string, unknown> = { ok: false, error: code }
    if (code === "invalid_form") {
      payload.issues = issues.map((i) => ({ field: i.field, message: s.issues[i.kind] }))
    }
    if (code === "delivery_failed") {
      const mailto = mailtoLink(ctx.fallbackEmail, ctx.subject, ctx.message)
      payload.fallback = {
        email: ctx.fallbackEmail,
        ...(ctx.fallbackPhone ? { phone: ctx.fallbackPhone } : {}),
        mailto
      }
    }
    return {
      statusCode: statusOf[code],
      headers: { ...jsonHeaders, ...ctx.cors, ...extra },
      body: JSON.stringify(payload)
    }
  }
  const title = escapeHtml(s.titles[code])
  const issueList =
    issues.length > 0
      ? `<ul>${issues.map((i) => `<li><strong>${escapeHtml(i.field)}</strong>: ${escapeHtml(s.issues[i.kind])}</li>`).join("")}</ul>`
      : ""
  const mailto = escapeHtml(
    code === "delivery_failed"
      ? mailtoLink(ctx.fallbackEmail, ctx.subject, ctx.message)
      : mailtoLink(ctx.fallbackEmail)
  )
  const phone = ctx.fallbackPhone
    ? ` ${escapeHtml(s.phone)} <a href="tel:${escapeHtml(ctx.fallbackPhone.replace(/\s+/g, ""))}">${escapeHtml(ctx.fallbackPhone)}</a>`
    : ""
  const echoed =
    ctx.message !== undefined
      ? `<section><h2>${escapeHtml(s.yourMessage)}</h2>${ctx.subject ? `<p><strong>${escapeHtml(s.subject)}:</strong> ${escapeHtml(ctx.subject)}</p>` : ""}${paragraphs(ctx.message)}</section>`
      : ""
  const body = `<!doctype html><html lang="${ctx.language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}</style></head><body><main><h1>${title}</h1><p>${escapeHtml(s.explanations[code])}</p>${issueList}<p>${escapeHtml(s.fallback)} <a href="${mailto}">${escapeHtml(ctx.fallbackEmail)}</a>${phone}.</p>${echoed}</main></body></html>`
  return {
    statusCode: statusOf[code],
    headers: { ...pageHeaders, ...ctx.cors, ...extra },
    body
  }
}
