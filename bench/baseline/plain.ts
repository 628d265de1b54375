// Frozen baseline: do not optimise (frozen 2026-11-27).
//
// The contact-form flow of contract §2-§6 written the straight way, without Effect: what
// a careful engineer would ship as one Lambda handler. Eager imports, configuration read
// once at module load, the SDK client and the SMTP transport built once, the same
// timeouts as the contract. The benchmark (bench/run.ts) bundles it with the app's esbuild
// options and compares our build against it. Changing it changes every ratio: leave it.
import { readFileSync } from "node:fs"
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager"
import type { Transporter } from "nodemailer"
import nodemailer from "nodemailer"
import {
  type ErrorCode,
  failure,
  type Issue,
  type Language,
  type PlainResponse,
  preflight,
  success
} from "./plain-pages.js"

export type { PlainResponse } from "./plain-pages.js"

// ---------------------------------------------------------------- configuration (contract §6)
type Provider = "friendlycaptcha-v2" | "friendlycaptcha-v1" | "none"
export interface PlainConfig {
  mailFrom: string
  mailTo: string
  successUrl: Record<Language, string>
  fallbackEmail: string
  fallbackPhone: string | undefined
  subjectPrefix: string
  allowedOrigins: readonly string[] | undefined
  maxBodyBytes: number
  captchaProvider: Provider
  captchaVerifyUrl: string
  captchaTimeoutMs: number
  captchaSecretId: string
  smtpSecretId: string
  smtpUrl: URL
  smtpAllowInsecure: boolean
  smtpCa: string | undefined
  mailTimeoutMs: number
  secretsTtlMs: number
  secretsTimeoutMs: number
  region: string
  logLevel: number
}
const levels = { debug: 10, info: 20, warn: 30, error: 40 } as const
const isLoopback = (host: string) =>
  host === "localhost" || host === "[::1]" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host)

export const loadConfig = (env: NodeJS.ProcessEnv): PlainConfig => {
  const problems: string[] = []
  const opt = (name: string) =>
    env[name] === undefined || env[name] === "" ? undefined : env[name]
  const req = (name: string) => {
    const value = opt(name)
    if (value === undefined) problems.push(`- ${name}: required`)
    return value ?? ""
  }
  const int = (name: string, fallback: number) => {
    const raw = opt(name)
    if (raw === undefined) return fallback
    const n = Number(raw)
    if (!Number.isInteger(n) || n <= 0) problems.push(`- ${name}: must be a positive integer`)
    return n
  }
  const url = (name: string, raw: string, protocols: readonly string[]) => {
    try {
      const parsed = new URL(raw)
      if (protocols.includes(parsed.protocol)) return parsed
    } catch {}
    problems.push(`- ${name}: must be a ${protocols.join(" or ")} URL`)
    return new URL("http://invalid.invalid")
  }
  const region = opt("AWS_REGION") ?? ""
  if (region === "") problems.push("- AWS_REGION: required")
  const provider = opt("CAPTCHA_PROVIDER") ?? "friendlycaptcha-v2"
  if (provider !== "friendlycaptcha-v2" && provider !== "friendlycaptcha-v1" && provider !== "none")
    problems.push("- CAPTCHA_PROVIDER: must be friendlycaptcha-v2, friendlycaptcha-v1 or none")
  const successUrl = req("SUCCESS_URL")
  if (successUrl) url("SUCCESS_URL", successUrl, ["https:", "http:"])
  const successDe = opt("SUCCESS_URL_DE")
  if (successDe) url("SUCCESS_URL_DE", successDe, ["https:", "http:"])
  const smtpUrl = url(
    "SMTP_URL",
    opt("SMTP_URL") ?? `smtps://email-smtp.${region}.amazonaws.com:465`,
    ["smtp:", "smtps:"]
  )
  const smtpSecretId = env.SMTP_SECRET_ID ?? "smtp-ses-credentials"
  const allowInsecureRaw = opt("SMTP_ALLOW_INSECURE") ?? "false"
  if (allowInsecureRaw !== "true" && allowInsecureRaw !== "false")
    problems.push("- SMTP_ALLOW_INSECURE: must be true or false")
  const smtpAllowInsecure = allowInsecureRaw === "true"
  if (smtpAllowInsecure && (!isLoopback(smtpUrl.hostname) || smtpSecretId !== ""))
    problems.push("- SMTP_ALLOW_INSECURE: only for a loopback host with SMTP_SECRET_ID empty")
  let smtpCa: string | undefined
  const caFile = opt("SMTP_TLS_CA_FILE")
  if (caFile) {
    try {
      smtpCa = readFileSync(caFile, "utf8")
    } catch {
      problems.push("- SMTP_TLS_CA_FILE: cannot be read")
    }
  }
  const logLevel = opt("LOG_LEVEL") ?? "info"
  if (!(logLevel in levels)) problems.push("- LOG_LEVEL: must be debug, info, warn or error")
  const origins = opt("ALLOWED_ORIGINS")
  const config: PlainConfig = {
    mailFrom: req("MAIL_FROM"),
    mailTo: req("MAIL_TO"),
    successUrl: { en: successUrl, de: successDe ?? successUrl },
    fallbackEmail: req("FALLBACK_EMAIL"),
    fallbackPhone: opt("FALLBACK_PHONE"),
    subjectPrefix: env.SUBJECT_PREFIX ?? "[Contact] ",
    allowedOrigins: origins?.split(",").map((o) => o.trim()),
    maxBodyBytes: int("MAX_BODY_BYTES", 65536),
    captchaProvider: provider as Provider,
    captchaVerifyUrl: url(
      "CAPTCHA_VERIFY_URL",
      opt("CAPTCHA_VERIFY_URL") ??
        (provider === "friendlycaptcha-v1"
          ? "https://api.friendlycaptcha.com/api/v1/siteverify"
          : "https://global.frcapi.com/api/v2/captcha/siteverify"),
      ["https:", "http:"]
    ).href,
    captchaTimeoutMs: int("CAPTCHA_TIMEOUT_MS", 4000),
    captchaSecretId: opt("CAPTCHA_SECRET_ID") ?? "friendlycaptcha-data",
    smtpSecretId,
    smtpUrl,
    smtpAllowInsecure,
    smtpCa,
    mailTimeoutMs: int("MAIL_TIMEOUT_MS", 10000),
    secretsTtlMs: int("SECRETS_TTL_SECONDS", 300) * 1000,
    secretsTimeoutMs: int("SECRETS_TIMEOUT_MS", 3000),
    region,
    logLevel: levels[logLevel as keyof typeof levels] ?? levels.info
  }
  if (problems.length > 0) throw new Error(`Invalid configuration:\n${problems.join("\n")}`)
  return config
}

// ---------------------------------------------------------------- services and their deps
export type CaptchaOutcome =
  | { kind: "verified" }
  | { kind: "rejected" }
  | { kind: "misconfigured"; status: number }
  | { kind: "unverified"; reason: string }
export interface MailMessage {
  from: string
  to: string
  replyTo: { name: string; address: string }
  subject: string
  text: string
}
export interface SmtpCredentials {
  user: string
  pass: string
}
export interface PlainDeps {
  /** The secret's JSON; throws when it cannot be fetched. `refresh` bypasses the cache. */
  getSecret(id: string, options?: { refresh?: boolean }): Promise<Record<string, unknown>>
  verifyCaptcha(token: string, secret: Record<string, string>): Promise<CaptchaOutcome>
  /** Throws nodemailer-shaped errors (`code`, `responseCode`). */
  sendMail(message: MailMessage, credentials: SmtpCredentials | undefined): Promise<void>
}

const log = (config: PlainConfig, level: keyof typeof levels, fields: Record<string, unknown>) => {
  if (levels[level] >= config.logLevel)
    console.log(JSON.stringify({ level, time: new Date().toISOString(), ...fields }))
}

// ---------------------------------------------------------------- request (contract §2, §3)
export interface PlainRequest {
  method: string
  headers: Record<string, string> // lower-case names
  body: Buffer | { data: string; base64: boolean } | undefined
  requestId: string
}
type Fields = [string, string][]
const known = new Set(["email", "body", "message", "subject", "name", "language", "_gotcha"])
const captchaFields = new Set(["frc-captcha-solution", "frc-captcha-response"])
const emailRe =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/
const controlRe = /[\u0000-\u001f\u007f-\u009f]/
const messageControlRe = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/
const length = (s: string) => Array.from(s).length

const qualityOf = (accept: string, type: string): number => {
  const family = `${type.split("/")[0]}/*`
  let best = 0
  let q = 0
  for (const part of accept.toLowerCase().split(",")) {
    const [range = "", ...params] = part.split(";").map((p) => p.trim())
    const rank = range === type ? 3 : range === family ? 2 : range === "*/*" ? 1 : 0
    if (rank <= best) continue
    best = rank
    const qParam = params.find((p) => p.startsWith("q="))
    q = qParam ? Number(qParam.slice(2)) || 0 : 1
  }
  return q
}
const prefersJson = (headers: Record<string, string>) => {
  const type = (headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase()
  if (type === "application/json") return true
  if ((headers["x-requested-with"] ?? "").toLowerCase() === "xmlhttprequest") return true
  const accept = headers.accept
  return accept ? qualityOf(accept, "application/json") > qualityOf(accept, "text/html") : false
}
const languageOf = (headers: Record<string, string>): Language => {
  const tags = (headers["accept-language"] ?? "")
    .split(",")
    .map((part) => {
      const [tag = "", ...params] = part.split(";").map((p) => p.trim().toLowerCase())
      const qParam = params.find((p) => p.startsWith("q="))
      return { tag: tag.split("-")[0], q: qParam ? Number(qParam.slice(2)) || 0 : 1 }
    })
    .filter((t) => t.q > 0)
    .sort((a, b) => b.q - a.q)
  const hit = tags.find((t) => t.tag === "en" || t.tag === "de")
  return (hit?.tag as Language | undefined) ?? "en"
}

const parseBody = async (type: string, contentType: string, raw: Buffer): Promise<Fields> => {
  if (type === "application/x-www-form-urlencoded")
    return [...new URLSearchParams(raw.toString("utf8")).entries()]
  if (type === "application/json") {
    const value: unknown = JSON.parse(raw.toString("utf8"))
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error()
    const entries = Object.entries(value)
    if (!entries.every((e): e is [string, string] => typeof e[1] === "string")) throw new Error()
    return entries
  }
  const form = await new Response(new Uint8Array(raw), {
    headers: { "content-type": contentType }
  }).formData()
  const fields: Fields = []
  for (const [name, value] of form.entries()) {
    if (typeof value !== "string") throw new FileFieldError()
    fields.push([name, value])
  }
  return fields
}
class FileFieldError extends Error {}

interface Submission {
  email: string
  message: string
  subject: string | undefined
  name: string | undefined
  language: Language
  token: string | undefined
  extras: [string, string][]
}
const validate = (
  fields: Fields,
  config: PlainConfig
): { ok: true; value: Submission } | { ok: false; issues: Issue[] } => {
  const issues: Issue[] = []
  const single = new Map<string, string>()
  const extras = new Map<string, string[]>()
  const tokenField =
    config.captchaProvider === "friendlycaptcha-v1"
      ? "frc-captcha-solution"
      : config.captchaProvider === "friendlycaptcha-v2"
        ? "frc-captcha-response"
        : ""
  for (const [name, value] of fields) {
    if (known.has(name) || captchaFields.has(name)) {
      if (single.has(name)) issues.push({ field: name, kind: "duplicate" })
      single.set(name, value)
    } else if (value !== "") {
      const list = extras.get(name) ?? []
      list.push(value)
      extras.set(name, list)
      if (length(value) > 2000) issues.push({ field: name, kind: "too_long" })
    }
  }
  if (extras.size > 20) issues.push({ field: "_body", kind: "too_many_fields" })
  const present = (name: string) => {
    const v = single.get(name)
    return v === undefined || v === "" ? undefined : v
  }
  const email = present("email")
  if (email === undefined) issues.push({ field: "email", kind: "required" })
  else if (length(email) > 254) issues.push({ field: "email", kind: "too_long" })
  else if (!emailRe.test(email)) issues.push({ field: "email", kind: "invalid_email" })
  const messageField =
    present("body") !== undefined || present("message") === undefined ? "body" : "message"
  const message = present(messageField)
  if (message === undefined) issues.push({ field: messageField, kind: "required" })
  else if (message.trim() === "") issues.push({ field: messageField, kind: "blank" })
  else if (length(message) > 10000) issues.push({ field: messageField, kind: "too_long" })
  else if (messageControlRe.test(message))
    issues.push({ field: messageField, kind: "control_characters" })
  for (const field of ["subject", "name"]) {
    const v = present(field)
    if (v !== undefined && length(v) > 200) issues.push({ field, kind: "too_long" })
    else if (v !== undefined && controlRe.test(v)) issues.push({ field, kind: "one_line" })
  }
  if (issues.length > 0) return { ok: false, issues }
  const lang = present("language")?.toLowerCase()
  return {
    ok: true,
    value: {
      email: email ?? "",
      message: message ?? "",
      subject: present("subject"),
      name: present("name"),
      language: lang === "de" || lang === "en" ? lang : "en",
      token: tokenField ? present(tokenField) : undefined,
      extras: [...extras].map(([name, values]) => [name, values.join(", ")])
    }
  }
}

// ---------------------------------------------------------------- the flow
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const withDeadline = <A>(promise: Promise<A>, ms: number): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
interface MailError {
  code?: string
  responseCode?: number
}
const isTransient = (e: MailError) =>
  (e.responseCode !== undefined && e.responseCode >= 400 && e.responseCode < 500) ||
  (e.responseCode === undefined &&
    ["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS", "ETLS"].includes(e.code ?? ""))
const isAuthFailure = (e: MailError) => e.responseCode === 535 || e.code === "EAUTH"

const smtpCredentials = async (deps: PlainDeps, config: PlainConfig, refresh: boolean) => {
  if (config.smtpSecretId === "") return undefined
  const secret = await deps.getSecret(config.smtpSecretId, { refresh })
  const { SMTP_USERNAME: user, SMTP_PASSWORD: pass } = secret
  if (typeof user !== "string" || typeof pass !== "string" || !user || !pass)
    throw new Error("malformed SMTP secret")
  return { user, pass }
}

// Delivery with the contract §5 policy: the whole of it within MAIL_TIMEOUT_MS, transient
// failures retried twice with backoff, one secret refresh on an authentication failure.
const deliver = async (deps: PlainDeps, config: PlainConfig, message: MailMessage) => {
  const deadline = Date.now() + config.mailTimeoutMs
  let credentials: SmtpCredentials | undefined
  try {
    credentials = await smtpCredentials(deps, config, false)
  } catch {
    return "secret_unavailable"
  }
  let refreshed = false
  for (let retries = 0; ; ) {
    const remaining = deadline - Date.now()
    if (remaining <= 0) return "timeout"
    try {
      await withDeadline(deps.sendMail(message, credentials), remaining)
      return undefined
    } catch (cause) {
      const e = cause as MailError
      if (isAuthFailure(e) && !refreshed && config.smtpSecretId !== "") {
        refreshed = true
        try {
          credentials = await smtpCredentials(deps, config, true)
        } catch {
          return "secret_unavailable"
        }
        continue
      }
      if (!isTransient(e) || retries >= 2) return e.responseCode ? `smtp_${e.responseCode}` : "smtp"
      const backoff = 250 * 2 ** retries++
      if (Date.now() + backoff >= deadline) return "timeout"
      await sleep(backoff)
    }
  }
}

const captchaSecretKeys = {
  "friendlycaptcha-v1": ["FRIENDLYCAPTCHA_SITEKEY", "FRIENDLYCAPTCHA_SECRET"],
  "friendlycaptcha-v2": ["FRIENDLYCAPTCHA_SITEKEY", "FRIENDLYCAPTCHA_API_KEY"]
} as const
const checkCaptcha = async (
  deps: PlainDeps,
  config: PlainConfig,
  token: string
): Promise<CaptchaOutcome> => {
  if (config.captchaProvider === "none") return { kind: "verified" }
  let secret: Record<string, string>
  try {
    const raw = await deps.getSecret(config.captchaSecretId)
    secret = {}
    for (const key of captchaSecretKeys[config.captchaProvider]) {
      const value = raw[key]
      if (typeof value !== "string" || value === "") throw new Error("malformed captcha secret")
      secret[key] = value
    }
  } catch {
    return { kind: "unverified", reason: "secret_unavailable" }
  }
  return deps.verifyCaptcha(token, secret)
}

export const createApp = (deps: PlainDeps, config: PlainConfig = loadedConfig) => {
  return async (req: PlainRequest): Promise<PlainResponse> => {
    const h = req.headers
    const origin = h.origin
    let cors: Record<string, string> = {}
    if (config.allowedOrigins === undefined) cors = { "access-control-allow-origin": "*" }
    else if (origin !== undefined && config.allowedOrigins.includes(origin))
      cors = { "access-control-allow-origin": origin, vary: "Origin" }
    const ctx = {
      language: languageOf(h),
      json: prefersJson(h),
      cors,
      fallbackEmail: config.fallbackEmail,
      fallbackPhone: config.fallbackPhone
    }
    const outcome = (name: string, fields: Record<string, unknown> = {}) =>
      log(config, name === "delivery_failed" ? "error" : "info", {
        msg: "submission",
        requestId: req.requestId,
        outcome: name,
        ...fields
      })
    if (origin !== undefined && config.allowedOrigins && !config.allowedOrigins.includes(origin))
      return failure("origin_not_allowed", ctx)
    if (req.method === "OPTIONS") return preflight(cors)
    if (req.method !== "POST") return failure("method_not_allowed", ctx)
    const contentType = h["content-type"] ?? ""
    const type = contentType.split(";")[0]?.trim().toLowerCase() ?? ""
    if (
      type !== "application/x-www-form-urlencoded" &&
      type !== "multipart/form-data" &&
      type !== "application/json"
    )
      return failure("unsupported_media_type", ctx)
    const invalid = (issues: Issue[]) => {
      outcome("invalid_form")
      return failure("invalid_form", ctx, issues)
    }
    let raw: Buffer
    if (req.body === undefined) raw = Buffer.alloc(0)
    else if (Buffer.isBuffer(req.body)) raw = req.body
    else if (!req.body.base64) raw = Buffer.from(req.body.data, "utf8")
    else if (/^[A-Za-z0-9+/]*={0,2}$/.test(req.body.data) && req.body.data.length % 4 === 0)
      raw = Buffer.from(req.body.data, "base64")
    else return invalid([{ field: "_body", kind: "invalid_body" }])
    if (raw.length > config.maxBodyBytes) return failure("payload_too_large", ctx)
    let fields: Fields
    try {
      fields = await parseBody(type, contentType, raw)
    } catch (e) {
      const kind = e instanceof FileFieldError ? "file_not_allowed" : "invalid_body"
      return invalid([{ field: "_body", kind }])
    }
    const lang = fields.find(([n]) => n === "language")?.[1].toLowerCase()
    const page = { ...ctx, language: lang === "de" || lang === "en" ? lang : ctx.language }
    const done = (language: Language) => success(ctx.json, config.successUrl[language], cors)
    if (fields.some(([name, value]) => name === "_gotcha" && value !== "")) {
      outcome("honeypot")
      return done(page.language)
    }
    const checked = validate(fields, config)
    if (!checked.ok) {
      const subject = fields.find(([n]) => n === "subject")?.[1]
      const message = fields.find(([n]) => n === "body" || n === "message")?.[1]
      outcome("invalid_form")
      return failure("invalid_form", { ...page, subject, message }, checked.issues)
    }
    const form = checked.value
    const shown = { ...page, subject: form.subject, message: form.message }
    const fail = (code: ErrorCode, reason: string) => {
      outcome(code, { reason })
      return failure(code, shown)
    }
    const token = form.token
    if (config.captchaProvider !== "none" && (token === undefined || token.startsWith(".")))
      return fail("captcha_failed", "missing")
    const captcha = await checkCaptcha(deps, config, token ?? "")
    if (captcha.kind === "rejected") return fail("captcha_failed", "rejected")
    if (captcha.kind === "misconfigured")
      return fail("delivery_failed", `captcha_${captcha.status}`)
    if (captcha.kind === "unverified")
      log(config, "warn", { msg: "captcha not verified", requestId: req.requestId, ...captcha })
    const verdict =
      config.captchaProvider === "none"
        ? "disabled"
        : captcha.kind === "verified"
          ? "verified"
          : `NOT verified (${captcha.reason})`
    const footer = [
      ...(form.name ? [`Name: ${form.name}`] : []),
      `Email: ${form.email}`,
      `Language: ${form.language}`,
      ...form.extras.map(([name, value]) => `${name}: ${value}`),
      `Captcha: ${verdict}`
    ]
    const failed = await deliver(deps, config, {
      from: config.mailFrom,
      to: config.mailTo,
      replyTo: { name: form.name ?? "", address: form.email },
      subject: `${config.subjectPrefix}${captcha.kind === "unverified" ? "[unverified] " : ""}${form.subject ?? "Contact form message"}`,
      text: `${form.message}\n\n--\n${footer.join("\n")}\n`
    })
    if (failed !== undefined) return fail("delivery_failed", failed)
    outcome("sent", captcha.kind === "unverified" ? { captcha: captcha.reason } : {})
    return done(form.language)
  }
}

// ---------------------------------------------------------------- Lambda adapter
export interface ApiGatewayEvent {
  version?: string
  httpMethod?: string
  headers?: Record<string, string | undefined> | null
  body?: string | null
  isBase64Encoded?: boolean
  requestContext?: { requestId?: string; http?: { method?: string } }
}
export const createHandler = (deps: PlainDeps, config: PlainConfig = loadedConfig) => {
  const app = createApp(deps, config)
  return (event: ApiGatewayEvent): Promise<PlainResponse> => {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(event.headers ?? {}))
      if (value !== undefined) headers[name.toLowerCase()] = value
    return app({
      method: (event.requestContext?.http?.method ?? event.httpMethod ?? "GET").toUpperCase(),
      headers,
      body:
        event.body === undefined || event.body === null
          ? undefined
          : { data: event.body, base64: event.isBase64Encoded === true },
      requestId: event.requestContext?.requestId ?? "-"
    })
  }
}

// ---------------------------------------------------------------- live dependencies
const loadedConfig = loadConfig(process.env)

// maxAttempts 2 and an abort signal keep one fetch, retries included, within SECRETS_TIMEOUT_MS.
const secretsClient = new SecretsManagerClient({
  region: loadedConfig.region,
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1000, requestTimeout: loadedConfig.secretsTimeoutMs }
})
const secretCache = new Map<string, { value: Record<string, unknown>; expires: number }>()
const secretsInFlight = new Map<string, Promise<Record<string, unknown>>>()
const getSecret = (id: string, options?: { refresh?: boolean }) => {
  const cached = secretCache.get(id)
  if (cached && cached.expires > Date.now() && !options?.refresh)
    return Promise.resolve(cached.value)
  const pending = secretsInFlight.get(id)
  if (pending) return pending
  const fetching = secretsClient
    .send(new GetSecretValueCommand({ SecretId: id }), {
      abortSignal: AbortSignal.timeout(loadedConfig.secretsTimeoutMs)
    })
    .then((out) => {
      const value: unknown = JSON.parse(out.SecretString ?? "")
      if (typeof value !== "object" || value === null) throw new Error("secret is not an object")
      const record = value as Record<string, unknown>
      secretCache.set(id, { value: record, expires: Date.now() + loadedConfig.secretsTtlMs })
      return record
    })
    .finally(() => secretsInFlight.delete(id))
  secretsInFlight.set(id, fetching)
  return fetching
}

const verifyCaptcha = async (token: string, secret: Record<string, string>) => {
  const v1 = loadedConfig.captchaProvider === "friendlycaptcha-v1"
  let status: number
  let payload: unknown
  try {
    const response = await fetch(loadedConfig.captchaVerifyUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...(v1 ? {} : { "x-api-key": secret.FRIENDLYCAPTCHA_API_KEY ?? "" })
      },
      body: JSON.stringify(
        v1
          ? {
              solution: token,
              secret: secret.FRIENDLYCAPTCHA_SECRET,
              sitekey: secret.FRIENDLYCAPTCHA_SITEKEY
            }
          : { response: token, sitekey: secret.FRIENDLYCAPTCHA_SITEKEY }
      ),
      signal: AbortSignal.timeout(loadedConfig.captchaTimeoutMs)
    })
    status = response.status
    if (status === 400 || status === 401 || status === 403) {
      await response.body?.cancel()
      return { kind: "misconfigured", status } as const
    }
    if (status !== 200) {
      await response.body?.cancel()
      return { kind: "unverified", reason: `http_${status}` } as const
    }
    payload = await response.json().catch((e: unknown) => {
      if (e instanceof Error && e.name === "TimeoutError") throw e
      return undefined
    })
  } catch (e) {
    const timedOut = e instanceof Error && e.name === "TimeoutError"
    return { kind: "unverified", reason: timedOut ? "timeout" : "unreachable" } as const
  }
  const ok =
    typeof payload === "object" && payload !== null
      ? (payload as { success?: unknown }).success
      : undefined
  if (typeof ok !== "boolean") return { kind: "unverified", reason: "invalid_response" } as const
  return ok ? ({ kind: "verified" } as const) : ({ kind: "rejected" } as const)
}

// One transport per credentials: rebuilt only when a rotated secret brings new ones.
let transport: { key: string; transporter: Transporter } | undefined
const transportFor = (credentials: SmtpCredentials | undefined) => {
  const key = credentials ? `${credentials.user}\u0000${credentials.pass}` : ""
  if (transport?.key === key) return transport.transporter
  transport?.transporter.close()
  const url = loadedConfig.smtpUrl
  const secure = url.protocol === "smtps:"
  const transporter = nodemailer.createTransport({
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS: !secure && !loadedConfig.smtpAllowInsecure,
    tls: {
      minVersion: "TLSv1.2",
      ...(loadedConfig.smtpCa ? { ca: loadedConfig.smtpCa } : {})
    },
    ...(credentials ? { auth: credentials } : {}),
    // Each step stays well inside MAIL_TIMEOUT_MS so that a retry still fits.
    connectionTimeout: 3000,
    greetingTimeout: 3000,
    socketTimeout: 5000,
    dnsTimeout: 2000,
    disableFileAccess: true,
    disableUrlAccess: true
  })
  transport = { key, transporter }
  return transporter
}
const sendMail = async (message: MailMessage, credentials: SmtpCredentials | undefined) => {
  await transportFor(credentials).sendMail(message)
}

export const liveDeps: PlainDeps = { getSecret, verifyCaptcha, sendMail }
export const handler = createHandler(liveDeps)
