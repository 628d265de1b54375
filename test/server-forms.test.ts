/**
 * Several forms on the Node server (contract §10), over real HTTP: `/?form=<id>` shows
 * the demo form posting to `/f/<id>`, and in embedded mode every form's mail lands in the
 * outbox with that form's owner, sender and prefix. FORMS_FILE is read like FORMS.
 */
import { readFile, writeFile } from "node:fs/promises"
import { isAbsolute, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { acmeForm, globexForm } from "./support/forms"
import { repoRoot, startServer, type TestServer, tempDir } from "./support/server"

const forms = { acme: acmeForm, globex: globexForm }

const urlencoded = { "content-type": "application/x-www-form-urlencoded" }
const fields = (subject: string) =>
  new URLSearchParams({ email: "zoe@example.org", subject, message: "Zebra umbrellas?" }).toString()

/** The text of the `.eml` files a server said it saved, in order. */
const savedMails = (server: TestServer) =>
  Promise.all(
    server.said.flatMap((line) => {
      const path = /^Mail saved: (.+)$/.exec(line)?.[1]
      return path === undefined
        ? []
        : [readFile(isAbsolute(path) ? path : join(repoRoot, path), "utf8")]
    })
  )

describe("several forms on the server, embedded mode", () => {
  let server: TestServer

  beforeAll(async () => {
    const file = join(tempDir("forms-"), "forms.json")
    await writeFile(file, JSON.stringify(forms))
    server = await startServer({ OUTBOX_DIR: tempDir("outbox-"), FORMS_FILE: file })
  })
  afterAll(() => server?.close())

  it("/?form=<id> shows that form posting to /f/<id>, with its own fallback; an unknown id is a 404", async () => {
    const acme = await fetch(`${server.url}?form=acme`)
    const html = await acme.text()
    expect(acme.status).toBe(200)
    expect(html).toContain('action="/f/acme"')
    expect(html).toContain("info@acme.example")
    expect(html).not.toContain("help@globex.example")
    expect(html).toContain('href="/?form=acme&#38;lang=de"')
    const de = await (await fetch(`${server.url}?form=globex&lang=de`)).text()
    expect(de).toContain('action="/f/globex"')
    expect(de).toContain('<html lang="de">')
    expect(de).toContain("help@globex.example")
    expect((await fetch(`${server.url}?form=nope`)).status).toBe(404)
    // The console lists each form's page beside the default one.
    expect(server.said.join("\n")).toContain(`${server.url}?form=acme\n`)
    expect(server.said.join("\n")).toContain(`${server.url}?form=globex\n`)
    // The single-form default still serves `/`, posting to /contact.
    expect(await (await fetch(server.url)).text()).toContain('action="/contact"')
  })

  it("POST /f/acme and /f/globex land in the outbox with each one's owner, sender and prefix", async () => {
    const before = server.said.length
    const acme = await fetch(`${server.url}f/acme`, {
      method: "POST",
      body: `${fields("Stripes")}&language=de`,
      headers: urlencoded,
      redirect: "manual"
    })
    expect([acme.status, acme.headers.get("location")]).toEqual([
      303,
      "https://acme.example/de/danke"
    ])
    const globex = await fetch(`${server.url}f/globex`, {
      method: "POST",
      body: fields("Spots"),
      headers: { ...urlencoded, accept: "application/json" }
    })
    expect([globex.status, await globex.json()]).toEqual([200, { ok: true }])
    const [acmeMail, globexMail] = (await savedMails(server)).slice(-2)
    expect(server.said.length).toBe(before + 2)
    expect(acmeMail).toMatch(/^To: ACME Owner <owner@acme\.example>$/m)
    expect(acmeMail).toMatch(/^From: ACME form <forms@acme\.example>$/m)
    expect(acmeMail).toMatch(/^Subject: \[ACME\] Stripes$/m)
    expect(globexMail).toMatch(/^To: Globex Sales <sales@globex\.example>$/m)
    // No `from` or `subjectPrefix` of its own: the deployment's (embedded mode's) ones.
    expect(globexMail).toMatch(/^From: Contact form <noreply@contact-form\.localhost>$/m)
    expect(globexMail).toMatch(/^Subject: \[Contact\] Spots$/m)
    expect(globexMail).not.toContain("acme")
  })

  it("the demo page's own origin is allowed on every form; another form's origin is refused", async () => {
    const own = new URL(server.url).origin
    const fromOwn = await fetch(`${server.url}f/globex`, {
      method: "POST",
      body: fields("From the demo page"),
      headers: { ...urlencoded, accept: "application/json", origin: own }
    })
    expect(fromOwn.status).toBe(200)
    const fromAcme = await fetch(`${server.url}f/globex`, {
      method: "POST",
      body: fields("From ACME's site"),
      headers: { ...urlencoded, accept: "application/json", origin: "https://acme.example" }
    })
    expect([fromAcme.status, await fromAcme.json()]).toEqual([
      403,
      { ok: false, error: "origin_not_allowed" }
    ])
    const preflight = await fetch(`${server.url}f/acme`, {
      method: "OPTIONS",
      headers: { origin: "https://acme.example", "access-control-request-method": "POST" }
    })
    expect([preflight.status, preflight.headers.get("access-control-allow-origin")]).toEqual([
      204,
      "https://acme.example"
    ])
  })

  it("POST /f/unknown → 404 form_not_found, naming no form's contact", async () => {
    const json = await fetch(`${server.url}f/unknown`, {
      method: "POST",
      body: fields("Lost"),
      headers: { ...urlencoded, accept: "application/json" }
    })
    expect([json.status, await json.json()]).toEqual([404, { ok: false, error: "form_not_found" }])
    const page = await fetch(`${server.url}f/unknown`, {
      method: "POST",
      body: fields("Lost"),
      headers: urlencoded
    })
    const html = await page.text()
    expect(page.status).toBe(404)
    for (const contact of ["acme.example", "globex.example", "contact-form.localhost"])
      expect(html).not.toContain(contact)
  })
})
