/**
 * The one configuration object (SPEC section 6), read once from the environment and
 * validated together, so that a bad start lists every problem at once and never a value.
 */
import { readFileSync } from "node:fs"
import { isIP } from "node:net"
import { resolve } from "node:path"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import addressparser from "nodemailer/lib/addressparser"
import { defaultLanguage, languages } from "./pages/strings"

export type CaptchaProvider = "friendlycaptcha-v2" | "friendlycaptcha-v1" | "none"

export interface Mailbox {
  readonly name: string
  readonly address: string
}

export interface AppConfig {
  readonly mailFrom: Mailbox
  readonly mailTo: ReadonlyArray<Mailbox>
  readonly subjectPrefix: string
  /** The success URL of each language; `default` for the others. */
  readonly successUrl: {
    readonly default: string
    readonly byLanguage: Readonly<Record<string, string>>
  }
  readonly fallback: { readonly email: string; readonly phone: string | undefined }
  /** `undefined`: every origin (`*`). */
  readonly allowedOrigins: ReadonlyArray<string> | undefined
  readonly maxBodyBytes: number
  readonly logLevel: LogLevel.LogLevel
  readonly captcha: {
    readonly provider: CaptchaProvider
    readonly verifyUrl: string
    readonly timeoutMs: number
    readonly secretId: string
  }
  readonly secrets: {
    /** Needed only when a secret is read or SMTP_URL is left to its SES default. */
    readonly region: string | undefined
    readonly ttlSeconds: number
    readonly timeoutMs: number
  }
  readonly smtp: {
    readonly host: string
    readonly port: number
    /** `smtps://`: TLS from the first byte; otherwise STARTTLS (required unless insecure). */
    readonly implicitTls: boolean
    readonly allowInsecure: boolean
    readonly ca: Redacted.Redacted<string> | undefined
    /** `undefined`: no authentication (a local relay). */
    readonly secretId: string | undefined
    readonly timeoutMs: number
  }
}

export class AppConfigTag extends Context.Tag("contact-form/AppConfig")<
  AppConfigTag,
  AppConfig
>() {}

export class ConfigInvalid extends Data.TaggedError("ConfigInvalid")<{
  readonly problems: ReadonlyArray<string>
}> {
  override get message(): string {
    return ["Invalid configuration:", ...this.problems.map((p) => `- ${p}`)].join("\n")
  }
}

// ---------------------------------------------------------------------------------------
// Readers. Every failure message is ours: Effect's own messages quote the value.

const invalid = (reason: string): Either.Either<never, ConfigError.ConfigError> =>
  Either.left(ConfigError.InvalidData([], reason))

const parsed = <A>(
  name: string,
  parse: (raw: string) => Either.Either<A, ConfigError.ConfigError>
) => Config.string(name).pipe(Config.mapOrFail(parse))

const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> =>
  Config.option(config).pipe(Config.map(Option.getOrUndefined))

const positiveInt = (name: string, fallback: number, max = 600_000) =>
  parsed(name, (raw) => {
    const n = Number(raw)
    return /^\d+$/.test(raw) && n > 0 && n <= max
      ? Either.right(n)
      : invalid(`must be a whole number from 1 to ${max}`)
  }).pipe(Config.withDefault(fallback))

const emailPattern = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/

const mailboxes = (raw: string): ReadonlyArray<Mailbox> =>
  addressparser(raw, { flatten: true }).map((a) => ({ name: a.name, address: a.address }))

const mailbox = (name: string) =>
  parsed(name, (raw) => {
    const list = mailboxes(raw)
    const [first] = list
    return list.length === 1 && first !== undefined && emailPattern.test(first.address)
      ? Either.right(first)
      : invalid("must be one address, `name@example.com` or `Name <name@example.com>`")
  })

const mailboxList = (name: string) =>
  parsed(name, (raw) => {
    const list = mailboxes(raw)
    return list.length > 0 && list.every((m) => emailPattern.test(m.address))
      ? Either.right(list)
      : invalid("must be one or more comma-separated addresses")
  })

const absoluteUrl = (raw: string, schemes: ReadonlyArray<string>): boolean => {
  try {
    return schemes.includes(new URL(raw).protocol)
  } catch {
    return false
  }
}

const successUrl = (name: string) =>
  parsed(name, (raw) =>
    absoluteUrl(raw, ["https:", "http:"]) || /^\/(?!\/)/.test(raw)
      ? Either.right(raw)
      : invalid("must be an absolute http(s) URL or a path starting with /")
  )

const origins = parsed("ALLOWED_ORIGINS", (raw) => {
  const list = raw
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o !== "")
  const normalised = list.map((o) => {
    try {
      const url = new URL(o)
      return (url.protocol === "https:" || url.protocol === "http:") &&
        url.origin === o.replace(/\/$/, "")
        ? url.origin
        : undefined
    } catch {
      return undefined
    }
  })
  return list.length > 0 && normalised.every((o) => o !== undefined)
    ? Either.right(normalised.filter((o): o is string => o !== undefined))
    : invalid("must be comma-separated origins such as https://www.example.com")
})

const logLevels: Readonly<Record<string, LogLevel.LogLevel>> = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  error: LogLevel.Error
}

const captchaDefaults: Readonly<Record<CaptchaProvider, string>> = {
  "friendlycaptcha-v2": "https://global.frcapi.com/api/v2/captcha/siteverify",
  "friendlycaptcha-v1": "https://api.friendlycaptcha.com/api/v1/siteverify",
  none: ""
}

const isLoopback = (host: string): boolean =>
  host === "localhost" || (isIP(host) === 4 && host.startsWith("127.")) || host === "[::1]"

const readCa = (
  path: string
): Either.Either<Redacted.Redacted<string>, ConfigError.ConfigError> => {
  try {
    return Either.right(Redacted.make(readFileSync(path, "utf8")))
  } catch {
    return invalid("cannot read this file")
  }
}

const languageSuccessUrls: Record<string, Config.Config<string | undefined>> = Object.fromEntries(
  languages.map((lang) => [lang, optional(successUrl(`SUCCESS_URL_${lang.toUpperCase()}`))])
)

const raw = Config.all({
  mailFrom: mailbox("MAIL_FROM"),
  mailTo: mailboxList("MAIL_TO"),
  subjectPrefix: Config.string("SUBJECT_PREFIX").pipe(
    Config.mapOrFail((s) => (/[\r\n]/.test(s) ? invalid("must be one line") : Either.right(s))),
    Config.withDefault("[Contact] ")
  ),
  successUrl: successUrl("SUCCESS_URL"),
  successUrls: Config.all(languageSuccessUrls),
  fallbackEmail: parsed("FALLBACK_EMAIL", (raw) =>
    emailPattern.test(raw) ? Either.right(raw) : invalid("must be an email address")
  ),
  fallbackPhone: optional(
    parsed("FALLBACK_PHONE", (raw) =>
      /^[0-9+()./ -]{3,40}$/.test(raw)
        ? Either.right(raw)
        : invalid("must be a phone number (digits, spaces, + ( ) - . /)")
    )
  ),
  allowedOrigins: optional(origins),
  maxBodyBytes: positiveInt("MAX_BODY_BYTES", 65_536, 6_000_000),
  logLevel: parsed("LOG_LEVEL", (raw) =>
    logLevels[raw] ? Either.right(logLevels[raw]) : invalid("must be debug, info, warn or error")
  ).pipe(Config.withDefault(LogLevel.Info)),
  captchaProvider: parsed("CAPTCHA_PROVIDER", (raw) =>
    Object.hasOwn(captchaDefaults, raw)
      ? Either.right(raw as CaptchaProvider)
      : invalid("must be friendlycaptcha-v2, friendlycaptcha-v1 or none")
  ).pipe(Config.withDefault<CaptchaProvider>("friendlycaptcha-v2")),
  captchaVerifyUrl: optional(
    parsed("CAPTCHA_VERIFY_URL", (raw) =>
      absoluteUrl(raw, ["https:", "http:"]) ? Either.right(raw) : invalid("must be an http(s) URL")
    )
  ),
  captchaTimeoutMs: positiveInt("CAPTCHA_TIMEOUT_MS", 4_000, 30_000),
  captchaSecretId: Config.string("CAPTCHA_SECRET_ID").pipe(
    Config.withDefault("friendlycaptcha-data")
  ),
  region: optional(
    parsed("AWS_REGION", (raw) =>
      /^[a-z]{2}(-[a-z]+)+-\d+$/.test(raw) ? Either.right(raw) : invalid("must be an AWS region")
    )
  ),
  secretsTtlSeconds: positiveInt("SECRETS_TTL_SECONDS", 300, 86_400),
  secretsTimeoutMs: positiveInt("SECRETS_TIMEOUT_MS", 3_000, 30_000),
  smtpUrl: optional(
    parsed("SMTP_URL", (raw) => {
      try {
        const url = new URL(raw)
        return (url.protocol === "smtp:" || url.protocol === "smtps:") &&
          url.hostname !== "" &&
          url.username === "" &&
          url.password === ""
          ? Either.right(url)
          : invalid("must be smtp://host[:port] or smtps://host[:port], without credentials")
      } catch {
        return invalid("must be smtp://host[:port] or smtps://host[:port]")
      }
    })
  ),
  smtpAllowInsecure: parsed("SMTP_ALLOW_INSECURE", (raw) =>
    raw === "true" || raw === "false"
      ? Either.right(raw === "true")
      : invalid("must be true or false")
  ).pipe(Config.withDefault(false)),
  smtpCa: optional(parsed("SMTP_TLS_CA_FILE", readCa)),
  // Set but empty means "no SMTP authentication"; see envProvider.
  smtpSecretId: Config.string("SMTP_SECRET_ID").pipe(Config.withDefault("smtp-ses-credentials")),
  mailTimeoutMs: positiveInt("MAIL_TIMEOUT_MS", 10_000, 60_000)
})

/** Checks across variables, once each one decoded. */
const crossChecks = (c: Effect.Effect.Success<typeof raw>) => {
  const problems: Array<string> = []
  const secretId = c.smtpSecretId === "" ? undefined : c.smtpSecretId
  const smtpUrl =
    c.smtpUrl ?? new URL(`smtps://email-smtp.${c.region ?? "us-east-1"}.amazonaws.com:465`)
  const implicitTls = smtpUrl.protocol === "smtps:"
  if (c.smtpAllowInsecure) {
    if (implicitTls || !isLoopback(smtpUrl.hostname)) {
      problems.push("SMTP_ALLOW_INSECURE: only allowed with an smtp:// URL to a loopback host")
    }
    if (secretId !== undefined) {
      problems.push(
        "SMTP_ALLOW_INSECURE: only allowed with SMTP_SECRET_ID empty (credentials never travel unencrypted)"
      )
    }
  }
  const config: AppConfig = {
    mailFrom: c.mailFrom,
    mailTo: c.mailTo,
    subjectPrefix: c.subjectPrefix,
    successUrl: {
      default: c.successUrl,
      byLanguage: Object.fromEntries(
        Object.entries(c.successUrls).flatMap(([lang, url]) =>
          url === undefined ? [] : [[lang, url]]
        )
      )
    },
    fallback: { email: c.fallbackEmail, phone: c.fallbackPhone },
    allowedOrigins: c.allowedOrigins,
    maxBodyBytes: c.maxBodyBytes,
    logLevel: c.logLevel,
    captcha: {
      provider: c.captchaProvider,
      verifyUrl: c.captchaVerifyUrl ?? captchaDefaults[c.captchaProvider],
      timeoutMs: c.captchaTimeoutMs,
      secretId: c.captchaSecretId
    },
    secrets: { region: c.region, ttlSeconds: c.secretsTtlSeconds, timeoutMs: c.secretsTimeoutMs },
    smtp: {
      host: smtpUrl.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: Number(smtpUrl.port || (implicitTls ? 465 : 587)),
      implicitTls,
      allowInsecure: c.smtpAllowInsecure,
      ca: c.smtpCa,
      secretId,
      timeoutMs: c.mailTimeoutMs
    }
  }
  return { config, problems }
}

const describe = (error: ConfigError.ConfigError): ReadonlyArray<string> =>
  ConfigError.reduceWithContext(error, undefined, {
    andCase: (_, left: ReadonlyArray<string>, right: ReadonlyArray<string>) => [...left, ...right],
    orCase: (_, left: ReadonlyArray<string>, right: ReadonlyArray<string>) => [...left, ...right],
    invalidDataCase: (_, path, message) => [`${path.join(".")}: ${message}`],
    missingDataCase: (_, path) => [`${path.join(".")}: is required`],
    sourceUnavailableCase: (_, path) => [`${path.join(".")}: could not be read`],
    unsupportedCase: (_, path) => [`${path.join(".")}: is not supported`]
  })

/**
 * The environment as a provider. An empty variable counts as unset (deployment tools
 * often pass ""), except SMTP_SECRET_ID, where empty explicitly means "no SMTP auth".
 */
const envProvider = (env: Readonly<Record<string, string | undefined>>) =>
  ConfigProvider.fromMap(
    new Map(
      Object.entries(env).flatMap(([key, value]) =>
        value === undefined || (value === "" && key !== "SMTP_SECRET_ID") ? [] : [[key, value]]
      )
    )
  )

/** Decodes the whole configuration from `env`, or fails with every problem found. */
/**
 * AWS_REGION is needed to read a secret or to name the default SES host; a plain server
 * with its own relay, no SMTP secret and no captcha never talks to AWS. Read from the raw
 * environment so that it is listed even when other variables fail to decode.
 */
const regionProblems = (
  env: Readonly<Record<string, string | undefined>>
): ReadonlyArray<string> => {
  const set = (name: string) => env[name] !== undefined && env[name] !== ""
  const readsSecret = env.SMTP_SECRET_ID !== "" || (env.CAPTCHA_PROVIDER ?? "") !== "none"
  return !set("AWS_REGION") && (readsSecret || !set("SMTP_URL"))
    ? ["AWS_REGION: is required (Lambda sets it) to read the secrets and for the default SMTP_URL"]
    : []
}

export const readConfig = (
  env: Readonly<Record<string, string | undefined>>
): Effect.Effect<AppConfig, ConfigInvalid> =>
  Effect.withConfigProvider(Config.map(raw, crossChecks), envProvider(env)).pipe(
    Effect.either,
    Effect.flatMap((decoded) => {
      const problems = [
        ...(Either.isLeft(decoded) ? describe(decoded.left) : decoded.right.problems),
        ...regionProblems(env)
      ]
      return problems.length === 0 && Either.isRight(decoded)
        ? Effect.succeed(decoded.right.config)
        : Effect.fail(new ConfigInvalid({ problems }))
    })
  )

// =======================================================================================
// The Node server only (src/server.ts): its mode, its own settings and the local
// configuration of embedded mode. The Lambda handler never reads any of this.

/** SPEC section 1: one of these set (non-empty) means production mode. */
export const productionVariables = [
  "MAIL_FROM",
  "MAIL_TO",
  "SMTP_URL",
  "SUCCESS_URL",
  "FALLBACK_EMAIL"
] as const

export type ServerMode = "embedded" | "production"

export const serverMode = (env: Readonly<Record<string, string | undefined>>): ServerMode =>
  productionVariables.some((name) => (env[name] ?? "") !== "") ? "production" : "embedded"

export interface ServerSettings {
  /** 0: a free port chosen by the OS (tests). */
  readonly port: number
  readonly host: string
  /** Where embedded mode saves each mail as an `.eml` file; absolute. */
  readonly outboxDir: string
}

const serverSettings = Config.all({
  port: parsed("PORT", (raw) =>
    /^\d{1,5}$/.test(raw) && Number(raw) <= 65_535
      ? Either.right(Number(raw))
      : invalid("must be a port number from 0 to 65535 (0: a free port chosen by the OS)")
  ).pipe(Config.withDefault(3_000)),
  host: parsed("HOST", (raw) =>
    /^[A-Za-z0-9.:-]+$/.test(raw)
      ? Either.right(raw)
      : invalid("must be a host name or an IP address, such as 127.0.0.1 or 0.0.0.0")
  ).pipe(Config.withDefault("127.0.0.1")),
  outboxDir: Config.string("OUTBOX_DIR").pipe(Config.withDefault("outbox"))
})

/** PORT, HOST and OUTBOX_DIR (relative to `cwd`), or every problem found. */
export const readServerSettings = (
  env: Readonly<Record<string, string | undefined>>,
  cwd: string
): Effect.Effect<ServerSettings, ConfigInvalid> =>
  Effect.withConfigProvider(serverSettings, envProvider(env)).pipe(
    Effect.map((s) => ({ ...s, outboxDir: resolve(cwd, s.outboxDir) })),
    Effect.mapError((error) => new ConfigInvalid({ problems: describe(error) }))
  )

/**
 * Embedded mode's environment: the visitor-independent local values of SPEC section 1
 * over the user's own (LOG_LEVEL, SUBJECT_PREFIX, ALLOWED_ORIGINS, ... still apply).
 * The addresses use the reserved `.localhost` domain: MAIL_FROM and FALLBACK_EMAIL must
 * have a dotted domain. `ownOrigins` (the server's own, SPEC section 3) are added to a
 * user's ALLOWED_ORIGINS; without it every origin is allowed anyway.
 */
export const embeddedEnv = (
  env: Readonly<Record<string, string | undefined>>,
  local: { readonly smtpPort: number; readonly ownOrigins: ReadonlyArray<string> }
): Readonly<Record<string, string | undefined>> => {
  const allowed = env.ALLOWED_ORIGINS ?? ""
  return {
    ...env,
    MAIL_FROM: "Contact form <noreply@contact-form.localhost>",
    MAIL_TO: "Site owner <owner@contact-form.localhost>",
    SUCCESS_URL: "/sent",
    // SUCCESS_URL_DE=/sent?lang=de, and so on for every other language.
    ...Object.fromEntries(
      languages
        .filter((lang) => lang !== defaultLanguage)
        .map((lang) => [`SUCCESS_URL_${lang.toUpperCase()}`, `/sent?lang=${lang}`])
    ),
    FALLBACK_EMAIL: "owner@contact-form.localhost",
    CAPTCHA_PROVIDER: "none",
    SMTP_URL: `smtp://127.0.0.1:${local.smtpPort}`,
    // Plain SMTP to loopback without authentication, as SPEC section 5 permits.
    SMTP_ALLOW_INSECURE: "true",
    SMTP_SECRET_ID: "",
    SMTP_TLS_CA_FILE: undefined,
    ...(allowed.trim() === "" ? {} : { ALLOWED_ORIGINS: [allowed, ...local.ownOrigins].join(",") })
  }
}
