/**
 * The answer of the reCAPTCHA-style siteverify APIs (Cloudflare Turnstile, hCaptcha):
 * `success`, and the reasons in `error-codes`.
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { CaptchaAnswer } from "./captcha-protocol"

const Answer = Schema.Struct({
  success: Schema.Boolean,
  "error-codes": Schema.optional(Schema.Array(Schema.String))
})

const decode = Schema.decodeUnknownOption(Answer)

export const readSiteverifyAnswer = (json: unknown): CaptchaAnswer | undefined =>
  Option.match(decode(json), {
    onNone: () => undefined,
    onSome: (a) => ({ success: a.success, code: a["error-codes"]?.[0] })
  })
