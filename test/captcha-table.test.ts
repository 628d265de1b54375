/**
 * The captcha provider table (src/domain/captcha-providers.ts, contract §4): every
 * provider has its protocol, its field, its secret's keys and a reading for each outcome;
 * the configuration takes its values from the table, and CAPTCHA_VERIFY_URL_<PROVIDER>
 * points one provider elsewhere.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { describe, expect, it } from "vitest"
import { readConfig } from "../src/config/read-config"
import { type CaptchaOutcome, outcomeOf } from "../src/domain/captcha-outcomes"
import {
  captchaFields,
  captchaProviderIds,
  captchaProviders,
  remoteProviderIds,
  tokenFieldOf,
  verifyUrlVariable
} from "../src/domain/captcha-providers"
import { isKnownField } from "../src/domain/fields"
import { captchaProtocols } from "../src/services/captcha-protocols"
import { baseEnv, testConfig } from "./support/doubles"

const rows = remoteProviderIds.map((id) => [id, captchaProviders[id]] as const)

describe("the provider table", () => {
  it("lists FriendlyCaptcha v2 and v1, Turnstile, hCaptcha, ALTCHA and none; each remote one has a protocol", () => {
    expect(captchaProviderIds).toEqual([
      "friendlycaptcha-v2",
      "friendlycaptcha-v1",
      "turnstile",
      "hcaptcha",
      "altcha",
      "none"
    ])
    // ALTCHA is checked here: no protocol, no endpoint; its secret is the HMAC keys.
    expect(captchaProviders.altcha).toMatchObject({
      check: "local",
      field: "altcha",
      secret: { key: "ALTCHA_HMAC_SECRET", keySignature: "ALTCHA_HMAC_KEY_SECRET" }
    })
    expect(remoteProviderIds).not.toContain("altcha")
    expect(Object.keys(captchaProtocols).sort()).toEqual([...remoteProviderIds].sort())
    for (const id of remoteProviderIds) {
      expect(typeof captchaProtocols[id].request).toBe("function")
      expect(typeof captchaProtocols[id].read).toBe("function")
    }
  })

  it.each(rows)(
    "%s: a field of its own, two secret keys, an https endpoint and a widget",
    (id, row) => {
      expect(tokenFieldOf(id)).toBe(row.field)
      expect(rows.filter(([, other]) => other.field === row.field)).toHaveLength(1)
      expect(isKnownField(row.field)).toBe(true)
      expect(row.secret.sitekey).toMatch(/^[A-Z][A-Z0-9_]+_SITEKEY$/)
      expect(row.secret.key).toMatch(/^[A-Z][A-Z0-9_]+_(SECRET|API_KEY)$/)
      expect(new URL(row.verifyUrl).protocol).toBe("https:")
      expect(row.widget.scripts.length).toBeGreaterThan(0)
      // Each script's origin is one its CSP allows (a source, or a `*.` wildcard of it).
      const allows = (source: string, origin: string) =>
        source === origin ||
        (source.startsWith("https://*.") &&
          origin.endsWith(`.${source.slice("https://*.".length)}`))
      for (const script of row.widget.scripts) {
        const origin = new URL(script.src).origin
        expect(row.widget.csp["script-src"]?.some((source) => allows(source, origin))).toBe(true)
      }
    }
  )

  it.each(rows)(
    "%s: its answers read as each of the five outcomes, its codes in one outcome each",
    (_, row) => {
      const { codes } = row
      const all = [...codes.already_received, ...codes.misconfigured, ...codes.unavailable]
      expect(new Set(all).size).toBe(all.length)
      expect(codes.already_received.length).toBeGreaterThan(0)
      expect(codes.misconfigured.length).toBeGreaterThan(0)
      const seen = new Set<CaptchaOutcome>([
        outcomeOf(codes, 200, { success: true, code: undefined }),
        outcomeOf(codes, 200, { success: false, code: "some-other-code" }),
        ...codes.already_received.map((code) => outcomeOf(codes, 200, { success: false, code })),
        ...codes.misconfigured.map((code) => outcomeOf(codes, 200, { success: false, code })),
        outcomeOf(codes, 503, undefined)
      ])
      expect([...seen].sort()).toEqual(
        ["already_received", "misconfigured", "refused", "unavailable", "verified"].sort()
      )
    }
  )

  it("one rule reads every answer: status first, then the provider's codes", () => {
    const codes = captchaProviders.turnstile.codes
    const read = (status: number, answer?: { success: boolean; code?: string }) =>
      outcomeOf(codes, status, answer && { success: answer.success, code: answer.code })
    expect(read(200, { success: true })).toBe("verified")
    expect(read(200, { success: false, code: "invalid-input-response" })).toBe("refused")
    expect(read(200, { success: false, code: "timeout-or-duplicate" })).toBe("already_received")
    expect(read(200, { success: false, code: "invalid-input-secret" })).toBe("misconfigured")
    expect(read(200, { success: false, code: "internal-error" })).toBe("unavailable")
    // A 400, 401 or 403 says our request is wrong, whatever its code; unreadable too.
    expect(read(401, { success: false, code: "invalid-input-response" })).toBe("misconfigured")
    expect(read(403)).toBe("misconfigured")
    // 429 and 5xx are outages, even with a success in them; so is an unreadable 200.
    expect(read(429, { success: true })).toBe("unavailable")
    expect(read(502, { success: false, code: "timeout-or-duplicate" })).toBe("unavailable")
    expect(read(200)).toBe("unavailable")
    expect(read(404, { success: false, code: "not-found" })).toBe("unavailable")
  })

  it("every provider's token field is the form's own, never a visitor's extra field", () => {
    expect([...captchaFields].sort()).toEqual([
      "altcha",
      "cf-turnstile-response",
      "frc-captcha-response",
      "frc-captcha-solution",
      "h-captcha-response"
    ])
  })
})

describe("the captcha configuration", () => {
  const problems = (env: Record<string, string>) => {
    const exit = Effect.runSyncExit(readConfig({ ...baseEnv, ...env }))
    return Exit.isFailure(exit) ? JSON.stringify(exit.cause) : ""
  }

  it("CAPTCHA_PROVIDER and a form's captchaProvider take the table's ids, and say which", () => {
    expect(problems({ CAPTCHA_PROVIDER: "recaptcha" })).toContain(
      "CAPTCHA_PROVIDER: must be friendlycaptcha-v2, friendlycaptcha-v1, turnstile, hcaptcha, altcha or none"
    )
    const forms = {
      shop: {
        to: "a@example.com",
        successUrl: "/thanks",
        fallbackEmail: "a@example.com",
        captchaProvider: "recaptcha"
      }
    }
    expect(problems({ FORMS: JSON.stringify(forms) })).toContain(
      "FORMS.shop.captchaProvider: must be friendlycaptcha-v2"
    )
  })

  it("a form names its provider, or has the deployment's", () => {
    const config = testConfig({
      CAPTCHA_PROVIDER: "hcaptcha",
      FORMS: JSON.stringify({
        shop: {
          to: "a@example.com",
          successUrl: "/thanks",
          fallbackEmail: "a@example.com",
          captchaProvider: "turnstile"
        },
        blog: { to: "b@example.com", successUrl: "/thanks", fallbackEmail: "b@example.com" }
      })
    })
    expect(config.forms.get("shop")?.captchaProvider).toBe("turnstile")
    expect(config.forms.get("blog")?.captchaProvider).toBe("hcaptcha")
    expect(config.forms.get("default")?.captchaProvider).toBe("hcaptcha")
  })

  it("CAPTCHA_VERIFY_URL_<PROVIDER> points one provider elsewhere; CAPTCHA_VERIFY_URL the deployment's own", () => {
    expect(remoteProviderIds.map(verifyUrlVariable)).toEqual([
      "CAPTCHA_VERIFY_URL_FRIENDLYCAPTCHA_V2",
      "CAPTCHA_VERIFY_URL_FRIENDLYCAPTCHA_V1",
      "CAPTCHA_VERIFY_URL_TURNSTILE",
      "CAPTCHA_VERIFY_URL_HCAPTCHA"
    ])
    const config = testConfig({
      CAPTCHA_PROVIDER: "turnstile",
      CAPTCHA_VERIFY_URL: "http://127.0.0.1:8001/turnstile/v0/siteverify",
      CAPTCHA_VERIFY_URL_HCAPTCHA: "http://127.0.0.1:8002/siteverify",
      CAPTCHA_VERIFY_URL_TURNSTILE: "http://127.0.0.1:8003/turnstile/v0/siteverify"
    })
    expect(config.captcha.verifyUrls).toEqual({
      "friendlycaptcha-v2": "https://global.frcapi.com/api/v2/captcha/siteverify",
      "friendlycaptcha-v1": "https://api.friendlycaptcha.com/api/v1/siteverify",
      // Its own variable wins over CAPTCHA_VERIFY_URL.
      turnstile: "http://127.0.0.1:8003/turnstile/v0/siteverify",
      hcaptcha: "http://127.0.0.1:8002/siteverify"
    })
    expect(
      testConfig({
        CAPTCHA_PROVIDER: "turnstile",
        CAPTCHA_VERIFY_URL: "http://127.0.0.1:8001/v"
      }).captcha.verifyUrls
    ).toMatchObject({
      turnstile: "http://127.0.0.1:8001/v",
      "friendlycaptcha-v2": "https://global.frcapi.com/api/v2/captcha/siteverify"
    })
    expect(problems({ CAPTCHA_VERIFY_URL_HCAPTCHA: "ftp://x" })).toContain(
      "CAPTCHA_VERIFY_URL_HCAPTCHA: must be an http(s) URL"
    )
  })
})
