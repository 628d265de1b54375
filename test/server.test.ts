/**
 * The Node server over real HTTP (src/server.ts, src/server/app.ts): the answers of contract §3 through Node's http server, the pages of embedded mode, production mode, and
 * as a process of its own: exit code 78 on bad configuration and a graceful SIGTERM.
 */

import { readFile } from "node:fs/promises"
import { request } from "node:http"
import { isAbsolute, join } from "node:path"
import { simpleParser } from "mailparser"
import { SMTPServer } from "smtp-server"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { productionVariables, serverMode } from "../src/server/settings"
import {
  closedPort,
  listeningUrl,
  repoRoot,
  spawnServer,
  startServer,
  type TestServer,
  tempDir
} from "./support/server"

const production = {
  MAIL_FROM: "Web contact form <noreply@example.com>",
  MAIL_TO: "Site Owner <owner@example.com>",
  SUCCESS_URL: "https://www.example.com/thanks",
  FALLBACK_EMAIL: "owner@example.com",
  AWS_REGION: "eu-west-1",
  CAPTCHA_PROVIDER: "none",
  SMTP_ALLOW_INSECURE: "true",
  SMTP_SECRET_ID: ""
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const urlencoded = { "content-type": "application/x-www-form-urlencoded" }
const asJson = { accept: "application/json", ...urlencoded }

/** The `.eml` files a server said it saved, in order. */
const savedFiles = (server: TestServer) =>
  server.said.flatMap((line) => {
    const path = /^Mail saved: (.+)$/.exec(line)?.[1]
    return path === undefined ? [] : [isAbsolute(path) ? path : join(repoRoot, path)]
  })

describe("embedded mode over HTTP", () => {
  let server: TestServer
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${server.url}contact`, { method: "POST", body, headers, redirect: "manual" })

  beforeAll(async () => {
    server = await startServer({ OUTBOX_DIR: tempDir("outbox-") })
  })
  afterAll(() => server?.close())

  it("sends a JSON submission through the real SMTP layer into the outbox", async () => {
    const response = await post(
      JSON.stringify({
        name: "Müller, Anna",
        email: "anna@example.org",
        subject: "Hi",
        message: "Hello\n\nthere"
      }),
      { "content-type": "application/json" }
    )
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8")
    expect(await response.json()).toEqual({ ok: true })
    const file = savedFiles(server).at(-1)
    expect(file).toMatch(/[/\\]\d{4}-\d\d-\d\dT[\d-]+Z-[0-9a-f]{8}\.eml$/)
    const mail = await simpleParser(await readFile(file ?? ""))
    expect(mail.subject).toBe("[Contact] Hi")
    expect(mail.replyTo?.text).toBe('"Müller, Anna" <anna@example.org>')
    expect(mail.text).toContain("Hello\n\nthere\n\n--\nName: Müller, Anna")
    expect(mail.text).toContain("Captcha: disabled")
    expect(server.logs.some((l) => l.includes('"outcome":"sent"'))).toBe(true)
  })

  it("answers a plain form post with 303 to the success page of its language", async () => {
    const en = await post(form({ email: "a@example.org", message: "Hi" }), urlencoded)
    expect(en.status).toBe(303)
    expect(en.headers.get("location")).toBe("/sent")
    const de = await post(
      form({ email: "a@example.org", message: "Hi", language: "de" }),
      urlencoded
    )
    expect(de.headers.get("location")).toBe("/sent?lang=de")
  })

  it("serves the form and the success page in each language at ?lang=, switching between all eight", async () => {
    const names = [
      "English",
      "Deutsch",
      "Français",
      "Español",
      "Italiano",
      "Nederlands",
      "Português",
      "Polski"
    ]
    for (const [lang, name, email] of [
      ["fr", "Français", "Votre adresse e-mail"],
      ["es", "Español", "Su correo electrónico"],
      ["it", "Italiano", "Il suo indirizzo e-mail"],
      ["nl", "Nederlands", "Uw e-mailadres"],
      ["pt", "Português", "Endereço de e-mail"],
      ["pl", "Polski", "Adres e-mail"]
    ] as const) {
      const page = await (await fetch(`${server.url}?lang=${lang}`)).text()
      expect(page).toContain(`<html lang="${lang}">`)
      expect(page).toContain(`<input type="hidden" name="language" value="${lang}">`)
      expect(page).toContain(`<label for="f-email">${email} `)
      const nav = /<nav [^>]*>(.*)<\/nav>/.exec(page)?.[1] ?? ""
      expect([...nav.matchAll(/>([^<]+)<\/(?:a|span)>/g)].map((m) => m[1])).toEqual(names)
      expect(nav).toContain(`<span aria-current="true" lang="${lang}">${name}</span>`)
      const sent = await post(
        form({ email: "a@example.org", message: "Hi", language: lang }),
        urlencoded
      )
      expect(sent.headers.get("location")).toBe(`/sent?lang=${lang}`)
      const thanks = await (await fetch(`${server.url}sent?lang=${lang}`)).text()
      expect(thanks).toContain(`<html lang="${lang}">`)
    }
    // Without ?lang=, Accept-Language chooses, a region falling back to its language.
    const brazil = await fetch(server.url, { headers: { "accept-language": "pt-BR,pt;q=0.9" } })
    expect(await brazil.text()).toContain('<html lang="pt">')
  })

  it("answers the refusals of contract §3", async () => {
    const invalid = await post(form({ email: "nope", message: " " }), asJson)
    expect(invalid.status).toBe(400)
    expect(await invalid.json()).toEqual({
      ok: false,
      error: "invalid_form",
      issues: [
        { field: "email", message: "must be a valid email address" },
        { field: "message", message: "must not be blank" }
      ]
    })
    const get = await fetch(`${server.url}contact`, { headers: { accept: "application/json" } })
    expect(get.status).toBe(405)
    expect(get.headers.get("allow")).toBe("POST, OPTIONS")
    expect((await post("hi", { "content-type": "text/plain" })).status).toBe(415)
    // Over the default limit, which admits every valid form (about 640 KiB).
    const big = await post(form({ email: "a@example.org", message: "x".repeat(700_000) }), asJson)
    expect(big.status).toBe(413)
    expect(await big.json()).toEqual({
      ok: false,
      error: "payload_too_large",
      maxMessageCharacters: 10_000
    })
    const preflight = await fetch(`${server.url}contact`, {
      method: "OPTIONS",
      headers: { origin: "https://www.example.com", "access-control-request-method": "POST" }
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*")
    expect(preflight.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS")
    expect(preflight.headers.get("access-control-max-age")).toBe("600")
  })

  it("serves the form, its script, the success page and the health check", async () => {
    const page = await fetch(server.url)
    const html = await page.text()
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'")
    expect(page.headers.get("content-security-policy")).toContain("connect-src 'self'")
    expect(html).toContain('<html lang="en">')
    expect(html).toMatch(/<input id="f-email" name="email" type="email"[^>]* required>/)
    expect(html).toMatch(/<textarea id="f-message" name="message"[^>]* required>/)
    expect(html).toMatch(/<div class="hp" aria-hidden="true">/)
    expect(html).toMatch(/name="_gotcha" type="text" tabindex="-1" autocomplete="off"/)
    expect(html).toContain('<script src="/form.js" defer></script>')
    expect(html).toContain("Demo mode")
    const de = await (await fetch(`${server.url}?lang=de`)).text()
    expect(de).toContain('<html lang="de">')
    expect(de).toContain('<input type="hidden" name="language" value="de">')
    expect(de).toContain("Ihre E-Mail-Adresse")
    const script = await fetch(`${server.url}form.js`)
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8")
    expect(await script.text()).toContain('headers: { Accept: "application/json" }')
    const sent = await (await fetch(`${server.url}sent?lang=de`)).text()
    expect(sent).toContain("Danke, Ihre Nachricht wurde gesendet")
    const health = await fetch(`${server.url}healthz`)
    expect([health.status, await health.text()]).toEqual([200, "ok"])
  })

  it("lists the outbox newest first, escaped, each mail readable as text", async () => {
    await post(form({ email: "a@example.org", subject: "<b>first</b>", message: "one" }), asJson)
    await post(form({ email: "b@example.org", subject: "second", message: "two" }), asJson)
    const html = await (await fetch(`${server.url}outbox`)).text()
    expect(html).not.toContain("<b>first</b>")
    expect(html.indexOf("[Contact] second")).toBeLessThan(html.indexOf("&#60;b&#62;first"))
    const link = /href="\/outbox\/([^"]+)">\[Contact\] second/.exec(html)?.[1]
    const mail = await fetch(`${server.url}outbox/${link}`)
    expect(mail.headers.get("content-type")).toBe("text/plain; charset=utf-8")
    const text = await mail.text()
    expect(text).toContain("Reply-To: b@example.org\nSubject: [Contact] second")
    expect(text).toContain("\n\ntwo\n")
    expect((await fetch(`${server.url}outbox/..%2F..%2Fpackage.json`)).status).toBe(404)
  })

  it("puts Cache-Control: no-store, nosniff and a CSP on every answer, 404 included", async () => {
    const paths = ["", "?lang=de", "form.js", "sent", "outbox", "healthz", "contact", "nope"]
    for (const path of paths) {
      const response = await fetch(`${server.url}${path}`)
      expect([path, response.headers.get("cache-control")]).toEqual([path, "no-store"])
      expect(response.headers.get("x-content-type-options")).toBe("nosniff")
      expect([path, response.headers.get("content-security-policy")]).toEqual([
        path,
        expect.stringContaining("default-src 'none'")
      ])
    }
    const missing = await fetch(`${server.url}nope`)
    expect(missing.status).toBe(404)
    expect(await missing.text()).toContain("Page not found")
  })
})

describe("embedded mode answers its own address only (DNS rebinding)", () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer({ OUTBOX_DIR: tempDir("cfb-outbox-") })
  })
  afterAll(() => server?.close())

  /** A request with this Host, which fetch would not let us set: node:http does. */
  const withHost = (path: string, host: string) =>
    new Promise<number>((resolve, reject) => {
      const url = new URL(path, server.url)
      request(
        { host: url.hostname, port: url.port, path: url.pathname, headers: { host } },
        (r) => {
          r.resume()
          resolve(r.statusCode ?? 0)
        }
      )
        .on("error", reject)
        .end()
    })

  it("421 for another Host on /outbox, the form and /contact; 200 for 127.0.0.1 and localhost", async () => {
    const port = new URL(server.url).port
    for (const path of ["/outbox", "/", "/contact", "/healthz"]) {
      expect([path, await withHost(path, "evil.example")]).toEqual([path, 421])
      expect([path, await withHost(path, `evil.example:${port}`)]).toEqual([path, 421])
    }
    expect(await withHost("/outbox", `127.0.0.1:${port}`)).toBe(200)
    expect(await withHost("/outbox", `localhost:${port}`)).toBe(200)
    expect(await withHost("/outbox", `LOCALHOST:${port}`)).toBe(200)
  })
})

describe("the mode", () => {
  it("is embedded only while none of the five production variables is set", () => {
    expect(serverMode({})).toBe("embedded")
    expect(serverMode({ MAIL_FROM: "", LOG_LEVEL: "debug", AWS_REGION: "eu-west-1" })).toBe(
      "embedded"
    )
    for (const name of productionVariables) {
      expect(serverMode({ [name]: "x" })).toBe("production")
    }
  })
})

describe("embedded mode with a bad setting", () => {
  it("refuses to start when the outbox cannot be created", async () => {
    await expect(startServer({ OUTBOX_DIR: "/dev/null/outbox" })).rejects.toThrow(
      "Invalid configuration:\n- OUTBOX_DIR: cannot create this directory"
    )
  })
})

describe("embedded mode with ALLOWED_ORIGINS", () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer({
      OUTBOX_DIR: tempDir("outbox-"),
      ALLOWED_ORIGINS: "https://www.example.com"
    })
  })
  afterAll(() => server?.close())

  const postFrom = (origin: string) =>
    fetch(`${server.url}contact`, {
      method: "POST",
      headers: { origin, ...asJson },
      body: form({ email: "a@example.org", message: "Hi" })
    })

  it("refuses an unlisted origin and echoes a listed one", async () => {
    const refused = await postFrom("https://evil.example")
    expect(refused.status).toBe(403)
    expect(refused.headers.get("vary")).toBe("Origin")
    expect(await refused.json()).toEqual({ ok: false, error: "origin_not_allowed" })
    const listed = await postFrom("https://www.example.com")
    expect(listed.status).toBe(200)
    expect(listed.headers.get("access-control-allow-origin")).toBe("https://www.example.com")
    const preflight = await fetch(`${server.url}contact`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example" }
    })
    expect(preflight.status).toBe(403)
  })

  it("always allows the server's own origin, under either loopback name", async () => {
    const own = new URL(server.url).origin
    expect((await postFrom(own)).status).toBe(200)
    expect((await postFrom(own.replace("127.0.0.1", "localhost"))).status).toBe(200)
  })
})

describe("production mode over HTTP", () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer({
      ...production,
      SMTP_URL: `smtp://127.0.0.1:${await closedPort()}`
    })
  })
  afterAll(() => server?.close())

  it("has no outbox and answers a failed delivery with the fallback", async () => {
    expect(server.mode).toBe("production")
    expect((await fetch(`${server.url}outbox`)).status).toBe(404)
    expect(await (await fetch(`${server.url}healthz`)).text()).toBe("ok")
    const response = await fetch(`${server.url}contact`, {
      method: "POST",
      headers: asJson,
      body: form({ email: "a@example.org", subject: "Hi there", message: "Hello" })
    })
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({
      ok: false,
      error: "delivery_failed",
      fallback: {
        email: "owner@example.com",
        mailto: "mailto:owner@example.com?subject=Hi%20there&body=Hello"
      }
    })
    expect(
      server.logs.some(
        (l) => l.includes('"outcome":"delivery_failed"') && l.includes('"reason":"smtp_')
      )
    ).toBe(true)
  })
})

describe("the server process", () => {
  it("starts without configuration in embedded mode and stops on SIGINT with 0", async () => {
    const outbox = tempDir("outbox-")
    const server = spawnServer({ PORT: "0", OUTBOX_DIR: outbox })
    const url = await listeningUrl(server)
    expect(await server.line(/Form: +http:\/\/127\.0\.0\.1:\d+\/$/)).toContain(url)
    const response = await fetch(`${url}contact`, {
      method: "POST",
      headers: urlencoded,
      body: form({ email: "a@example.org", message: "Hi" }),
      redirect: "manual"
    })
    expect(response.status).toBe(303)
    const saved = await server.line(/^Mail saved: /)
    expect(saved).toContain(outbox)
    server.child.kill("SIGINT")
    expect(await server.exited).toBe(0)
    for (const line of server.stdout) expect(() => JSON.parse(line)).not.toThrow()
  })

  it("exits with 78 and lists every problem of a bad production configuration", async () => {
    const server = spawnServer({ MAIL_FROM: "nobody-at-all", PORT: "http", LOG_LEVEL: "loud" })
    expect(await server.exited).toBe(78)
    const stderr = server.stderr.join("\n")
    expect(stderr).toContain("Invalid configuration:")
    for (const problem of [
      "- PORT: must be a port number",
      "- MAIL_FROM: must be one address",
      "- MAIL_TO: is required",
      "- SUCCESS_URL: is required",
      "- FALLBACK_EMAIL: is required",
      "- LOG_LEVEL: must be debug, info, warn or error"
    ]) {
      expect(stderr).toContain(problem)
    }
    expect(stderr).not.toContain("nobody-at-all")
    expect(stderr).not.toContain("loud")
  })

  it("treats a partial production configuration as an error, never as embedded mode", async () => {
    const server = spawnServer({ SMTP_URL: "smtp://127.0.0.1:2525", AWS_REGION: "eu-west-1" })
    expect(await server.exited).toBe(78)
    const stderr = server.stderr.join("\n")
    for (const name of ["MAIL_FROM", "MAIL_TO", "SUCCESS_URL", "FALLBACK_EMAIL"]) {
      expect(stderr).toContain(`- ${name}: is required`)
    }
  })

  it("on SIGTERM finishes the submission in flight: the mail is delivered, then exit 0", async () => {
    let release = () => {}
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    let dataArrived = () => {}
    const inData = new Promise<void>((resolve) => {
      dataArrived = resolve
    })
    const mails: Array<Buffer> = []
    // Holds its reply to DATA until the test lets it go.
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["AUTH", "STARTTLS"],
      disableReverseLookup: true,
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Array<Buffer> = []
        stream.on("data", (chunk: Buffer) => chunks.push(chunk))
        stream.on("end", () => {
          mails.push(Buffer.concat(chunks))
          dataArrived()
          void released.then(() => callback())
        })
      }
    })
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve))
    const address = smtp.server.address()
    const smtpPort = typeof address === "object" && address !== null ? address.port : 0
    try {
      const server = spawnServer({
        ...production,
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        PORT: "0"
      })
      const url = await listeningUrl(server)
      let exited = false
      void server.exited.then(() => {
        exited = true
      })
      const answer = fetch(`${url}contact`, {
        method: "POST",
        headers: urlencoded,
        body: form({ email: "a@example.org", subject: "Slow", message: "Hi" }),
        redirect: "manual"
      })
      await inData
      server.child.kill("SIGTERM")
      await server.line(/"msg":"stopping"/)
      expect(exited).toBe(false)
      release()
      const response = await answer
      expect(response.status).toBe(303)
      expect(response.headers.get("location")).toBe("https://www.example.com/thanks")
      expect(await server.exited).toBe(0)
      expect(mails).toHaveLength(1)
      expect((await simpleParser(mails[0] ?? Buffer.alloc(0))).subject).toBe("[Contact] Slow")
    } finally {
      release()
      await new Promise<void>((resolve) => smtp.close(() => resolve()))
    }
  })
})
