/**
 * ALTCHA (contract §4), checked by our own code with altcha-lib v2: challenges signed with
 * the form's HMAC key (PBKDF2-SHA-256, `cost` iterations an attempt, about 256 attempts),
 * and the widget's payload verified here: signature, expiry, solution. A chunk of its own,
 * loaded only by a form that uses ALTCHA. Replays are the caller's (the store's) to catch.
 */
import { createChallenge, randomInt, verifySolution } from "altcha-lib"
import { deriveKey } from "altcha-lib/algorithms/pbkdf2"
import type { Challenge, ChallengeParameters, Solution } from "altcha-lib/types"

/** The form's secret: the HMAC key, and the optional one of the deterministic mode. */
export interface AltchaKeys {
  readonly key: string
  readonly keySignature: string | undefined
}

export interface ChallengeOptions {
  /** PBKDF2 iterations of one attempt (ALTCHA_COST). */
  readonly cost: number
  /** Epoch seconds after which the challenge and its payload are refused. */
  readonly expiresAt: number
}

const algorithm = "PBKDF2/SHA-256"

/**
 * A fresh challenge, as the widget fetches it (JSON). With the key-signature secret, the
 * deterministic mode: the server picks the counter (uniform below 512, so about 256
 * attempts as a one-byte prefix takes), and verifying a payload is one HMAC.
 */
export const challengeFor = (keys: AltchaKeys, options: ChallengeOptions): Promise<Challenge> =>
  createChallenge({
    algorithm,
    cost: options.cost,
    deriveKey,
    expiresAt: options.expiresAt,
    hmacSignatureSecret: keys.key,
    ...(keys.keySignature === undefined
      ? { keyPrefix: "00" }
      : { hmacKeySignatureSecret: keys.keySignature, counter: randomInt(511, 0) })
  })

/** What a payload is: a solved, signed, unexpired challenge, or why not. */
export type AltchaCheck =
  | {
      readonly _tag: "Solved"
      /** The challenge's signature: what identifies this payload for the replay record. */
      readonly signature: string
      readonly expiresAt: number
    }
  | {
      readonly _tag: "Refused"
      readonly reason: "malformed" | "expired" | "invalid_signature" | "invalid_solution"
    }

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The parameters' types, checked; they go to altcha-lib as sent (their signature covers each). */
const isParameters = (
  p: Record<string, unknown>
): p is Record<string, unknown> & ChallengeParameters =>
  typeof p.algorithm === "string" &&
  typeof p.nonce === "string" &&
  typeof p.salt === "string" &&
  typeof p.cost === "number" &&
  typeof p.keyLength === "number" &&
  typeof p.keyPrefix === "string" &&
  (p.expiresAt === undefined || typeof p.expiresAt === "number")

/** The widget's field: base64 of `{challenge: {parameters, signature}, solution}`. */
const decodePayload = (
  field: string
): { readonly challenge: Challenge; readonly solution: Solution } | undefined => {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(field, "base64").toString("utf8"))
  } catch {
    return undefined
  }
  if (!isRecord(value) || !isRecord(value.challenge) || !isRecord(value.solution)) return undefined
  const { challenge, solution } = value
  const { parameters, signature } = challenge
  if (!isRecord(parameters) || !isParameters(parameters) || typeof signature !== "string")
    return undefined
  const { counter, derivedKey } = solution
  if (typeof counter !== "number" || typeof derivedKey !== "string") return undefined
  return { challenge: { parameters, signature }, solution: { counter, derivedKey } }
}

export const checkPayload = async (field: string, keys: AltchaKeys): Promise<AltchaCheck> => {
  const payload = decodePayload(field)
  // Only our own kind of challenge: another algorithm would be another cost.
  if (payload === undefined || payload.challenge.parameters.algorithm !== algorithm)
    return { _tag: "Refused", reason: "malformed" }
  const result = await verifySolution({
    challenge: payload.challenge,
    solution: payload.solution,
    deriveKey,
    hmacSignatureSecret: keys.key,
    ...(keys.keySignature === undefined ? {} : { hmacKeySignatureSecret: keys.keySignature })
  })
  if (result.verified && payload.challenge.signature !== undefined) {
    return {
      _tag: "Solved",
      signature: payload.challenge.signature,
      expiresAt: payload.challenge.parameters.expiresAt ?? 0
    }
  }
  if (result.expired) return { _tag: "Refused", reason: "expired" }
  if (result.invalidSignature) return { _tag: "Refused", reason: "invalid_signature" }
  return { _tag: "Refused", reason: "invalid_solution" }
}
