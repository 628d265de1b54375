/**
 * The HTML the backend answers with. Every error page offers the fallback contact and,
 * once the body was read, gives the visitor back what they wrote: nothing is lost.
 */
import type { Fallback } from "../domain/contact"
import { withLineBreaks } from "../domain/fields"
import type { FieldIssue } from "../domain/issues"
import type { Strings } from "./strings"

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Paragraphs split on blank lines (contract §3's line breaks); single line breaks kept. */
export const paragraphs = (text: string): string =>
  withLineBreaks(text, "\n")
    .split(/\n[ \t]*\n+/)
    .filter((p) => p.trim() !== "")
    .map((p) => `<p>${escapeHtml(p.trim()).replace(/\n/g, "<br>")}</p>`)
    .join("\n")

/** At most `max` code points, never splitting a surrogate pair. */
const cut = (text: string, max: number): string => Array.from(text).slice(0, max).join("")

/**
 * A `mailto:` link per RFC 6068: percent-encoded (`%20`, never `+`), line breaks as
 * `%0D%0A`, the body cut to 1,500 characters so that mail clients still open it.
 */
export const mailtoLink = (
  to: string,
  visitor?: { readonly subject?: string; readonly body?: string }
) => {
  const params: Array<string> = []
  if (visitor?.subject !== undefined && visitor.subject !== "") {
    params.push(`subject=${encodeURIComponent(visitor.subject)}`)
  }
  if (visitor?.body !== undefined && visitor.body !== "") {
    const body = withLineBreaks(cut(visitor.body, 1_500), "\r\n")
    params.push(`body=${encodeURIComponent(body)}`)
  }
  return `mailto:${encodeURI(to)}${params.length > 0 ? `?${params.join("&")}` : ""}`
}

const style = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem}blockquote{border-left:4px solid #ccc;margin:1rem 0;padding:.25rem 1rem;background:#f6f6f6}
a{color:#0645ad}.banner{background:#fff3cd;border:1px solid #e0c060;padding:.5rem 1rem}
nav{text-align:right;font-size:.875rem}[aria-current]{font-weight:600}`

/** `head`: extra elements for the head (the server's form page adds its style and script). */
export const page = (strings: Strings, title: string, main: string, head = ""): string =>
  `<!doctype html>
<html lang="${escapeHtml(strings.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${style}</style>${head}
</head>
<body>
<main>
${main}
</main>
</body>
</html>
`

export type ErrorKind = keyof Strings["errors"]

export interface ErrorPage {
  readonly kind: ErrorKind
  readonly strings: Strings
  /** None for the page of an unknown form: it names no one's contact. */
  readonly fallback?: Fallback
  readonly issues?: ReadonlyArray<FieldIssue>
  /** What the visitor wrote, when the body was read. */
  readonly visitor?: { readonly subject?: string; readonly body?: string }
  /** The `mailto:` link carries what they wrote: the message did not reach the owner (yet). */
  readonly prefill?: boolean
  /** A sentence after the lead (the 413 page's limit). */
  readonly note?: string
  /** The 429 page: when the next message will be accepted. */
  readonly retryAfterSeconds?: number
}

/** The fallback contact; the `mailto:` carries what the visitor wrote when given. */
const contactBlock = (strings: Strings, fallback: Fallback, visitor: ErrorPage["visitor"]) => {
  const mailto = mailtoLink(fallback.email, visitor)
  return [
    `<p>${escapeHtml(strings.fallbackLead)}</p>`,
    "<ul>",
    `<li>${escapeHtml(strings.fallbackEmail)}: <a href="${escapeHtml(mailto)}">${escapeHtml(fallback.email)}</a></li>`,
    ...(fallback.phone === undefined
      ? []
      : [
          `<li>${escapeHtml(strings.fallbackPhone)}: <a href="tel:${escapeHtml(fallback.phone.replace(/[^0-9+]/g, ""))}">${escapeHtml(fallback.phone)}</a></li>`
        ]),
    "</ul>",
    ...(visitor === undefined
      ? []
      : [`<p><a href="${escapeHtml(mailto)}">${escapeHtml(strings.writeUs)}</a></p>`])
  ].join("\n")
}

export const issueText = (strings: Strings, issue: FieldIssue): string =>
  strings.issues[issue.code](issue.max ?? 0)

/** A known field's label, else the name as sent (own keys only: `constructor` is a name too). */
const fieldName = (strings: Strings, field: string): string =>
  Object.hasOwn(strings.fieldNames, field) ? (strings.fieldNames[field] ?? field) : field

export const errorPage = ({
  fallback,
  issues,
  kind,
  note,
  prefill = false,
  retryAfterSeconds,
  strings,
  visitor
}: ErrorPage): string => {
  const { lead, title } = strings.errors[kind]
  // One line per sentence: `body` and `message` share a label, so their one conflict reads
  // once (the JSON names both fields).
  const issueLines = new Set(
    (issues ?? []).map(
      (i) =>
        `<li><strong>${escapeHtml(fieldName(strings, i.field))}</strong> ${escapeHtml(issueText(strings, i))}</li>`
    )
  )
  const issueList = issueLines.size === 0 ? "" : `<ul>\n${[...issueLines].join("\n")}\n</ul>`
  const prefilled = prefill && visitor !== undefined
  const contact =
    fallback === undefined ? "" : contactBlock(strings, fallback, prefilled ? visitor : undefined)
  const wrote =
    visitor === undefined || (visitor.subject === undefined && visitor.body === undefined)
      ? ""
      : [
          `<h2>${escapeHtml(strings.yourMessage)}</h2>`,
          ...(visitor.subject === undefined
            ? []
            : [
                `<p><strong>${escapeHtml(strings.subjectLabel)}:</strong> ${escapeHtml(visitor.subject)}</p>`
              ]),
          ...(visitor.body === undefined
            ? []
            : [`<blockquote>\n${paragraphs(visitor.body)}\n</blockquote>`])
        ].join("\n")
  return page(
    strings,
    title,
    [
      `<h1>${escapeHtml(title)}</h1>`,
      `<p>${escapeHtml(lead)}</p>`,
      note === undefined ? "" : `<p>${escapeHtml(note)}</p>`,
      retryAfterSeconds === undefined
        ? ""
        : `<p>${escapeHtml(strings.retryAfter(retryAfterSeconds))}</p>`,
      issueList,
      wrote,
      contact
    ]
      .filter((part) => part !== "")
      .join("\n")
  )
}
