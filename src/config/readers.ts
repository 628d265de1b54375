/**
 * One reader per kind of variable. Every failure message is ours and names the rule, never
 * the value. A reader takes what an unset variable reads as: a value, or "is required".
 */
import { readFileSync } from "node:fs"
import * as Config from "effect/Config"
import type * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { problem, type Reading, type Variable, written } from "./env"
import {
  emailAddressRule,
  isAbsoluteUrl,
  oneLineRule,
  oneMailbox,
  oneOfRule,
  originRule,
  phoneRule,
  type Rule,
  someMailboxes,
  successUrlRule
} from "./rules"

/** What an unset (or empty) variable reads as. */
export type WhenUnset<B> = { readonly value: B } | "required"
/** Unset: this value. */
export const orDefault = <const B>(value: B): WhenUnset<B> => ({ value })
/** Unset: `undefined`. */
export const orNothing: WhenUnset<undefined> = { value: undefined }

/**
 * Every variable a reader was made for: what it reads as unset, and its rule (the reader's
 * own message for a value it refuses). Only `npm run docs` reads it (docs/configuration.md).
 */
export const readerCatalog = new Map<
  string,
  { readonly whenUnset: WhenUnset<unknown>; readonly rule: Rule<unknown> }
>()

/** The variable read by `parse`, its reason the problem's message. */
export const parsed = <A, B = never>(
  name: string,
  parse: Rule<A>,
  whenUnset: WhenUnset<B> = "required"
): Variable<A | B> => {
  readerCatalog.set(name, { whenUnset, rule: parse })
  return Config.map(
    written(name),
    (read): Reading<A | B> =>
      Result.flatMap(
        read,
        (raw): Reading<A | B> =>
          raw === undefined
            ? whenUnset === "required"
              ? problem([name], "is required")
              : Result.succeed(whenUnset.value)
            : Result.mapError(parse(raw), (reason) => [{ path: [name], message: reason }])
      )
  )
}

/** The text as written. */
export const text = <B = never>(name: string, whenUnset: WhenUnset<B> = "required") =>
  parsed(name, Result.succeed, whenUnset)

/** A whole number from `min` to `max` (digits only: no sign, no exponent). */
export const wholeNumber = (name: string, fallback: number, min: number, max: number) =>
  parsed(
    name,
    (raw) => {
      const n = Number(raw)
      return /^\d+$/.test(raw) && n >= min && n <= max
        ? Result.succeed(n)
        : Result.fail(`must be a whole number from ${min} to ${max}`)
    },
    orDefault(fallback)
  )

export const positiveInt = (name: string, fallback: number, max = 600_000) =>
  wholeNumber(name, fallback, 1, max)

export const boolean = (name: string) =>
  parsed(
    name,
    (raw) =>
      raw === "true" || raw === "false"
        ? Result.succeed(raw === "true")
        : Result.fail("must be true or false"),
    orDefault(false)
  )

/** One of `choices`, by its exact spelling. */
export const oneOf = <const A extends string, B = never>(
  name: string,
  choices: ReadonlyArray<A>,
  whenUnset: WhenUnset<B> = "required"
) => parsed(name, oneOfRule(choices), whenUnset)

/** A reader of one variable by one of the rules (rules.ts). */
export const byRule =
  <A>(rule: Rule<A>) =>
  <B = never>(name: string, whenUnset?: WhenUnset<B>) =>
    parsed(name, rule, whenUnset)

export const mailbox = byRule(oneMailbox)
export const mailboxList = byRule(someMailboxes)
export const emailAddress = byRule(emailAddressRule)
export const phone = byRule(phoneRule)
export const oneLineText = byRule(oneLineRule)
export const successUrl = byRule(successUrlRule)
export const httpUrl = byRule((raw) =>
  isAbsoluteUrl(raw, ["https:", "http:"])
    ? Result.succeed(raw)
    : Result.fail("must be an http(s) URL")
)

export const origins = <B = never>(name: string, whenUnset?: WhenUnset<B>) =>
  parsed(
    name,
    (raw) => {
      const list = raw
        .split(",")
        .map((o) => o.trim())
        .filter((o) => o !== "")
      const read = list.map(originRule)
      return list.length > 0 && read.every(Result.isSuccess)
        ? Result.succeed(read.flatMap((o) => (Result.isSuccess(o) ? [o.success] : [])))
        : Result.fail("must be comma-separated origins such as https://www.example.com")
    },
    whenUnset
  )

const logLevels = {
  debug: "Debug",
  info: "Info",
  warn: "Warn",
  error: "Error"
} as const satisfies Readonly<Record<string, LogLevel.LogLevel>>

export const logLevel = (name: string) =>
  parsed(
    name,
    (raw) =>
      Object.hasOwn(logLevels, raw)
        ? Result.succeed(logLevels[raw as keyof typeof logLevels])
        : Result.fail("must be debug, info, warn or error"),
    orDefault<LogLevel.LogLevel>("Info")
  )

export const awsRegion = byRule((raw) =>
  /^[a-z]{2}(-[a-z]+)+-\d+$/.test(raw) ? Result.succeed(raw) : Result.fail("must be an AWS region")
)

export const smtpUrl = <B = never>(name: string, whenUnset?: WhenUnset<B>) =>
  parsed(
    name,
    (raw) => {
      try {
        const url = new URL(raw)
        return (url.protocol === "smtp:" || url.protocol === "smtps:") &&
          url.hostname !== "" &&
          url.username === "" &&
          url.password === ""
          ? Result.succeed(url)
          : Result.fail("must be smtp://host[:port] or smtps://host[:port], without credentials")
      } catch {
        return Result.fail("must be smtp://host[:port] or smtps://host[:port]")
      }
    },
    whenUnset
  )

/** A key of at least 32 characters, kept redacted; the message never quotes it. */
export const secretKey = byRule((raw) =>
  raw.length >= 32 && !/\s/.test(raw)
    ? Result.succeed(Redacted.make(raw))
    : Result.fail("must be at least 32 characters without spaces (a random key)")
)

/** A file's content, kept redacted (a CA is not secret, but a path may point anywhere). */
export const fileContent = <B = never>(name: string, whenUnset?: WhenUnset<B>) =>
  parsed(
    name,
    (path) => {
      try {
        return Result.succeed(Redacted.make(readFileSync(path, "utf8")))
      } catch {
        return Result.fail("cannot read this file")
      }
    },
    whenUnset
  )
