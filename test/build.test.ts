/**
 * `npm run build -- --forms <file>` (scripts/build.mjs, contract §10): the forms file
 * lands in the Lambda zip as forms.json beside index.mjs, where FormsFile=forms.json points
 * FORMS_FILE, and the bundle unzipped from that zip serves its forms; a file that is not a
 * JSON object fails the build. Built into a temporary directory (`--dist`), never over the
 * dist/ that other suites read meanwhile.
 */
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import AdmZip from "adm-zip"
import { afterAll, describe, expect, it } from "vitest"
import { invokeBundle } from "./support/bundle"
import { baseEnv } from "./support/doubles"
import { formBody, httpApiEvent, urlencoded } from "./support/events"

const root = fileURLToPath(new URL("..", import.meta.url))
const work = mkdtempSync(join(tmpdir(), "cfb-build-"))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const build = (...args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      [join(root, "scripts/build.mjs"), ...args],
      { cwd: root, encoding: "utf8" },
      (error, stdout, stderr) =>
        resolve({
          code: typeof error?.code === "number" ? error.code : error ? 1 : 0,
          stdout,
          stderr
        })
    )
  )

const forms = {
  acme: {
    to: "Owner <owner@acme.example>",
    successUrl: "https://acme.example/thanks",
    fallbackEmail: "info@acme.example"
  }
}
// Written as an owner would, indented: the file is shipped as is, whitespace and all.
const formsFile = join(work, "acme-forms.json")
writeFileSync(formsFile, `${JSON.stringify(forms, null, 2)}\n`)

// What API Gateway sends for the route POST /f/{form}.
const toForm = (id: string) => ({
  ...httpApiEvent({
    path: `/f/${id}`,
    body: formBody({ email: "a@b.org", body: "hi", _gotcha: "bot" }),
    base64: true,
    headers: urlencoded
  }),
  routeKey: "POST /f/{form}",
  pathParameters: { form: id }
})

describe("npm run build -- --forms <file>", () => {
  it("ships the file as forms.json in the zip, and the bundle from that zip serves its forms", async () => {
    const dist = join(work, "dist")
    const { code, stderr, stdout } = await build("--dist", dist, "--forms", formsFile)
    expect(code, stderr).toBe(0)
    expect(stdout).toContain("as forms.json")
    const zip = new AdmZip(join(dist, "lambda.zip"))
    expect(zip.getEntry("forms.json")?.getData()).toEqual(readFileSync(formsFile))
    expect(zip.getEntry("index.mjs")).not.toBeNull()
    expect(readFileSync(join(dist, "lambda/forms.json"))).toEqual(readFileSync(formsFile))

    // Lambda would read it at /var/task/forms.json; here, where the zip is unzipped.
    const unzipped = join(work, "unzipped")
    zip.extractAllTo(unzipped, true)
    const run = await invokeBundle(
      {
        ...baseEnv,
        // No default form: the forms come from the file alone.
        MAIL_TO: "",
        SUCCESS_URL: "",
        SUCCESS_URL_DE: "",
        FALLBACK_EMAIL: "",
        FORMS_FILE: join(unzipped, "forms.json"),
        CAPTCHA_PROVIDER: "none",
        SMTP_URL: "smtp://127.0.0.1:9",
        SMTP_ALLOW_INSECURE: "true",
        SMTP_SECRET_ID: ""
      },
      [toForm("acme"), toForm("initech")],
      join(unzipped, "index.mjs")
    )
    expect(run.stderr).toBe("")
    const [acme, unknown] = run.results
    // The honeypot answers as a delivery would: with the form's own success page.
    expect(acme).toMatchObject({
      statusCode: 303,
      headers: { location: "https://acme.example/thanks" }
    })
    expect(unknown?.statusCode).toBe(404)
  })

  it("refuses a file that is not a JSON object of forms, before building anything", async () => {
    const dist = join(work, "refused")
    for (const [name, content, reason] of [
      ["list.json", "[]", "not a JSON object of form id: settings"],
      ["broken.json", "{", "not JSON"]
    ] as const) {
      const file = join(work, name)
      writeFileSync(file, content)
      const { code, stderr } = await build("--dist", dist, "--forms", file)
      expect(code).toBe(1)
      expect(stderr.trim()).toBe(`--forms ${file}: ${reason}`)
    }
    const { code, stderr } = await build("--dist", dist, "--forms", join(work, "missing.json"))
    expect(code).toBe(1)
    expect(stderr).toContain("cannot read this file")
    expect(existsSync(dist)).toBe(false)
  })
})
