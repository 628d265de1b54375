/**
 * ALTCHA end to end in a real browser (contract §4): the built server artifact (dist/server/
 * copied alone, started as the image starts it) serves the demo form with ALTCHA's own
 * widget at /altcha.js (the npm package's file, nothing from a CDN) and a challenge at
 * /altcha signed with the form's secret from moto; Debian's chromium solves it; the form is
 * sent with the page's script (fetch) and without it (a plain POST), and each mail arrives
 * at a STARTTLS relay. The payload the widget made is then replayed (409), and payloads
 * expired or signed with another key are refused. No CSP complaint may reach the console.
 */
import { execFileSync } from "node:child_process"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { altchaKey, challengeSignedWith, solvedPayload } from "./support/altcha"
import {
  nodeRuntimes,
  type RunningArtifact,
  removeArtifact,
  startArtifact
} from "./support/artifact"
import { inCi, secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"
import { relayOnlyEnv } from "./support/world"

const chromiumPath = (() => {
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim()
  } catch {
    return ""
  }
})()
if (chromiumPath === "" && inCi()) throw new Error("CI is set: chromium is required")
const suite = await secretsPeerOrSkip()
const node24 = nodeRuntimes.find((runtime) => runtime.major === 24)

const typed = {
  name: "Jonas Wilde",
  email: "jonas.wilde@example.org",
  subject: "Spare parts",
  message: "Do you still stock the 2019 hinges?"
}

describe.skipIf(suite.skip || chromiumPath === "" || node24 === undefined)(
  "ALTCHA's widget in chromium against the built server",
  () => {
    let smtp: SmtpPeer
    let artifact: RunningArtifact
    let browser: Browser
    const key = altchaKey()
    const problems: Array<string> = []

    beforeAll(async () => {
      if (node24 === undefined) return
      smtp = await startSmtpPeer({ tls: "starttls" })
      const secret = uniqueSecretId("altcha")
      await suite.peer().createSecret(secret, { ALTCHA_HMAC_SECRET: key })
      artifact = await startArtifact(node24, {
        ...relayOnlyEnv(smtp),
        ...suite.peer().env,
        CAPTCHA_PROVIDER: "altcha",
        CAPTCHA_SECRET_ID: secret,
        // A small cost: the suite proves the widget and the checks, not the difficulty.
        ALTCHA_COST: "200"
      })
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
      })
    })
    afterAll(async () => {
      await browser?.close()
      if (artifact !== undefined) await removeArtifact(artifact)
      await smtp?.close()
      await suite.close()
      expect(problems).toEqual([])
    })

    /** The page with the widget solved: the payload it put into the form. */
    const solvedPage = async (script: "on" | "off") => {
      const context = await browser.newContext({ locale: "en-US" })
      const page = await context.newPage()
      page.setDefaultTimeout(20_000)
      page.on("pageerror", (error) => problems.push(error.message))
      page.on("console", (message) => {
        if (/Content Security Policy|Refused to/.test(message.text())) problems.push(message.text())
      })
      // Without the page's own script the form posts as plain HTML does; the widget runs.
      if (script === "off") await page.route("**/form.js", (route) => route.abort())
      await page.goto(artifact.url)
      for (const [name, value] of Object.entries(typed)) {
        const plain = script === "off" && (name === "subject" || name === "message")
        await page.locator(`[name="${name}"]`).fill(`${value}${plain ? " (plain)" : ""}`)
      }
      await page.locator("altcha-widget label").click()
      await expect.poll(() => payloadOf(page), { timeout: 20_000 }).not.toBe("")
      return { page, payload: await payloadOf(page) }
    }
    const payloadOf = (page: Page) =>
      page
        .locator('form input[name="altcha"]')
        .inputValue()
        .catch(() => "")

    it("the widget's own file and a challenge come from the server; the solved form is delivered, with the page's script", async () => {
      const { page, payload } = await solvedPage("on")
      expect(payload.length).toBeGreaterThan(100)
      await page.getByRole("button", { name: "Send message" }).click()
      await expect.poll(() => page.locator("#form-status").textContent()).toContain("Thank you")
      const [mail] = await smtp.waitForMails(1)
      expect(mail?.subject).toBe(`[Contact] ${typed.subject}`)
      expect(mail?.text).toContain("Captcha: verified")
      await page.context().close()
    })

    it("and without it: a plain POST, the success redirect, the mail", async () => {
      const { page } = await solvedPage("off")
      const [answer] = await Promise.all([
        page.waitForResponse("**/contact"),
        page.getByRole("button", { name: "Send message" }).click()
      ])
      // The browser's own POST, urlencoded, with the widget's field; the success redirect.
      expect(answer.request().postData()).toMatch(/(^|&)altcha=[^&]{100,}/)
      expect([answer.status(), answer.headers().location]).toEqual([
        303,
        "https://www.example.com/thanks"
      ])
      const mails = await smtp.waitForMails(2)
      expect(mails.at(-1)?.subject).toBe(`[Contact] ${typed.subject} (plain)`)
      await page.context().close()
    })

    it("the payload the widget made, sent again with another message: 409; expired or foreign payloads: 400", async () => {
      const { page, payload } = await solvedPage("on")
      await page.context().close()
      const post = (altcha: string, message: string) =>
        fetch(`${artifact.url}contact`, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify({ email: typed.email, message, altcha })
        })
      const first = await post(payload, "The first message with it.")
      expect(first.status).toBe(200)
      const replay = await post(payload, "Another message, the same payload.")
      expect(replay.status).toBe(409)
      const now = Math.floor(Date.now() / 1_000)
      const expired = await solvedPayload(await challengeSignedWith(key, now - 1))
      expect((await post(expired, "Expired.")).status).toBe(400)
      const foreign = await solvedPayload(await challengeSignedWith(altchaKey(), now + 600))
      expect((await post(foreign, "Foreign.")).status).toBe(400)
    })
  }
)
