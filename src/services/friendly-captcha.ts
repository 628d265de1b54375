/**
 * FriendlyCaptcha's two siteverify protocols (contract §4): v2 (`X-API-Key`, `response`)
 * and v1 (`secret`, `solution`); both answer `success`, the code in `error` or `errors`.
 */
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { CaptchaAnswer, Protocol } from "./captcha-protocol"

// Both versions answer `success`; the error code sits in `errors` (v1) or `error` (v2).
const Answer = Schema.Struct({
  success: Schema.Boolean,
  errors: Schema.optional(Schema.Array(Schema.String)),
  error: Schema.optional(Schema.Struct({ error_code: Schema.optional(Schema.String) }))
})

const decode = Schema.decodeUnknownOption(Answer)

const read = (json: unknown): CaptchaAnswer | undefined =>
  Option.match(decode(json), {
    onNone: () => undefined,
    onSome: (a) => ({ success: a.success, code: a.error?.error_code ?? a.errors?.[0] })
  })

export const friendlyCaptchaV2: Protocol = {
  request: (url, token, keys) =>
    HttpClientRequest.post(url).pipe(
      HttpClientRequest.setHeader("X-API-Key", Redacted.value(keys.key)),
      HttpClientRequest.bodyJsonUnsafe({ response: token, sitekey: keys.sitekey })
    ),
  read
}

export const friendlyCaptchaV1: Protocol = {
  request: (url, token, keys) =>
    HttpClientRequest.post(url).pipe(
      HttpClientRequest.bodyJsonUnsafe({
        solution: token,
        secret: Redacted.value(keys.key),
        sitekey: keys.sitekey
      })
    ),
  read
}
