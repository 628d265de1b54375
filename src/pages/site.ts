/**
 * The Node server's other pages: /sent (the local success page), /outbox (the mails
 * embedded mode captured) and the page of an unknown address. Everything from a mail is
 * escaped: the visitor wrote it.
 */
import { type Banner, bannerHtml, languageSwitch } from "./form"
import { escapeHtml, page } from "./render"
import type { Strings } from "./strings"

/** A captured mail as the outbox shows it: its headers decoded, then its text. */
export interface OutboxMail {
  readonly file: string
  readonly date: Date | undefined
  readonly subject: string
  readonly from: string
  readonly replyTo: string
  readonly to: string
  readonly text: string
}

export const sentPage = (strings: Strings, banner: Banner, all: ReadonlyArray<Strings>) =>
  page(
    strings,
    strings.form.sent,
    [
      languageSwitch(strings, "/sent", all),
      `<h1>${escapeHtml(strings.form.sent)}</h1>`,
      bannerHtml(strings, banner),
      `<p>${escapeHtml(strings.form.sentLead)}</p>`,
      `<p><a href="/?lang=${escapeHtml(strings.lang)}">${escapeHtml(strings.form.another)}</a></p>`
    ]
      .filter((part) => part !== "")
      .join("\n")
  )

export const notFoundPage = (strings: Strings) =>
  page(
    strings,
    strings.form.notFound.title,
    [
      `<h1>${escapeHtml(strings.form.notFound.title)}</h1>`,
      `<p>${escapeHtml(strings.form.notFound.lead)}</p>`,
      `<p><a href="/?lang=${escapeHtml(strings.lang)}">${escapeHtml(strings.back)}</a></p>`
    ].join("\n")
  )

const tableStyle = `<style>
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
td{overflow-wrap:anywhere}
</style>`

const dateText = (strings: Strings, date: Date | undefined): string =>
  date === undefined
    ? ""
    : `<time datetime="${escapeHtml(date.toISOString())}">${escapeHtml(
        new Intl.DateTimeFormat(strings.lang, { dateStyle: "medium", timeStyle: "medium" }).format(
          date
        )
      )}</time>`

export const outboxPage = (strings: Strings, mails: ReadonlyArray<OutboxMail>) => {
  const c = strings.form.outboxColumns
  const rows = mails.map(
    (mail) =>
      `<tr><td>${dateText(strings, mail.date)}</td><td><a href="/outbox/${escapeHtml(encodeURIComponent(mail.file))}">${escapeHtml(mail.subject === "" ? mail.file : mail.subject)}</a></td><td>${escapeHtml(mail.from)}</td><td>${escapeHtml(mail.replyTo)}</td></tr>`
  )
  const table =
    mails.length === 0
      ? `<p>${escapeHtml(strings.form.outboxEmpty)}</p>`
      : `<table>
<thead><tr><th scope="col">${escapeHtml(c.date)}</th><th scope="col">${escapeHtml(c.subject)}</th><th scope="col">${escapeHtml(c.from)}</th><th scope="col">${escapeHtml(c.replyTo)}</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`
  return page(
    strings,
    strings.form.outbox,
    [
      `<h1>${escapeHtml(strings.form.outbox)}</h1>`,
      `<p>${escapeHtml(strings.form.outboxLead)}</p>`,
      table,
      `<p><a href="/?lang=${escapeHtml(strings.lang)}">${escapeHtml(strings.back)}</a></p>`
    ].join("\n"),
    tableStyle
  )
}

/** One captured mail as plain text: its headers decoded, then its text. */
export const mailText = (mail: OutboxMail): string =>
  [
    `From: ${mail.from}`,
    `To: ${mail.to}`,
    `Reply-To: ${mail.replyTo}`,
    `Subject: ${mail.subject}`,
    `Date: ${mail.date?.toISOString() ?? ""}`,
    "",
    mail.text
  ].join("\n")
