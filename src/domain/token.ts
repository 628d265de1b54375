/**
 * A captcha token worth asking the captcha API about (contract §4). One rule for the
 * captcha service, which never sends a hopeless token, and for the flow, which makes no
 * duplicate key without a real token (contract §9).
 */
import { codePoints } from "./fields"

/** A token is opaque, but no real one is longer than this. */
export const maxTokenChars = 8_192

export type TokenProblem = "missing" | "placeholder" | "malformed"

// Any whitespace or control character: C0, DEL, C1 and the Unicode spaces.
const notOneWord = /[\s\u0000-\u001f\u007f-\u009f]/u

/** Why `token` cannot be a solved puzzle, or `undefined` when it may be one. */
export const tokenProblem = (token: string | undefined): TokenProblem | undefined => {
  if (token === undefined || token.trim() === "") return "missing"
  // The widget fills the field with a placeholder starting with "." until it has solved the puzzle.
  if (token.startsWith(".")) return "placeholder"
  if (codePoints(token) > maxTokenChars || notOneWord.test(token)) return "malformed"
  return undefined
}
