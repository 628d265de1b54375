/**
 * FriendlyCaptcha's two siteverify protocols (SPEC section 4): v2 (`X-API-Key`, `response`)
 * and v1 (`secret`, `solution`); both answer `success`, the code in `error` or `errors`.
 */
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { CaptchaCredentials } from "./secrets"

// Both versions answer `success`; the error code sits in `errors` (v1) or `error` (v2).
export const VerifyAnswer = Schema.Struct({
  success: Schema.Boolean,
  errors: Schema.optional(Schema.Array(Schema.String)),
  error: Schema.optional(Schema.Struct({ error_code: Schema.optional(Schema.String) }))
})

export const decodeAnswer = Schema.decodeUnknownEffect(VerifyAnswer)

export const errorCode = (answer: typeof VerifyAnswer.Type): string =>
  answer.error?.error_code ?? answer.errors?.[0] ?? "unknown"

export interface Protocol {
  readonly tokenField: string
  /** The code of `success: false` for a token used before, or expired (SPEC section 9). */
  readonly used: string
  /** The request for this token, or `undefined` when the credentials lack this version's key. */
  readonly request: (
    url: string,
    token: string,
    keys: CaptchaCredentials
  ) => HttpClientRequest.HttpClientRequest | undefined
}

export const v2: Protocol = {
  tokenField: "frc-captcha-response",
  used: "response_duplicate",
  request: (url, token, keys) =>
    keys.apiKey === undefined
      ? undefined
      : HttpClientRequest.post(url).pipe(
          HttpClientRequest.setHeader("X-API-Key", Redacted.value(keys.apiKey)),
          HttpClientRequest.bodyJsonUnsafe({ response: token, sitekey: keys.sitekey })
        )
}

export const v1: Protocol = {
  tokenField: "frc-captcha-solution",
  // v1 has one code for both: a token used before, or one too old.
  used: "solution_timeout_or_duplicate",
  request: (url, token, keys) =>
    keys.secret === undefined
      ? undefined
      : HttpClientRequest.post(url).pipe(
          HttpClientRequest.bodyJsonUnsafe({
            solution: token,
            secret: Redacted.value(keys.secret),
            sitekey: keys.sitekey
          })
        )
}
