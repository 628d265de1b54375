/**
 * Cloudflare Turnstile's siteverify (contract §4): `POST {secret, response,
 * idempotency_key}`, answer `{success, "error-codes"}`. The idempotency key is this
 * verification's own, so only a retry of this very call could be answered as the first;
 * another use of the same token is `timeout-or-duplicate`, already received.
 */
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Redacted from "effect/Redacted"
import type { Protocol } from "./captcha-protocol"
import { readSiteverifyAnswer } from "./siteverify-answer"

export const turnstile: Protocol = {
  request: (url, token, keys, verification) =>
    HttpClientRequest.post(url).pipe(
      HttpClientRequest.bodyJsonUnsafe({
        secret: Redacted.value(keys.key),
        response: token,
        idempotency_key: verification
      })
    ),
  read: readSiteverifyAnswer
}
