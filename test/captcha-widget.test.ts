/**
 * The demo form in production mode shows its form's captcha widget (contract §3, §4): the
 * provider's scripts and element with the sitekey read from the form's secret in moto, and
 * a CSP that allows that provider's widget origins on the demo form only. A form without a
 * captcha says so; a form whose secret cannot be read is served without a widget, logged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { captchaProviders } from "../src/domain/captcha-providers"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { type ChildServer, listeningUrl, spawnServer } from "./support/server"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"
import { relayOnlyEnv } from "./support/world"

const suite = await secretsPeerOrSkip()

const turnstileSitekey = "0x4AAAAAAAwidgetTest"
const hcaptchaSitekey = "20000000-ffff-ffff-ffff-000000000002"

const form = (extra: Record<string, string>) => ({
  to: "owner@example.com",
  successUrl: "/thanks",
  fallbackEmail: "owner@example.com",
  ...extra
})

/** The directives of a CSP, by name. */
const directives = (csp: string | null) =>
  Object.fromEntries(
    (csp ?? "").split(";").map((d) => {
      const [name = "", ...sources] = d.trim().split(/\s+/)
      return [name, sources]
    })
  )

describe.skipIf(suite.skip)("the demo form's captcha widget, production mode", () => {
  let smtp: SmtpPeer
  // A process of its own: the AWS SDK reads moto's endpoint from the environment.
  let server: ChildServer
  let url: string
  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls" })
    const [turnstileSecret, hcaptchaSecret] = [uniqueSecretId("ts"), uniqueSecretId("hc")]
    await suite.peer().createSecret(turnstileSecret, {
      TURNSTILE_SITEKEY: turnstileSitekey,
      TURNSTILE_SECRET: "0x4AAAAAAAwidgetTest-secret"
    })
    await suite.peer().createSecret(hcaptchaSecret, {
      HCAPTCHA_SITEKEY: hcaptchaSitekey,
      HCAPTCHA_SECRET: "0x2000000000000000000000000000000000000002"
    })
    server = spawnServer({
      PORT: "0",
      ...relayOnlyEnv(smtp),
      ...suite.peer().env,
      CAPTCHA_PROVIDER: "turnstile",
      CAPTCHA_SECRET_ID: turnstileSecret,
      FORMS: JSON.stringify({
        hc: form({ captchaProvider: "hcaptcha", captchaSecretId: hcaptchaSecret }),
        open: form({ captchaProvider: "none" }),
        lost: form({ captchaSecretId: uniqueSecretId("never-created") })
      })
    })
    url = await listeningUrl(server)
  })
  afterAll(async () => {
    server?.child.kill("SIGTERM")
    await server?.exited
    await smtp?.close()
    await suite.close()
  })

  it("Turnstile: its script, its element in the form with the secret's sitekey, and its origins in the CSP", async () => {
    const answer = await fetch(url)
    const page = await answer.text()
    expect(answer.status).toBe(200)
    expect(page).toContain(
      '<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>'
    )
    // Inside the form, before its button: the widget adds its token field to the form.
    const inForm = page.slice(page.indexOf("<form"), page.indexOf("</form>"))
    expect(inForm).toContain(`<div class="cf-turnstile" data-sitekey="${turnstileSitekey}"></div>`)
    expect(inForm.indexOf("cf-turnstile")).toBeLessThan(inForm.indexOf('<button type="submit"'))
    const csp = directives(answer.headers.get("content-security-policy"))
    expect(csp["script-src"]).toEqual(["'self'", "https://challenges.cloudflare.com"])
    expect(csp["frame-src"]).toEqual(["https://challenges.cloudflare.com"])
    expect(csp["connect-src"]).toEqual(["'self'"])
    expect(csp["default-src"]).toEqual(["'none'"])
    // A plain POST is redirected to the form's success URL: its origin is allowed too.
    expect(csp["form-action"]).toEqual(["'self'", "https://www.example.com"])
    expect(page).not.toContain("captcha is off")
  })

  it("hCaptcha on its form: its own widget and origins, the sitekey of that form's secret", async () => {
    const answer = await fetch(`${url}?form=hc`)
    const page = await answer.text()
    expect(page).toContain('<script src="https://js.hcaptcha.com/1/api.js" async defer></script>')
    expect(page).toContain(`<div class="h-captcha" data-sitekey="${hcaptchaSitekey}"></div>`)
    expect(page).not.toContain("cf-turnstile")
    const csp = directives(answer.headers.get("content-security-policy"))
    const origins = captchaProviders.hcaptcha.widget.csp["frame-src"]
    expect(csp["script-src"]).toEqual(["'self'", ...origins])
    expect(csp["frame-src"]).toEqual([...origins])
    expect(csp["style-src"]).toEqual(["'unsafe-inline'", ...origins])
    expect(csp["connect-src"]).toEqual(["'self'", ...origins])
  })

  it("a form without a captcha: no widget, the banner says so, and no provider in the CSP", async () => {
    const answer = await fetch(`${url}?form=open`)
    const page = await answer.text()
    expect(page).toContain("The captcha is off")
    expect(page).not.toMatch(/cf-turnstile|h-captcha|frc-captcha/)
    expect(answer.headers.get("content-security-policy")).not.toContain("https:")
  })

  it("no other page allows a provider's origins: the success page and the 404 keep the strict CSP", async () => {
    for (const path of ["sent", "nope"]) {
      const csp = (await fetch(`${url}${path}`)).headers.get("content-security-policy")
      expect(csp).toContain("default-src 'none'")
      expect(csp).not.toContain("challenges.cloudflare.com")
    }
  })

  it("a form whose captcha secret cannot be read is served without a widget, and the server says why", async () => {
    const answer = await fetch(`${url}?form=lost`)
    expect(answer.status).toBe(200)
    expect(await answer.text()).not.toContain("cf-turnstile")
    expect(server.stdout.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "demo form without its captcha widget",
        form: "lost",
        reason: "secret_missing"
      })
    )
  })
})
