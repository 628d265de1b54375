/**
 * What a remote captcha provider's protocol file gives the captcha service: the request
 * for a token, and how to read the provider's answer. What an answer means is the provider
 * table's (src/domain/captcha-providers.ts), the same rule for every provider.
 */
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as Redacted from "effect/Redacted"

/** The two keys of a provider's secret (named by its row of the table). */
export interface ProviderKeys {
  readonly sitekey: string
  readonly key: Redacted.Redacted<string>
}

/** An answer as read: whether it says success, and its first error code. */
export interface CaptchaAnswer {
  readonly success: boolean
  readonly code: string | undefined
}

export interface Protocol {
  /**
   * The siteverify request for `token`. `verification` is this verification's own id (a
   * random UUID): sent where the provider takes an idempotency key, so that a retry of the
   * same call is not a duplicate while another process's use of the same token still is.
   */
  readonly request: (
    url: string,
    token: string,
    keys: ProviderKeys,
    verification: string
  ) => HttpClientRequest.HttpClientRequest
  /** The answer's meaning, or `undefined` when it is not this provider's shape. */
  readonly read: (json: unknown) => CaptchaAnswer | undefined
}
