/**
 * hCaptcha's siteverify (contract §4): `POST` form-encoded `secret`, `response` and
 * `sitekey` (so a token of another site of the account is refused), answer `{success,
 * "error-codes"}`.
 */
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Redacted from "effect/Redacted"
import type { Protocol } from "./captcha-protocol"
import { readSiteverifyAnswer } from "./siteverify-answer"

export const hcaptcha: Protocol = {
  request: (url, token, keys) =>
    HttpClientRequest.post(url).pipe(
      HttpClientRequest.bodyUrlParams({
        secret: Redacted.value(keys.key),
        response: token,
        sitekey: keys.sitekey
      })
    ),
  read: readSiteverifyAnswer
}
