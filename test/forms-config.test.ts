/**
 * FORMS and FORMS_FILE (contract §10): decoded with Schema, each problem one line
 * naming its path, never a value.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { readForms } from "../src/config/forms"
import { tempDir } from "./support/server"

const acme = {
  to: "ACME Owner <owner@acme.example>",
  successUrl: "https://acme.example/thanks",
  successUrls: { de: "https://acme.example/de/danke" },
  origins: ["https://acme.example"],
  fallbackEmail: "info@acme.example",
  fallbackPhone: "+1 555 0100",
  subjectPrefix: "[ACME] ",
  from: "ACME form <forms@acme.example>",
  captchaSecretId: "frc-acme"
}

const problems = (json: string) =>
  Result.match(readForms({ json, file: undefined }), {
    onFailure: (p) => p.map((one) => `${one.path.join(".")}: ${one.message}`),
    onSuccess: () => []
  })

describe("FORMS", () => {
  it("reads every form with its own settings", () => {
    const forms = Result.getOrThrow(
      readForms({
        json: JSON.stringify({
          acme,
          globex: {
            to: "g@globex.example",
            successUrl: "/thanks",
            fallbackEmail: "g@globex.example"
          }
        }),
        file: undefined
      })
    )
    expect(forms.get("acme")).toEqual({
      to: [{ name: "ACME Owner", address: "owner@acme.example" }],
      successUrl: "https://acme.example/thanks",
      successUrls: { de: "https://acme.example/de/danke" },
      fallback: { email: "info@acme.example", phone: "+1 555 0100" },
      origins: ["https://acme.example"],
      subjectPrefix: "[ACME] ",
      from: { name: "ACME form", address: "forms@acme.example" },
      captchaSecretId: "frc-acme"
    })
    expect(forms.get("globex")).toMatchObject({
      origins: undefined,
      from: undefined,
      successUrls: {},
      fallback: { email: "g@globex.example", phone: undefined }
    })
  })

  it("lists each problem by its path, never its value", () => {
    expect(problems("{not json")).toEqual(["FORMS: is not JSON"])
    expect(problems('"a string"')).toEqual(["FORMS: must be an object of form id: settings"])
    const bad = problems(
      JSON.stringify({
        acme: { ...acme, to: undefined, origins: ["https://acme.example/path?secret-looking"] },
        "Bad Id!": acme,
        globex: { ...acme, successUrls: { xx: "https://globex.example/xx" }, fallbackEmail: 42 },
        initech: { ...acme, colour: "red" },
        hooli: { ...acme, origins: [] }
      })
    )
    expect([...bad].sort()).toEqual(
      [
        "FORMS.acme.to: is missing",
        "FORMS.acme.origins.0: must be an origin such as https://www.example.com",
        "FORMS.Bad Id!: is not a form id ([a-z0-9-], 1 to 40 characters)",
        "FORMS.globex.successUrls.xx: is not a supported language (en, de, fr, es, it, nl, pt, pl)",
        "FORMS.globex.fallbackEmail: must be text",
        "FORMS.initech.colour: is not a setting",
        "FORMS.hooli.origins: must list an origin (leave it out for any)"
      ].sort()
    )
    expect(bad.join("\n")).not.toMatch(/secret-looking|red|42|globex\.example\/xx/)
  })

  it("FORMS_FILE reads the same JSON from a file; both at once is a problem", () => {
    const dir = tempDir("cfb-forms-")
    const path = join(dir, "forms.json")
    writeFileSync(path, JSON.stringify({ acme }))
    expect(Result.getOrThrow(readForms({ json: undefined, file: path })).has("acme")).toBe(true)
    expect(Result.getFailure(readForms({ json: undefined, file: join(dir, "none.json") }))).toEqual(
      expect.objectContaining({
        value: [{ path: ["FORMS_FILE"], message: "cannot read this file" }]
      })
    )
    expect(Result.getFailure(readForms({ json: "{}", file: path }))).toEqual(
      expect.objectContaining({
        value: [{ path: ["FORMS_FILE"], message: "not together with FORMS (one list of forms)" }]
      })
    )
  })
})
