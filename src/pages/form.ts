/**
 * GET /: a contact form a site owner can copy. It works without JavaScript (a plain POST
 * to /contact, answered by a redirect or an error page); /form.js, when it runs, sends it
 * with fetch in JSON mode and shows the answer inline, keeping what the visitor typed.
 */
import type { Widget } from "../domain/captcha-providers"
import type { Fallback } from "../domain/contact"
import { escapeHtml, page } from "./render"
import type { Strings } from "./strings"
import { type WidgetKeys, widgetElement, widgetScripts } from "./widget"

/** What the page says about the mode the server runs in. */
export type Banner = "embedded" | "captcha-off" | undefined

export interface FormPage {
  readonly strings: Strings
  readonly banner: Banner
  readonly fallback: Fallback
  /** The form's id (contract §10): the page posts to /contact for `default`, else /f/<id>. */
  readonly formId: string
  /** The form's captcha widget, with the sitekey of its secret; none without a captcha. */
  readonly captcha?: { readonly widget: Widget; readonly keys: WidgetKeys } | undefined
}

/** The words /form.js needs, in the page's language (the script itself has none). */
const scriptMessages = ({ fallback, strings }: FormPage) => ({
  send: strings.form.send,
  sending: strings.form.sending,
  sent: strings.form.sent,
  sentLead: strings.form.sentLead,
  errors: strings.errors,
  fallbackLead: strings.fallbackLead,
  fallbackEmail: strings.fallbackEmail,
  fallbackPhone: strings.fallbackPhone,
  writeUs: strings.writeUs,
  fieldNames: strings.fieldNames,
  fallback: {
    email: fallback.email,
    ...(fallback.phone === undefined ? {} : { phone: fallback.phone })
  }
})

export const formStyle = `<style>
form{display:grid;gap:1rem;margin:1.5rem 0}.field{display:grid;gap:.25rem}
label{font-weight:600}.hint{font-weight:400;color:#555}
input,textarea{font:inherit;padding:.5rem;border:1px solid #767676;border-radius:4px}
textarea{min-height:10rem;resize:vertical}
input:focus,textarea:focus,button:focus,a:focus,.status:focus{outline:3px solid #0645ad;outline-offset:2px}
[aria-invalid=true]{border-color:#b00020;border-width:2px}.error{color:#b00020;margin:0}
button{font:inherit;justify-self:start;padding:.6rem 1.4rem;background:#0645ad;color:#fff;border:0;border-radius:4px;cursor:pointer}
button:disabled{opacity:.7;cursor:progress}
.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
.status:empty{display:none}.status{padding:.25rem 1rem;border-radius:4px;margin:1rem 0}
.status.ok{background:#e6f4ea;border:1px solid #2e7d32}.status.problem{background:#fdecea;border:1px solid #c62828}
</style>`

export const bannerHtml = (strings: Strings, banner: Banner): string => {
  switch (banner) {
    case "embedded":
      return `<p class="banner" role="note">${escapeHtml(strings.form.captchaOff)} <a href="/outbox?lang=${escapeHtml(strings.lang)}">${escapeHtml(strings.form.outbox)}</a></p>`
    case "captcha-off":
      return `<p class="banner" role="note">${escapeHtml(strings.form.captchaOffProduction)}</p>`
    case undefined:
      return ""
  }
}

/**
 * Every language, each named in its own: links to the same page in the others, the current
 * one as text marked `aria-current`, so that a reader sees all of them in one place.
 */
/** `path` with its query (e.g. `/?form=acme&`), to which `lang=` is added. */
export const languageSwitch = (strings: Strings, path: string, all: ReadonlyArray<Strings>) => {
  if (all.length < 2) return ""
  const items = all.map((s) => {
    const lang = escapeHtml(s.lang)
    const name = escapeHtml(s.form.languageName)
    return s.lang === strings.lang
      ? `<span aria-current="true" lang="${lang}">${name}</span>`
      : `<a href="${escapeHtml(`${path}${path.includes("?") ? "" : "?"}lang=${s.lang}`)}" lang="${lang}" hreflang="${lang}">${name}</a>`
  })
  return `<nav aria-label="${escapeHtml(strings.form.languageNav)}">${items.join(" · ")}</nav>`
}

const field = (options: {
  readonly id: string
  readonly label: string
  readonly required?: string
  readonly control: string
}) =>
  `<div class="field">
<label for="${options.id}">${escapeHtml(options.label)}${options.required === undefined ? "" : ` <span class="hint">(${escapeHtml(options.required)})</span>`}</label>
${options.control}
<p class="error" id="${options.id}-error" hidden></p>
</div>`

export const formPage = (input: FormPage, all: ReadonlyArray<Strings>): string => {
  const { strings } = input
  const t = strings.form
  const action = input.formId === "default" ? "/contact" : `/f/${input.formId}`
  const form = `<form id="contact-form" method="post" action="${escapeHtml(action)}" aria-labelledby="form-title" data-messages="${escapeHtml(JSON.stringify(scriptMessages(input)))}">
<input type="hidden" name="language" value="${escapeHtml(strings.lang)}">
${field({ id: "f-name", label: t.name, control: `<input id="f-name" name="name" type="text" autocomplete="name" maxlength="200">` })}
${field({ id: "f-email", label: t.email, required: t.required, control: `<input id="f-email" name="email" type="email" autocomplete="email" maxlength="254" required>` })}
${field({ id: "f-subject", label: t.subject, control: `<input id="f-subject" name="subject" type="text" maxlength="200">` })}
${field({ id: "f-message", label: t.message, required: t.required, control: `<textarea id="f-message" name="message" rows="8" maxlength="10000" required></textarea>` })}
<div class="hp" aria-hidden="true">
<label for="f-gotcha">${escapeHtml(t.honeypot)}</label>
<input id="f-gotcha" name="_gotcha" type="text" tabindex="-1" autocomplete="off">
</div>
<input type="hidden" name="_t">
${input.captcha === undefined ? "" : `${widgetElement(input.captcha.widget, input.captcha.keys)}\n`}<button type="submit">${escapeHtml(t.send)}</button>
</form>`
  return page(
    strings,
    t.title,
    [
      languageSwitch(
        strings,
        input.formId === "default" ? "/" : `/?form=${encodeURIComponent(input.formId)}&`,
        all
      ),
      `<h1 id="form-title">${escapeHtml(t.title)}</h1>`,
      bannerHtml(strings, input.banner),
      `<p>${escapeHtml(t.intro)}</p>`,
      `<div id="form-status" class="status" role="status" aria-live="polite" tabindex="-1"></div>`,
      form
    ]
      .filter((part) => part !== "")
      .join("\n"),
    [
      formStyle,
      `<script src="/form.js" defer></script>`,
      ...(input.captcha === undefined ? [] : [widgetScripts(input.captcha.widget)])
    ].join("\n")
  )
}
