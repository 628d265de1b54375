/**
 * A captcha provider's widget as markup (its row of src/domain/captcha-providers.ts): the
 * provider's scripts and its element with the sitekey. The demo form shows it, and the
 * form snippet of the stack's outputs and of the docs is made from it.
 */
import { type CaptchaProvider, captchaProviders, type Widget } from "../domain/captcha-providers"
import { escapeHtml } from "./render"

export const widgetScripts = (widget: Widget): string =>
  widget.scripts
    .map((script) => {
      const kind =
        script.kind === "module" ? ' type="module"' : script.kind === "nomodule" ? " nomodule" : ""
      return `<script${kind} src="${escapeHtml(script.src)}" async defer></script>`
    })
    .join("\n")

export const widgetElement = (widget: Widget, sitekey: string): string =>
  `<div class="${escapeHtml(widget.className)}" data-sitekey="${escapeHtml(sitekey)}"></div>`

/**
 * What a site puts inside its form for `provider`: the widget's scripts and its element
 * (nothing without a captcha). `sitekey` is the public one of the captcha secret.
 */
export const widgetSnippet = (provider: CaptchaProvider, sitekey = "YOUR_SITEKEY"): string => {
  const row = captchaProviders[provider]
  return row.check === "remote"
    ? `${widgetScripts(row.widget)}\n${widgetElement(row.widget, sitekey)}`
    : ""
}
