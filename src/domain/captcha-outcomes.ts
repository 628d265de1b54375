/**
 * What a captcha provider's answer means (contract §4): the outcomes every provider shares,
 * and the one rule that reads an answer by its status and its provider's codes (the
 * provider table, ./captcha-providers.ts, lists the codes).
 */

export type CaptchaOutcome =
  /** The token is good: the message goes out. */
  | "verified"
  /** A bot, or a visitor whose puzzle failed: 400, nothing sent. */
  | "refused"
  /** The token was used before, or has expired: 409, the page says it may have arrived. */
  | "already_received"
  /** Our key, sitekey or request is wrong: 500, logged as an error, nothing sent. */
  | "misconfigured"
  /** The provider cannot answer: sent anyway, marked unverified (fail open). */
  | "unavailable"

/**
 * The error codes that do not mean "refused", by the outcome they mean. Any other code in
 * an answer of 200 is refused; in an answer of 400, 401 or 403 it is misconfigured (the
 * provider says our request is wrong); 429, 5xx and unreadable answers are unavailable.
 */
export interface CodeOutcomes {
  readonly already_received: ReadonlyArray<string>
  readonly misconfigured: ReadonlyArray<string>
  readonly unavailable: ReadonlyArray<string>
}

/**
 * What an answer means: `status` and, when the answer could be read, its first error code
 * (`undefined` for an answer that says success). See CodeOutcomes.
 */
export const outcomeOf = (
  codes: CodeOutcomes,
  status: number,
  answer: { readonly success: boolean; readonly code: string | undefined } | undefined
): CaptchaOutcome => {
  if (status === 429 || status >= 500) return "unavailable"
  const ourRequest = status === 400 || status === 401 || status === 403
  if (answer === undefined) return ourRequest ? "misconfigured" : "unavailable"
  if (status === 200 && answer.success) return "verified"
  const code = answer.code ?? ""
  if (codes.already_received.includes(code)) return "already_received"
  if (codes.misconfigured.includes(code)) return "misconfigured"
  if (codes.unavailable.includes(code)) return "unavailable"
  if (status === 200) return "refused"
  return ourRequest ? "misconfigured" : "unavailable"
}
