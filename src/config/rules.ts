/**
 * The value rules of the configuration, as pure functions: each answers the value read, or
 * why not (never quoting it). Environment readers (readers.ts) and FORMS (forms.ts) both
 * use them, so a setting means the same wherever it is written.
 */
import * as Result from "effect/Result"
import addressparser from "nodemailer/lib/addressparser"
import { type CaptchaProvider, captchaProviderIds } from "../domain/captcha-providers"
import type { Mailbox } from "../domain/contact"

export type Rule<A> = (raw: string) => Result.Result<A, string>

export const orList = (choices: ReadonlyArray<string>): string =>
  choices.length < 2
    ? (choices[0] ?? "")
    : `${choices.slice(0, -1).join(", ")} or ${choices[choices.length - 1]}`

/** One of `choices`, by its exact spelling. */
export const oneOfRule =
  <const A extends string>(choices: ReadonlyArray<A>): Rule<A> =>
  (raw) => {
    const choice = choices.find((c) => c === raw)
    return choice === undefined ? Result.fail(`must be ${orList(choices)}`) : Result.succeed(choice)
  }

/** A captcha provider of the table (contract §4). */
export const captchaProviderRule: Rule<CaptchaProvider> = oneOfRule(captchaProviderIds)

const emailPattern = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/

const mailboxes = (raw: string): ReadonlyArray<Mailbox> =>
  addressparser(raw, { flatten: true }).map((a) => ({ name: a.name, address: a.address }))

export const oneMailbox: Rule<Mailbox> = (raw) => {
  const list = mailboxes(raw)
  const [first] = list
  return list.length === 1 && first !== undefined && emailPattern.test(first.address)
    ? Result.succeed(first)
    : Result.fail("must be one address, `name@example.com` or `Name <name@example.com>`")
}

export const someMailboxes: Rule<ReadonlyArray<Mailbox>> = (raw) => {
  const list = mailboxes(raw)
  return list.length > 0 && list.every((m) => emailPattern.test(m.address))
    ? Result.succeed(list)
    : Result.fail("must be one or more comma-separated addresses")
}

export const emailAddressRule: Rule<string> = (raw) =>
  emailPattern.test(raw) ? Result.succeed(raw) : Result.fail("must be an email address")

export const phoneRule: Rule<string> = (raw) =>
  /^[0-9+()./ -]{3,40}$/.test(raw)
    ? Result.succeed(raw)
    : Result.fail("must be a phone number (digits, spaces, + ( ) - . /)")

export const oneLineRule: Rule<string> = (raw) =>
  /[\r\n]/.test(raw) ? Result.fail("must be one line") : Result.succeed(raw)

export const isAbsoluteUrl = (raw: string, schemes: ReadonlyArray<string>): boolean => {
  try {
    return schemes.includes(new URL(raw).protocol)
  } catch {
    return false
  }
}

export const successUrlRule: Rule<string> = (raw) =>
  isAbsoluteUrl(raw, ["https:", "http:"]) || /^\/(?!\/)/.test(raw)
    ? Result.succeed(raw)
    : Result.fail("must be an absolute http(s) URL or a path starting with /")

/** An origin exactly as a browser sends it in `Origin`. */
export const originRule: Rule<string> = (raw) => {
  try {
    const url = new URL(raw)
    if (
      (url.protocol === "https:" || url.protocol === "http:") &&
      url.origin === raw.replace(/\/$/, "")
    ) {
      return Result.succeed(url.origin)
    }
  } catch {
    // not a URL at all
  }
  return Result.fail("must be an origin such as https://www.example.com")
}
