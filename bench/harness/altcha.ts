// ALTCHA's payloads for the `ours-altcha*` variants, solved by the harness before the timed
// rounds, as a visitor's browser would before submitting: the measured processes only verify
// them. Challenges are made as the app makes them (src/services/altcha.ts: PBKDF2/SHA-256,
// keyPrefix "00", signed with the `altcha-data` secret's key, at the app's ALTCHA_COST),
// solved with altcha-lib's solveChallenge and encoded as the widget's field (base64 of
// `{challenge: {parameters, signature}, solution}`), then written for fixtures.mjs.
import { readFileSync } from "node:fs"
import os from "node:os"
import { createChallenge, solveChallenge, verifySolution } from "altcha-lib"
import { deriveKey } from "altcha-lib/algorithms/pbkdf2"
import type { Challenge } from "altcha-lib/types"
import { writeAltchaPayloads } from "../fixtures.mjs"

/**
 * The default of ALTCHA_COST in the app's configuration (src/config/captcha.ts), which the
 * variants set explicitly to this same number: the cost the figures measure is the one a
 * deployment runs unless its owner changes it.
 */
export const appAltchaCost = (root: string): number => {
  const source = readFileSync(`${root}/src/config/captcha.ts`, "utf8")
  const found = /"ALTCHA_COST",\s*([\d_]+)/.exec(source)?.[1]
  if (found === undefined)
    throw new Error("ALTCHA_COST's default not found in src/config/captcha.ts")
  return Number(found.replaceAll("_", ""))
}

export interface Presolved {
  readonly file: string
  readonly payloads: number
  readonly cost: number
  readonly concurrency: number
  readonly seconds: number
  /** PBKDF2 derivations per payload, on average (256 expected: keyPrefix "00"). */
  readonly meanAttempts: number
}

const widgetField = (challenge: Challenge, solution: object) =>
  Buffer.from(
    JSON.stringify({
      challenge: { parameters: challenge.parameters, signature: challenge.signature },
      solution
    })
  ).toString("base64")

/**
 * Solves `count` fresh challenges signed with `key` and writes them to `file`. They expire
 * in `expiresSeconds`: longer than the widget's 10 minutes, so that a run of any length
 * finds them valid. `concurrency` solves run at once: altcha-lib's PBKDF2 is node:crypto's
 * asynchronous pbkdf2, which runs on libuv's thread pool (4 threads), so that many cores
 * work without worker threads.
 */
export const presolve = async (options: {
  readonly file: string
  readonly count: number
  readonly key: string
  readonly cost: number
  readonly expiresSeconds: number
  readonly concurrency?: number
}): Promise<Presolved> => {
  const { file, count, key, cost } = options
  const concurrency = Math.min(options.concurrency ?? os.availableParallelism(), 4)
  const expiresAt = Math.floor(Date.now() / 1_000) + options.expiresSeconds
  const started = performance.now()
  const payloads: string[] = new Array(count)
  let attempts = 0
  let next = 0
  const solver = async () => {
    for (let i = next++; i < count; i = next++) {
      const challenge = await createChallenge({
        algorithm: "PBKDF2/SHA-256",
        cost,
        deriveKey,
        expiresAt,
        keyPrefix: "00",
        hmacSignatureSecret: key
      })
      const solution = await solveChallenge({ challenge, deriveKey, timeout: 0 })
      if (solution === null) throw new Error("an ALTCHA challenge was not solved")
      attempts += solution.counter + 1
      payloads[i] = widgetField(challenge, solution)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, solver))
  const seconds = (performance.now() - started) / 1_000
  // The app's own check of the first one, so that a key or format mismatch fails here, with
  // its reason, rather than as a 4xx in every altcha figure.
  const first = payloads[0]
  if (first !== undefined) {
    const { challenge, solution } = JSON.parse(Buffer.from(first, "base64").toString("utf8"))
    const verdict = await verifySolution({
      challenge,
      solution,
      deriveKey,
      hmacSignatureSecret: key
    })
    if (!verdict.verified) throw new Error(`a pre-solved payload fails: ${JSON.stringify(verdict)}`)
  }
  writeAltchaPayloads(file, payloads)
  return {
    file,
    payloads: count,
    cost,
    concurrency,
    seconds,
    meanAttempts: count === 0 ? 0 : attempts / count
  }
}
