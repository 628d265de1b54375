/**
 * The configuration of contract §6: defaults, every problem listed at once, never a value.
 */
import { Effect, Result } from "effect"
import { describe, expect, it } from "vitest"
import { readConfig } from "../src/config/read-config"
import { embeddedEnv } from "../src/server/embedded-mode"
import { baseEnv, formOf } from "./support/doubles"

const read = (env: Record<string, string | undefined>) =>
  Effect.runSync(Effect.result(readConfig(env)))
const problems = (env: Record<string, string | undefined>) =>
  Result.match(read(env), { onFailure: (e) => e.problems, onSuccess: () => [] })

describe("readConfig", () => {
  it("defaults of contract §4 to §6", () => {
    const config = Result.getOrThrow(read(baseEnv))
    // The single-form variables make the form `default` (contract §10).
    const form = formOf(config)
    expect([...config.forms.keys()]).toEqual(["default"])
    expect(form.mailFrom).toEqual({ name: "Web contact form", address: "noreply@example.com" })
    expect(form.mailTo).toEqual([{ name: "Site Owner", address: "owner@example.com" }])
    expect(form.subjectPrefix).toBe("[Contact] ")
    expect(form.captchaSecretId).toBe("friendlycaptcha-data")
    // 12 bytes a character (urlencoded emoji) × the longest valid form, and some: ~644 KiB.
    expect(config.maxBodyBytes).toBe(659_586)
    expect(config.logLevel).toBe("Info")
    expect(form.allowedOrigins).toBeUndefined()
    expect(config.captcha).toEqual({
      provider: "friendlycaptcha-v2",
      verifyUrls: {
        "friendlycaptcha-v2": "https://global.frcapi.com/api/v2/captcha/siteverify",
        "friendlycaptcha-v1": "https://api.friendlycaptcha.com/api/v1/siteverify",
        turnstile: "https://challenges.cloudflare.com/turnstile/v0/siteverify",
        hcaptcha: "https://api.hcaptcha.com/siteverify"
      },
      timeoutMs: 4_000,
      altcha: { expiresSeconds: 600, cost: 7_000 }
    })
    // Contract §9: no STORE_TABLE, the store is this process' memory.
    expect(config.store).toEqual({
      table: undefined,
      timeoutMs: 500,
      claimSeconds: 30,
      waitMs: 2_000
    })
    expect(config.secrets).toEqual({ region: "eu-west-1", ttlSeconds: 300, timeoutMs: 3_000 })
    expect(config.smtp).toMatchObject({
      host: "email-smtp.eu-west-1.amazonaws.com",
      port: 465,
      implicitTls: true,
      allowInsecure: false,
      secretId: "smtp-ses-credentials",
      timeoutMs: 10_000
    })
    expect(form.successUrl).toEqual({
      default: "https://www.example.com/thanks",
      byLanguage: { de: "https://www.example.com/de/danke" }
    })
  })

  it("v1 default URL; smtp:// is STARTTLS on 587; several recipients", () => {
    const config = Result.getOrThrow(
      read({
        ...baseEnv,
        CAPTCHA_PROVIDER: "friendlycaptcha-v1",
        SMTP_URL: "smtp://relay.example.com",
        MAIL_TO: "a@example.com, B <b@example.com>"
      })
    )
    expect(config.captcha.verifyUrls["friendlycaptcha-v1"]).toBe(
      "https://api.friendlycaptcha.com/api/v1/siteverify"
    )
    expect(config.smtp).toMatchObject({ host: "relay.example.com", port: 587, implicitTls: false })
    expect(formOf(config).mailTo.map((m) => m.address)).toEqual(["a@example.com", "b@example.com"])
  })

  it("an empty variable counts as unset, except SMTP_SECRET_ID where empty means no SMTP auth", () => {
    const config = Result.getOrThrow(
      read({ ...baseEnv, FALLBACK_PHONE: "", ALLOWED_ORIGINS: "", SMTP_SECRET_ID: "" })
    )
    expect(formOf(config).fallback.phone).toBeUndefined()
    expect(formOf(config).allowedOrigins).toBeUndefined()
    expect(config.smtp.secretId).toBeUndefined()
  })

  it("every problem in one message, one line per variable, never the value", () => {
    const env = {
      MAIL_TO: "not-an-address-secretvalue",
      SUCCESS_URL: "javascript:alert(1)",
      MAX_BODY_BYTES: "lots",
      CAPTCHA_PROVIDER: "recaptcha",
      SMTP_URL: "smtp://user:hunter2@relay.example.com",
      LOG_LEVEL: "loud",
      ALLOWED_ORIGINS: "https://ok.example, not an origin"
    }
    const result = read(env)
    expect(Result.isFailure(result)).toBe(true)
    const message = Result.match(result, { onFailure: (e) => e.message, onSuccess: () => "" })
    expect(message.split("\n")[0]).toBe("Invalid configuration:")
    for (const name of [
      "MAIL_FROM",
      "MAIL_TO",
      "SUCCESS_URL",
      "FALLBACK_EMAIL",
      "AWS_REGION",
      "MAX_BODY_BYTES",
      "CAPTCHA_PROVIDER",
      "SMTP_URL",
      "LOG_LEVEL",
      "ALLOWED_ORIGINS"
    ]) {
      expect(message).toMatch(new RegExp(`^- ${name}: `, "m"))
    }
    for (const value of Object.values(env)) expect(message).not.toContain(value)
    expect(message).not.toContain("hunter2")
  })

  it("SMTP_ALLOW_INSECURE only to loopback, only without credentials", () => {
    expect(
      problems({
        ...baseEnv,
        SMTP_URL: "smtp://127.0.0.1:2525",
        SMTP_ALLOW_INSECURE: "true",
        SMTP_SECRET_ID: ""
      })
    ).toEqual([])
    expect(
      problems({
        ...baseEnv,
        SMTP_URL: "smtp://relay.example.com",
        SMTP_ALLOW_INSECURE: "true",
        SMTP_SECRET_ID: ""
      })
    ).toEqual(["SMTP_ALLOW_INSECURE: only allowed with an smtp:// URL to a loopback host"])
    expect(
      problems({ ...baseEnv, SMTP_URL: "smtp://localhost:25", SMTP_ALLOW_INSECURE: "true" })
    ).toEqual([
      "SMTP_ALLOW_INSECURE: only allowed with SMTP_SECRET_ID empty (credentials never travel unencrypted)"
    ])
  })

  it("AWS_REGION is needed only to read a secret or for the default SES host", () => {
    const { AWS_REGION: _, ...noRegion } = baseEnv
    const ownRelay = {
      ...noRegion,
      SMTP_URL: "smtp://relay.example.com",
      SMTP_SECRET_ID: "",
      CAPTCHA_PROVIDER: "none"
    }
    expect(problems(ownRelay)).toEqual([])
    const required = [
      "AWS_REGION: is required (Lambda sets it) to read the secrets, for the default SMTP_URL, for QUEUE_URL, for MAIL_TRANSPORT=ses and for STORE_TABLE"
    ]
    expect(problems({ ...ownRelay, CAPTCHA_PROVIDER: "friendlycaptcha-v2" })).toEqual(required)
    expect(problems({ ...ownRelay, SMTP_SECRET_ID: "smtp-ses-credentials" })).toEqual(required)
    expect(problems({ ...ownRelay, SMTP_URL: "" })).toEqual(required)
    expect(problems({ ...ownRelay, QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/1/q" })).toEqual(
      required
    )
    expect(problems({ ...ownRelay, SPOOL_DIR: "spool" })).toEqual([])
  })

  it("SMTP_TLS_CA_FILE must be readable", () => {
    expect(problems({ ...baseEnv, SMTP_TLS_CA_FILE: "/nonexistent/ca.pem" })).toEqual([
      "SMTP_TLS_CA_FILE: cannot read this file"
    ])
  })
})

describe("the queue's variables (contract §7)", () => {
  const config = (env: Record<string, string | undefined>, runtime?: "lambda" | "server") =>
    Effect.runSync(
      Effect.result(
        readConfig(
          { ...baseEnv, ...env },
          { cwd: "/srv/app", ...(runtime === undefined ? {} : { runtime }) }
        )
      )
    )

  it("none by default; QUEUE_URL is SQS, consumed by the server unless QUEUE_CONSUMER=off", () => {
    expect(Result.getOrThrow(config({})).queue).toEqual({ kind: "none" })
    expect(Result.getOrThrow(config({ QUEUE_URL: "http://127.0.0.1:5000/123/q" })).queue).toEqual({
      kind: "sqs",
      url: "http://127.0.0.1:5000/123/q",
      timeoutMs: 3_000,
      consume: true
    })
    expect(
      Result.getOrThrow(config({ QUEUE_URL: "http://q/1/q", QUEUE_CONSUMER: "off" })).queue
    ).toMatchObject({ consume: false })
  })

  it("SPOOL_DIR is the server's: relative to its directory, with its retry settings", () => {
    expect(
      Result.getOrThrow(config({ SPOOL_DIR: "spool", SPOOL_RETRY_SECONDS: "5" })).queue
    ).toEqual({
      kind: "spool",
      dir: "/srv/app/spool",
      timeoutMs: 3_000,
      retrySeconds: 5,
      maxAgeHours: 72,
      deadDays: 14
    })
  })

  it("SPOOL_DIR is refused on Lambda and together with QUEUE_URL; bad numbers are named", () => {
    const problemsOf = (env: Record<string, string>, runtime?: "lambda" | "server") =>
      Result.match(config(env, runtime), { onFailure: (e) => e.problems, onSuccess: () => [] })
    expect(problemsOf({ SPOOL_DIR: "/var/spool/contact" }, "lambda")).toEqual([
      "SPOOL_DIR: the server's only; on Lambda, QUEUE_URL names the queue"
    ])
    expect(problemsOf({ SPOOL_DIR: "/var/spool/contact", QUEUE_URL: "https://sqs/1/q" })).toEqual([
      "SPOOL_DIR: not together with QUEUE_URL (one queue, SQS or the spool directory)"
    ])
    expect(
      problemsOf({ QUEUE_URL: "sqs://nope", QUEUE_TIMEOUT_MS: "0", QUEUE_CONSUMER: "maybe" })
    ).toEqual([
      "QUEUE_URL: must be an http(s) URL",
      "QUEUE_CONSUMER: must be on or off",
      "QUEUE_TIMEOUT_MS: must be a whole number from 1 to 30000"
    ])
  })
})

describe("the mail transport (contract §8)", () => {
  const read = (env: Record<string, string | undefined>) =>
    Effect.runSync(Effect.result(readConfig({ ...baseEnv, ...env })))
  const problemsOf = (env: Record<string, string | undefined>) =>
    Result.match(read(env), { onFailure: (e) => e.problems, onSuccess: () => [] })

  it("smtp by default; ses reads no SMTP secret, with an optional configuration set", () => {
    expect(Result.getOrThrow(read({})).transport).toEqual({ kind: "smtp" })
    const ses = Result.getOrThrow(read({ MAIL_TRANSPORT: "ses", SES_CONFIGURATION_SET: "forms" }))
    expect(ses.transport).toEqual({ kind: "ses", configurationSet: "forms" })
    expect(ses.smtp.secretId).toBeUndefined()
    expect(problemsOf({ MAIL_TRANSPORT: "ses", SMTP_SECRET_ID: "" })).toEqual([])
  })

  it("with ses, every non-empty SMTP variable is named; a configuration set without ses too", () => {
    expect(
      problemsOf({
        MAIL_TRANSPORT: "ses",
        SMTP_URL: "smtp://relay.example.com",
        SMTP_SECRET_ID: "smtp-ses-credentials",
        SMTP_ALLOW_INSECURE: "false"
      })
    ).toEqual([
      "SMTP_URL: not used with MAIL_TRANSPORT=ses (it would be ignored); leave it empty",
      "SMTP_SECRET_ID: not used with MAIL_TRANSPORT=ses (it would be ignored); leave it empty",
      "SMTP_ALLOW_INSECURE: not used with MAIL_TRANSPORT=ses (it would be ignored); leave it empty"
    ])
    expect(problemsOf({ SES_CONFIGURATION_SET: "forms" })).toEqual([
      "SES_CONFIGURATION_SET: only used with MAIL_TRANSPORT=ses"
    ])
    expect(problemsOf({ MAIL_TRANSPORT: "sendgrid" })).toEqual([
      "MAIL_TRANSPORT: must be smtp or ses"
    ])
  })
})

describe("the limits' variables (contract §9)", () => {
  const { RATE_LIMIT_PER_MINUTE: _, ...production } = baseEnv

  it("10 POSTs a minute and no trusted proxy by default; 0 turns the limit off", () => {
    expect(Result.getOrThrow(read(production))).toMatchObject({
      rateLimitPerMinute: 10,
      trustProxyHops: 0
    })
    expect(
      Result.getOrThrow(read({ ...production, RATE_LIMIT_PER_MINUTE: "0", TRUST_PROXY_HOPS: "2" }))
    ).toMatchObject({ rateLimitPerMinute: 0, trustProxyHops: 2 })
    // Empty is unset (src/config/env.ts): the default, not 0.
    expect(Result.getOrThrow(read({ ...production, RATE_LIMIT_PER_MINUTE: "" }))).toMatchObject({
      rateLimitPerMinute: 10
    })
  })

  it("names a bad value, never quoting it", () => {
    expect(
      problems({ ...production, RATE_LIMIT_PER_MINUTE: "ten", TRUST_PROXY_HOPS: "-1" })
    ).toEqual([
      "RATE_LIMIT_PER_MINUTE: must be a whole number from 0 to 10000",
      "TRUST_PROXY_HOPS: must be a whole number from 0 to 10"
    ])
  })

  it("embedded mode turns the limit off, unless the user set it", () => {
    expect(embeddedEnv({}).RATE_LIMIT_PER_MINUTE).toBe("0")
    expect(embeddedEnv({ RATE_LIMIT_PER_MINUTE: "" }).RATE_LIMIT_PER_MINUTE).toBe("0")
    expect(embeddedEnv({ RATE_LIMIT_PER_MINUTE: "5" }).RATE_LIMIT_PER_MINUTE).toBe("5")
  })
})
