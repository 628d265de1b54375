// What the site pastes: the form's opening tag, then the widget of the captcha provider
// (its scripts and its element, the sitekey to fill in), from the provider table's markup.
// ALTCHA's element carries this API's challenge URL instead of a sitekey. With the
// provider a parameter's value, every provider's markup is in a mapping and the template
// picks one at deploy time; a mapping holds no token, so ALTCHA's snippet is built aside,
// chosen by IsAltcha (its mapping entry, with a placeholder URL, is never chosen; it stays
// so that FindInMap has an entry for every value the parameter allows).
import { CfnMapping, Fn } from "aws-cdk-lib"
import type { Construct } from "constructs"
import { type CaptchaProvider, captchaProviderIds } from "../src/domain/captcha-providers.js"
import { widgetSnippet } from "../src/pages/widget.js"
import { type Decision, isDeployTime, pickString } from "./decision.js"
import { ALTCHA } from "./store.js"

export const formSnippet = (
  scope: Construct,
  options: {
    readonly contactUrl: string
    readonly challengeUrl: string
    readonly provider: CaptchaProvider
    readonly isAltcha: Decision
  }
): string => {
  const { contactUrl, challengeUrl, provider, isAltcha } = options
  const formTag = `<form action="${contactUrl}" method="post">`
  const altcha = Fn.join("", [formTag, widgetSnippet(ALTCHA, { sitekey: "", challengeUrl })])
  if (!isDeployTime(provider)) {
    return provider === ALTCHA ? altcha : Fn.join("", [formTag, widgetSnippet(provider)])
  }
  const widgets = new CfnMapping(scope, "CaptchaWidgets", {
    mapping: Object.fromEntries(captchaProviderIds.map((id) => [id, { Markup: widgetSnippet(id) }]))
  })
  return pickString(isAltcha, altcha, Fn.join("", [formTag, widgets.findInMap(provider, "Markup")]))
}
