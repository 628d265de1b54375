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
import {
  emailAddressRule,
  isAbsoluteUrl,
  oneLineRule,
  oneMailbox,
  originRule,
  phoneRule,
  type Rule,
  someMailboxes,
  successUrlRule
} from "./rules"

export const invalid = (reason: string): Either.Either<never, ConfigError.ConfigError> =>
  Either.left(ConfigError.InvalidData([], reason))

export const parsed = <A>(
  name: string,
  parse: (raw: string) => Either.Either<A, ConfigError.ConfigError>
) => Config.string(name).pipe(Config.mapOrFail(parse))

export const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> =>
  Config.option(config).pipe(Config.map(Option.getOrUndefined))

/** A whole number from `min` to `max` (digits only: no sign, no exponent). */
export const wholeNumber = (name: string, fallback: number, min: number, max: number) =>
  parsed(name, (raw) => {
    const n = Number(raw)
    return /^\d+$/.test(raw) && n >= min && n <= max
      ? Either.right(n)
      : invalid(`must be a whole number from ${min} to ${max}`)
  }).pipe(Config.withDefault(fallback))

export const positiveInt = (name: string, fallback: number, max = 600_000) =>
  wholeNumber(name, fallback, 1, max)

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

/** A reader of one variable by one of the rules (rules.ts). */
const byRule = <A>(name: string, rule: Rule<A>) =>
  parsed(name, (raw) => Either.mapLeft(rule(raw), (reason) => ConfigError.InvalidData([], reason)))

export const mailbox = (name: string) => byRule(name, oneMailbox)
export const mailboxList = (name: string) => byRule(name, someMailboxes)
export const emailAddress = (name: string) => byRule(name, emailAddressRule)
export const phone = (name: string) => byRule(name, phoneRule)
export const oneLineText = (name: string) => byRule(name, oneLineRule)
export const successUrl = (name: string) => byRule(name, successUrlRule)

export const httpUrl = (name: string) =>
  parsed(name, (raw) =>
    isAbsoluteUrl(raw, ["https:", "http:"]) ? Either.right(raw) : invalid("must be an http(s) URL")
  )

export const origins = (name: string) =>
  parsed(name, (raw) => {
    const list = raw
      .split(",")
      .map((o) => o.trim())
      .filter((o) => o !== "")
    const read = list.map(originRule)
    return list.length > 0 && read.every(Either.isRight)
      ? Either.right(read.flatMap((o) => (Either.isRight(o) ? [o.right] : [])))
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

/** A key of at least 32 characters, kept redacted; the message never quotes it. */
export const secretKey = (name: string) =>
  parsed(name, (raw) =>
    raw.length >= 32 && !/\s/.test(raw)
      ? Either.right(Redacted.make(raw))
      : invalid("must be at least 32 characters without spaces (a random key)")
  )

/** A file's content, kept redacted (a CA is not secret, but a path may point anywhere). */
export const fileContent = (name: string) =>
  parsed(name, (path) => {
    try {
      return Either.right(Redacted.make(readFileSync(path, "utf8")))
    } catch {
      return invalid("cannot read this file")
    }
  })
