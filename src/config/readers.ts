/**
 * One reader per kind of variable. Every failure message is ours and names the rule, never
 * the value (Effect's own messages quote it).
 */
import { readFileSync } from "node:fs"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import addressparser from "nodemailer/lib/addressparser"
import type { Mailbox } from "../domain/contact"

export const invalid = (reason: string): Either.Either<never, ConfigError.ConfigError> =>
  Either.left(ConfigError.InvalidData([], reason))

export const parsed = <A>(
  name: string,
  parse: (raw: string) => Either.Either<A, ConfigError.ConfigError>
) => Config.string(name).pipe(Config.mapOrFail(parse))

export const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> =>
  Config.option(config).pipe(Config.map(Option.getOrUndefined))

export const positiveInt = (name: string, fallback: number, max = 600_000) =>
  parsed(name, (raw) => {
    const n = Number(raw)
    return /^\d+$/.test(raw) && n > 0 && n <= max
      ? Either.right(n)
      : invalid(`must be a whole number from 1 to ${max}`)
  }).pipe(Config.withDefault(fallback))

export const boolean = (name: string) =>
  parsed(name, (raw) =>
    raw === "true" || raw === "false"
      ? Either.right(raw === "true")
      : invalid("must be true or false")
  ).pipe(Config.withDefault(false))

/** One of `choices`, by its exact spelling. */
export const oneOf = <const A extends string>(name: string, choices: ReadonlyArray<A>) =>
  parsed(name, (raw) => {
    const choice = choices.find((c) => c === raw)
    return choice === undefined ? invalid(`must be ${orList(choices)}`) : Either.right(choice)
  })

const orList = (choices: ReadonlyArray<string>): string =>
  choices.length < 2
    ? (choices[0] ?? "")
    : `${choices.slice(0, -1).join(", ")} or ${choices[choices.length - 1]}`

export const emailPattern = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/

const mailboxes = (raw: string): ReadonlyArray<Mailbox> =>
  addressparser(raw, { flatten: true }).map((a) => ({ name: a.name, address: a.address }))

export const mailbox = (name: string) =>
  parsed(name, (raw) => {
    const list = mailboxes(raw)
    const [first] = list
    return list.length === 1 && first !== undefined && emailPattern.test(first.address)
      ? Either.right(first)
      : invalid("must be one address, `name@example.com` or `Name <name@example.com>`")
  })

export const mailboxList = (name: string) =>
  parsed(name, (raw) => {
    const list = mailboxes(raw)
    return list.length > 0 && list.every((m) => emailPattern.test(m.address))
      ? Either.right(list)
      : invalid("must be one or more comma-separated addresses")
  })

export const emailAddress = (name: string) =>
  parsed(name, (raw) =>
    emailPattern.test(raw) ? Either.right(raw) : invalid("must be an email address")
  )

export const phone = (name: string) =>
  parsed(name, (raw) =>
    /^[0-9+()./ -]{3,40}$/.test(raw)
      ? Either.right(raw)
      : invalid("must be a phone number (digits, spaces, + ( ) - . /)")
  )

export const oneLineText = (name: string) =>
  Config.string(name).pipe(
    Config.mapOrFail((s) => (/[\r\n]/.test(s) ? invalid("must be one line") : Either.right(s)))
  )

export const isAbsoluteUrl = (raw: string, schemes: ReadonlyArray<string>): boolean => {
  try {
    return schemes.includes(new URL(raw).protocol)
  } catch {
    return false
  }
}

export const httpUrl = (name: string) =>
  parsed(name, (raw) =>
    isAbsoluteUrl(raw, ["https:", "http:"]) ? Either.right(raw) : invalid("must be an http(s) URL")
  )

export const successUrl = (name: string) =>
  parsed(name, (raw) =>
    isAbsoluteUrl(raw, ["https:", "http:"]) || /^\/(?!\/)/.test(raw)
      ? Either.right(raw)
      : invalid("must be an absolute http(s) URL or a path starting with /")
  )

/** An origin exactly as a browser sends it in `Origin`, or `undefined`. */
const asOrigin = (raw: string): string | undefined => {
  try {
    const url = new URL(raw)
    return (url.protocol === "https:" || url.protocol === "http:") &&
      url.origin === raw.replace(/\/$/, "")
      ? url.origin
      : undefined
  } catch {
    return undefined
  }
}

export const origins = (name: string) =>
  parsed(name, (raw) => {
    const list = raw
      .split(",")
      .map((o) => o.trim())
      .filter((o) => o !== "")
    const normalised = list.map(asOrigin)
    return list.length > 0 && normalised.every((o) => o !== undefined)
      ? Either.right(normalised.filter((o): o is string => o !== undefined))
      : invalid("must be comma-separated origins such as https://www.example.com")
  })

const logLevels = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  error: LogLevel.Error
} as const

export const logLevel = (name: string) =>
  oneOf(name, ["debug", "info", "warn", "error"] as const).pipe(
    Config.map((level) => logLevels[level]),
    Config.withDefault(LogLevel.Info)
  )

export const awsRegion = (name: string) =>
  parsed(name, (raw) =>
    /^[a-z]{2}(-[a-z]+)+-\d+$/.test(raw) ? Either.right(raw) : invalid("must be an AWS region")
  )

export const smtpUrl = (name: string) =>
  parsed(name, (raw) => {
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

/** A file's content, kept redacted (a CA is not secret, but a path may point anywhere). */
export const fileContent = (name: string) =>
  parsed(name, (path) => {
    try {
      return Either.right(Redacted.make(readFileSync(path, "utf8")))
    } catch {
      return invalid("cannot read this file")
    }
  })
