/**
 * A captcha provider's widget as markup (its row of src/domain/captcha-providers.ts): the
 * provider's scripts and its element, with the sitekey or, for ALTCHA, the challenge's URL.
 * The demo form shows it, and the form snippet of the stack's outputs and of the docs is
 * made from it.
 */
import { type CaptchaProvider, captchaProviders, type Widget } from "../domain/captcha-providers"
import { escapeHtml } from "./render"

/** What the element carries: the public sitekey (remote providers) or where to fetch a challenge. */
export interface WidgetKeys {
  readonly sitekey: string
  readonly challengeUrl: string
}

export const widgetScripts = (widget: Widget): string =>
  widget.scripts
    .map((script) => {
      const kind =
        script.kind === "module" ? ' type="module"' : script.kind === "nomodule" ? " nomodule" : ""
      return `<script${kind} src="${escapeHtml(script.src)}" async defer></script>`
    })
    .join("\n")

export const widgetElement = (widget: Widget, keys: WidgetKeys): string => {
  const { element } = widget
  switch (element.kind) {
    case "sitekey":
      return `<div class="${escapeHtml(element.className)}" data-sitekey="${escapeHtml(keys.sitekey)}"></div>`
    case "challenge":
      return `<${element.tag} challenge="${escapeHtml(keys.challengeUrl)}" name="altcha"></${element.tag}>`
  }
}

/**
 * What a site puts inside its form for `provider`: the widget's scripts and its element
 * (nothing without a captcha).
 */
export const widgetSnippet = (
  provider: CaptchaProvider,
  keys: WidgetKeys = { sitekey: "YOUR_SITEKEY", challengeUrl: "YOUR_API/altcha" }
): string => {
  const row = captchaProviders[provider]
  return row.check === "none"
    ? ""
    : `${widgetScripts(row.widget)}\n${widgetElement(row.widget, keys)}`
}
