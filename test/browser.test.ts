/**
 * The demo form in a real browser (Debian's chromium through playwright-core): submitted
 * with JavaScript on (fetch, JSON mode, inline answers) and off (plain POST, 303, pages),
 * checked with axe, and photographed for the README. The mails are read back from the
 * embedded outbox; delivery failures come from a production-mode server whose SMTP port
 * is closed. Without chromium the suite skips, except under CI=true, where it fails.
 */
import { execFileSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { isAbsolute, join } from "node:path"
import { simpleParser } from "mailparser"
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { inCi } from "./support/secrets-peer"
import { closedPort, repoRoot, startServer, type TestServer, tempDir } from "./support/server"

const chromiumPath = (() => {
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim()
  } catch {
    return ""
  }
})()
const required = inCi()
if (chromiumPath === "" && !required) {
  console.warn("browser.test.ts skipped: no `chromium` on PATH (apt-get install chromium)")
}

const results = join(repoRoot, "test-results")
const axeSource = readFileSync(join(repoRoot, "node_modules/axe-core/axe.min.js"), "utf8")

const typed = {
  name: "Müller, Anna",
  email: "anna@example.org",
  subject: "Question about pricing",
  message: "Hello,\n\nhow much is the large one?"
}

/**
 * The same visitor with one more line: each message sent to the embedded server its own,
 * or the second would be a repeat of the first (contract §9: answered, not mailed).
 */
const typedAs = (note: string): typeof typed => ({
  ...typed,
  message: `${typed.message}\n\n${note}`
})

const fill = async (page: Page, values: Partial<typeof typed> = typed) => {
  for (const [field, value] of Object.entries(values)) {
    await page.locator(`[name="${field}"]`).fill(value)
  }
}

/** The fields are there and labelled before anything else is asserted about the page. */
const expectForm = async (page: Page, labels: { email: string; message: string }) => {
  await expect.poll(() => page.getByLabel(labels.email).isVisible()).toBe(true)
  expect(await page.getByLabel(labels.message).isVisible()).toBe(true)
  // The honeypot: off-screen for people, absent for screen readers, out of the tab order.
  const honeypot = await page.locator('[name="_gotcha"]').boundingBox()
  expect((honeypot?.x ?? 0) + (honeypot?.width ?? 0)).toBeLessThanOrEqual(0)
  expect(await page.getByRole("textbox").count()).toBe(4)
}

interface AxeSummary {
  readonly passes: number
  readonly violations: ReadonlyArray<{ readonly id: string; readonly nodes: unknown }>
}

const expectNoAxeViolations = async (page: Page) => {
  await page.evaluate(axeSource)
  const summary = await page.evaluate<AxeSummary>(
    "axe.run().then((r) => ({ passes: r.passes.length, violations: r.violations }))"
  )
  expect(summary.passes).toBeGreaterThan(10)
  expect(summary.violations.map((v) => [v.id, v.nodes])).toEqual([])
}

const mailsOf = (server: TestServer) =>
  Promise.all(
    server.said.flatMap((line) => {
      const path = /^Mail saved: (.+)$/.exec(line)?.[1]
      if (path === undefined) return []
      return [
        readFile(isAbsolute(path) ? path : join(repoRoot, path)).then((raw) => simpleParser(raw))
      ]
    })
  )

const expectMail = async (server: TestServer, count: number, values: typeof typed = typed) => {
  const mails = await mailsOf(server)
  expect(mails).toHaveLength(count)
  const mail = mails.at(-1)
  expect(mail?.subject).toBe(`[Contact] ${values.subject}`)
  expect(mail?.replyTo?.text).toBe(`"${values.name}" <${values.email}>`)
  expect(mail?.text).toContain(`${values.message}\n\n--\nName: ${values.name}`)
  return mail
}

describe.skipIf(chromiumPath === "" && !required)("the demo form in chromium", () => {
  let browser: Browser
  let embedded: TestServer
  let failing: TestServer
  const pageErrors: Array<string> = []

  const open = async (url: string, options: BrowserContextOptions = {}) => {
    const context = await browser.newContext({ locale: "en-US", ...options })
    const page = await context.newPage()
    page.setDefaultTimeout(10_000)
    page.on("pageerror", (error) => pageErrors.push(error.message))
    page.on("console", (message) => {
      if (message.text().includes("Content Security Policy")) pageErrors.push(message.text())
    })
    await page.goto(url)
    return page
  }

  beforeAll(async () => {
    if (chromiumPath === "")
      throw new Error("CI is set: chromium is required (apt-get install chromium)")
    mkdirSync(results, { recursive: true })
    ;[browser, embedded, failing] = await Promise.all([
      chromium.launch({
        executablePath: chromiumPath,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
      }),
      startServer({ OUTBOX_DIR: tempDir("outbox-") }),
      closedPort().then((port) =>
        startServer({
          MAIL_FROM: "Web contact form <noreply@example.com>",
          MAIL_TO: "Site Owner <owner@example.com>",
          SUCCESS_URL: "/sent",
          FALLBACK_EMAIL: "owner@example.com",
          AWS_REGION: "eu-west-1",
          CAPTCHA_PROVIDER: "none",
          SMTP_URL: `smtp://127.0.0.1:${port}`,
          SMTP_ALLOW_INSECURE: "true",
          SMTP_SECRET_ID: "",
          // Every page here posts from 127.0.0.1: no rate limit in this suite.
          RATE_LIMIT_PER_MINUTE: "0"
        })
      )
    ])
  })
  afterAll(async () => {
    await Promise.all([browser?.close(), embedded?.close(), failing?.close()])
  })

  it("sends with JavaScript: fetch in JSON mode, the answer inline, the mail in the outbox", async () => {
    const page = await open(embedded.url)
    await expectForm(page, { email: "Your email address", message: "Your message" })
    await fill(page)
    await page.locator('[name="message"]').blur()
    await page.screenshot({ path: join(results, "form.png"), fullPage: true })
    const answer = page.waitForResponse((r) => r.url().endsWith("/contact"))
    await page.getByRole("button", { name: "Send message" }).click()
    expect((await (await answer).request().allHeaders()).accept).toBe("application/json")
    await expect
      .poll(() => page.locator("#form-status h2").textContent())
      .toBe("Thank you, your message was sent")
    expect(page.url()).toBe(embedded.url)
    expect(await page.locator('[name="message"]').inputValue()).toBe("")
    await expectMail(embedded, 1)
    await page.context().close()
    expect(pageErrors).toEqual([])
    // The README's first screen; rewritten only when it changed.
    const docs = join(repoRoot, "docs", "form.png")
    const shot = readFileSync(join(results, "form.png"))
    if (!existsSync(docs) || !readFileSync(docs).equals(shot)) {
      mkdirSync(join(repoRoot, "docs"), { recursive: true })
      copyFileSync(join(results, "form.png"), docs)
    }
  })

  it("sends without JavaScript, in German: a plain POST, 303, the success page", async () => {
    const page = await open(`${embedded.url}?lang=de`, { javaScriptEnabled: false })
    await expectForm(page, { email: "Ihre E-Mail-Adresse", message: "Ihre Nachricht" })
    const german = typedAs("Ohne JavaScript gesendet.")
    await fill(page, german)
    await page.getByRole("button", { name: "Nachricht senden" }).click()
    await page.waitForURL(`${embedded.url}sent?lang=de`)
    expect(await page.locator("h1").textContent()).toBe("Danke, Ihre Nachricht wurde gesendet")
    const mail = await expectMail(embedded, 2, german)
    expect(mail?.text).toContain("Language: de")
    await page.context().close()
  })

  it("shows each field's problem next to it and keeps what was typed", async () => {
    const page = await open(embedded.url)
    await expectForm(page, { email: "Your email address", message: "Your message" })
    await fill(page, { email: typed.email, message: "   " })
    await page.getByRole("button", { name: "Send message" }).click()
    const error = page.locator("#f-message-error")
    await expect.poll(() => error.textContent()).toBe("must not be blank")
    expect(await page.locator("#f-message").getAttribute("aria-invalid")).toBe("true")
    expect(await page.locator("#f-message").getAttribute("aria-describedby")).toBe(
      "f-message-error"
    )
    expect(await page.locator('[name="email"]').inputValue()).toBe(typed.email)
    expect(await page.locator("#form-status li").allTextContents()).toEqual([
      "Message must not be blank"
    ])
    await page.screenshot({ path: join(results, "field-errors.png"), fullPage: true })
    await expectNoAxeViolations(page)
    await page.context().close()
  })

  /**
   * The POSTs a page sends to /contact, counted as the browser sends them; each held back
   * 300 ms on its way, so that the second click of a double-click (50 ms apart) comes while
   * the first is surely in flight.
   */
  const countPosts = async (page: Page) => {
    const posts: Array<string> = []
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().endsWith("/contact"))
        posts.push(request.url())
    })
    await page.route("**/contact", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 300))
      await route.continue()
    })
    return posts
  }

  it("a double-click on send: one request, one mail (the button is disabled while it is sent)", async () => {
    const before = (await mailsOf(embedded)).length
    const page = await open(embedded.url)
    await expectForm(page, { email: "Your email address", message: "Your message" })
    const posts = await countPosts(page)
    const clicked = typedAs("Double-clicked.")
    await fill(page, clicked)
    await page.getByRole("button", { name: "Send message" }).dblclick({ delay: 50 })
    await expect
      .poll(() => page.locator("#form-status h2").textContent())
      .toBe("Thank you, your message was sent")
    await page.waitForTimeout(300)
    expect(posts).toHaveLength(1)
    await expectMail(embedded, before + 1, clicked)
    await page.context().close()
  })

  it("the README's snippet for a form without fetch: a double-click sends one request", async () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8")
    const script = /```html\n<form[^`]*?data-send-once[^`]*?<script>\n([^`]*?)<\/script>\n```/.exec(
      readme
    )?.[1]
    expect(script, "the snippet in README.md").toBeDefined()
    const before = (await mailsOf(embedded)).length
    // The owner's own page (not ours, so without our CSP): a plain form posting to the
    // backend, and the snippet.
    const context = await browser.newContext({ locale: "en-US" })
    const page = await context.newPage()
    page.on("pageerror", (error) => pageErrors.push(error.message))
    const posts = await countPosts(page)
    const clicked = typedAs("Double-clicked, without fetch.")
    await page.setContent(
      `<form action="${embedded.url}contact" method="post" data-send-once>
        <input name="name"><input name="email"><input name="subject"><textarea name="message"></textarea>
        <button type="submit">Send</button>
      </form><script>${script}</script>`
    )
    await fill(page, clicked)
    await page.getByRole("button", { name: "Send" }).dblclick({ delay: 50 })
    await page.waitForURL(`${embedded.url}sent`)
    await page.waitForTimeout(300)
    expect(posts).toHaveLength(1)
    await expectMail(embedded, before + 1, clicked)
    await page.context().close()
  })

  it("offers the fallback inline when delivery fails, with the text still in the form", async () => {
    const page = await open(failing.url)
    await expectForm(page, { email: "Your email address", message: "Your message" })
    await fill(page)
    await page.getByRole("button", { name: "Send message" }).click()
    await expect
      .poll(() => page.locator("#form-status h2").textContent())
      .toBe("Something went wrong")
    const write = page.getByRole("link", { name: "Write to us by email (your text is filled in)" })
    expect(await write.getAttribute("href")).toBe(
      `mailto:owner@example.com?subject=Question%20about%20pricing&body=${encodeURIComponent(typed.message.replace(/\n/g, "\r\n"))}`
    )
    expect(await page.locator('[name="message"]').inputValue()).toBe(typed.message)
    await page.screenshot({ path: join(results, "inline-fallback.png"), fullPage: true })
    await expectNoAxeViolations(page)
    await page.context().close()
  })

  it("without JavaScript, shows the error page with the fallback and the typed message", async () => {
    const page = await open(failing.url, { javaScriptEnabled: false })
    await expectForm(page, { email: "Your email address", message: "Your message" })
    await fill(page)
    await page.getByRole("button", { name: "Send message" }).click()
    await page.waitForURL(`${failing.url}contact`)
    expect(await page.locator("h1").textContent()).toBe("Something went wrong")
    expect(await page.locator("blockquote p").allTextContents()).toEqual([
      "Hello,",
      "how much is the large one?"
    ])
    const email = page.getByRole("link", { name: "owner@example.com" })
    expect(await email.getAttribute("href")).toMatch(
      /^mailto:owner@example\.com\?subject=Question%20about%20pricing&body=/
    )
    await page.screenshot({ path: join(results, "error-page.png"), fullPage: true })
    await page.context().close()
  })

  // axe runs in the page, so these pages are opened with JavaScript on.
  it("has no axe violations on the form, in English and German, and on the error page", async () => {
    for (const [query, labels] of [
      ["", { email: "Your email address", message: "Your message" }],
      ["?lang=de", { email: "Ihre E-Mail-Adresse", message: "Ihre Nachricht" }]
    ] as const) {
      const page = await open(`${embedded.url}${query}`)
      await expectForm(page, labels)
      await expectNoAxeViolations(page)
      await page.context().close()
    }
    const page = await open(failing.url)
    await expectForm(page, { email: "Your email address", message: "Your message" })
    await fill(page)
    // A native submission, as without JavaScript: form.submit() fires no submit event.
    await page.locator("form").evaluate((form) => form instanceof HTMLFormElement && form.submit())
    await page.waitForURL(`${failing.url}contact`)
    expect(await page.locator("h1").textContent()).toBe("Something went wrong")
    await expectNoAxeViolations(page)
    await page.context().close()
    expect(pageErrors).toEqual([])
  })

  // One of the six languages added after English and German, the whole way through.
  const polish = { email: "Adres e-mail", message: "Wiadomość" }
  const polishContext = { locale: "pl-PL" }

  it("in Polish, with JavaScript: problems and success inline; without: the Polish success page", async () => {
    const before = (await mailsOf(embedded)).length
    const page = await open(`${embedded.url}?lang=pl`, polishContext)
    await expectForm(page, polish)
    expect(await page.locator("html").getAttribute("lang")).toBe("pl")
    await fill(page, { email: typed.email, message: "   " })
    await page.getByRole("button", { name: "Wyślij wiadomość" }).click()
    await expect
      .poll(() => page.locator("#f-message-error").textContent())
      .toBe("nie może składać się z samych spacji")
    expect(await page.locator("#form-status li").allTextContents()).toEqual([
      "Wiadomość nie może składać się z samych spacji"
    ])
    await expectNoAxeViolations(page)
    const withScript = typedAs("Wysłano z JavaScriptem.")
    await fill(page, withScript)
    await page.getByRole("button", { name: "Wyślij wiadomość" }).click()
    await expect
      .poll(() => page.locator("#form-status h2").textContent())
      .toBe("Dziękujemy, wiadomość została wysłana")
    expect((await expectMail(embedded, before + 1, withScript))?.text).toContain("Language: pl")
    await page.context().close()

    const plain = await open(`${embedded.url}?lang=pl`, {
      ...polishContext,
      javaScriptEnabled: false
    })
    await expectForm(plain, polish)
    const withoutScript = typedAs("Wysłano bez JavaScriptu.")
    await fill(plain, withoutScript)
    await plain.getByRole("button", { name: "Wyślij wiadomość" }).click()
    await plain.waitForURL(`${embedded.url}sent?lang=pl`)
    expect(await plain.locator("h1").textContent()).toBe("Dziękujemy, wiadomość została wysłana")
    expect((await expectMail(embedded, before + 2, withoutScript))?.text).toContain("Language: pl")
    await plain.context().close()
    expect(pageErrors).toEqual([])
  })

  it("in Polish, when delivery fails: the fallback inline, the Polish error page, no axe violations", async () => {
    const page = await open(`${failing.url}?lang=pl`, polishContext)
    await expectForm(page, polish)
    await expectNoAxeViolations(page)
    await fill(page)
    await page.getByRole("button", { name: "Wyślij wiadomość" }).click()
    await expect
      .poll(() => page.locator("#form-status h2").textContent())
      .toBe("Coś poszło nie tak")
    const write = page.getByRole("link", { name: "Wyślij do nas e-mail (treść jest już wpisana)" })
    expect(await write.getAttribute("href")).toBe(
      `mailto:owner@example.com?subject=Question%20about%20pricing&body=${encodeURIComponent(typed.message.replace(/\n/g, "\r\n"))}`
    )
    expect(await page.locator('[name="message"]').inputValue()).toBe(typed.message)
    await expectNoAxeViolations(page)
    await page.context().close()

    // Without JavaScript: the plain POST answers the error page itself.
    const plain = await open(`${failing.url}?lang=pl`, {
      ...polishContext,
      javaScriptEnabled: false
    })
    await expectForm(plain, polish)
    await fill(plain)
    await plain.getByRole("button", { name: "Wyślij wiadomość" }).click()
    await plain.waitForURL(`${failing.url}contact`)
    expect(await plain.locator("html").getAttribute("lang")).toBe("pl")
    expect(await plain.locator("h1").textContent()).toBe("Coś poszło nie tak")
    expect(await plain.locator("blockquote p").allTextContents()).toEqual([
      "Hello,",
      "how much is the large one?"
    ])
    await plain.screenshot({ path: join(results, "error-page-pl.png"), fullPage: true })
    await plain.context().close()

    // axe runs in the page: the same error page, reached by a native submission.
    const checked = await open(`${failing.url}?lang=pl`, polishContext)
    await expectForm(checked, polish)
    await fill(checked)
    await checked
      .locator("form")
      .evaluate((form) => form instanceof HTMLFormElement && form.submit())
    await checked.waitForURL(`${failing.url}contact`)
    expect(await checked.locator("h1").textContent()).toBe("Coś poszło nie tak")
    await expectNoAxeViolations(checked)
    await checked.context().close()
    expect(pageErrors).toEqual([])
  })
})
