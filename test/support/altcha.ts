/**
 * ALTCHA as a visitor's browser does it, in Node: solve a challenge the backend served
 * (altcha-lib's own solver, PBKDF2 as the widget runs it) and make the form field the
 * widget submits; and challenges the test makes itself with a secret (expired ones, ones
 * signed with another key). The field is base64 of `{challenge, solution}` JSON.
 */
import { randomBytes } from "node:crypto"
import { createChallenge, solveChallenge } from "altcha-lib"
import { deriveKey } from "altcha-lib/algorithms/pbkdf2"
import type { Challenge } from "altcha-lib/types"

/** A random HMAC key as an owner would make one (`openssl rand -base64 48`). */
export const altchaKey = (): string => randomBytes(48).toString("base64")

/** The widget's field for `challenge`, solved. */
export const solvedPayload = async (challenge: Challenge): Promise<string> => {
  const solution = await solveChallenge({ challenge, deriveKey })
  if (solution === null) throw new Error("the challenge was not solved")
  const { parameters, signature } = challenge
  return Buffer.from(JSON.stringify({ challenge: { parameters, signature }, solution })).toString(
    "base64"
  )
}

/** A challenge of ours, as the backend makes them, signed with `key`, expiring at `expiresAt` (s). */
export const challengeSignedWith = (key: string, expiresAt: number, cost = 50) =>
  createChallenge({
    algorithm: "PBKDF2/SHA-256",
    cost,
    deriveKey,
    expiresAt,
    keyPrefix: "00",
    hmacSignatureSecret: key
  })

/** The same field with its solution's derived key changed: a puzzle not solved. */
export const tamperedPayload = (payload: string): string => {
  const decoded = JSON.parse(Buffer.from(payload, "base64").toString("utf8"))
  const key: string = decoded.solution.derivedKey
  decoded.solution.derivedKey = `${key.startsWith("0") ? "1" : "0"}${key.slice(1)}`
  return Buffer.from(JSON.stringify(decoded)).toString("base64")
}
