/**
 * ALTCHA inside the captcha service (contract §4): the form's keys from its secret, the
 * payload checked by ./altcha.ts (a chunk loaded on first use), and each payload recorded in
 * the store until its challenge expires, so a payload used by another submission is
 * "already received" (contract §9). Nothing remote can be down here: a secret missing,
 * short or unreadable is our configuration (500), never fail open; the store configured
 * and down fails closed too, since a replay cannot be told from a first use.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { AppConfigTag } from "../config/app-config"
import { captchaProviders } from "../domain/captcha-providers"
import {
  AlreadyReceived,
  CaptchaMisconfigured,
  CaptchaRejected,
  type CaptchaVerdict,
  ChallengeUnavailable,
  ReplayUnchecked
} from "../domain/errors"
import type { AltchaKeys } from "./altcha"
import { type CaptchaKeys, SecretsService } from "./secrets"
import { StoreService } from "./store"

/** HMAC keys shorter than this are guessable (altcha-lib's own minimum is 1). */
const minimumKeyBytes = 32

const { key: keyName, keySignature: keySignatureName } = captchaProviders.altcha.secret

/** The keys, or what is wrong with them (the log's reason). */
const keysIn = (secret: CaptchaKeys): AltchaKeys | string => {
  const key = secret[keyName]
  const keySignature = secret[keySignatureName]
  if (key === undefined) return "secret_missing_key"
  const keyText = Redacted.value(key)
  const signatureText = keySignature === undefined ? undefined : Redacted.value(keySignature)
  if (Buffer.byteLength(keyText) < minimumKeyBytes) return "secret_short_key"
  if (signatureText !== undefined && Buffer.byteLength(signatureText) < minimumKeyBytes)
    return "secret_short_key_signature"
  return { key: keyText, keySignature: signatureText }
}

export const makeAltcha = Effect.gen(function* () {
  const config = yield* AppConfigTag
  const secrets = yield* SecretsService
  const store = yield* StoreService
  const lib = yield* Effect.cached(Effect.promise(() => import("./altcha")))
  const { cost, expiresSeconds } = config.captcha.altcha

  const keys = (secretId: string) =>
    secrets.captcha(secretId).pipe(
      Effect.mapError((e) => `secret_${e.problem}`),
      Effect.flatMap((secret) => {
        const found = keysIn(secret)
        return typeof found === "string" ? Effect.fail(found) : Effect.succeed(found)
      })
    )

  const verify = Effect.fn("CaptchaService.verify")(function* (token: string, secretId: string) {
    const altcha = yield* lib
    const formKeys = yield* keys(secretId).pipe(
      Effect.mapError(
        (code) => new CaptchaMisconfigured({ status: undefined, code: `altcha_${code}` })
      )
    )
    const checked = yield* Effect.tryPromise({
      try: () => altcha.checkPayload(token, formKeys),
      catch: () => new CaptchaRejected({ reason: "altcha_malformed" })
    })
    if (checked._tag === "Refused")
      return yield* new CaptchaRejected({ reason: `altcha_${checked.reason}` })
    const first = yield* store
      .putIfAbsent({
        pk: `altcha#${checked.signature}`,
        expiresAt: checked.expiresAt,
        attributes: {}
      })
      .pipe(Effect.mapError((e) => new ReplayUnchecked({ problem: e.problem })))
    if (!first) return yield* new AlreadyReceived({ reason: "altcha_replay" })
    const verdict: CaptchaVerdict = { _tag: "Verified" }
    return verdict
  })

  const challenge = Effect.fn("CaptchaService.challenge")(function* (secretId: string) {
    const altcha = yield* lib
    const formKeys = yield* keys(secretId).pipe(
      Effect.mapError((reason) => new ChallengeUnavailable({ reason }))
    )
    const now = yield* Clock.currentTimeMillis
    const created = yield* Effect.tryPromise({
      try: () =>
        altcha.challengeFor(formKeys, {
          cost,
          expiresAt: Math.floor(now / 1_000) + expiresSeconds
        }),
      catch: () => new ChallengeUnavailable({ reason: "create_failed" })
    })
    return JSON.stringify(created)
  })

  return { verify, challenge }
})
