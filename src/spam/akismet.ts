/**
 * Akismet's `comment-check` (contract §12), optional and off by default: a form-encoded POST
 * to `<AKISMET_URL, default https://rest.akismet.com>/1.1/comment-check`, answered `true`
 * (spam) or `false` (ham). Anything else fails open, as AkismetUnavailable: the caller
 * delivers and marks the message as not checked by Akismet.
 *
 * What Akismet receives, and so Automattic: the API key, the form's site URL (`blog`), the
 * visitor's IP address (which Akismet requires) and user agent, `contact-form` as the type,
 * their name, email address, subject and message (`comment_content`), and the form's
 * language. Nothing is logged here, and the errors carry Akismet's words, never the visitor's.
 *
 * Loaded with `import()` only when Akismet is on; it brings nothing the bundle lacks.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import type { SpamForm } from "./signals"

export const AKISMET_DEFAULT_URL = "https://rest.akismet.com"

/** What one check sends besides the key (Akismet's own names in the comments). */
export interface AkismetComment {
  /** `blog`: the front page of the site the form is on, a full URL. */
  readonly blog: string
  /** `user_ip`, required by Akismet. */
  readonly userIp: string
  /** `user_agent`: the visitor's browser, when it sent one. */
  readonly userAgent?: string
  /** `comment_author`. */
  readonly author?: string
  /** `comment_author_email`. */
  readonly authorEmail: string
  /** `comment_content`: the subject's line, if any, then the message. */
  readonly content: string
  /** `blog_lang`: the form's language. */
  readonly language?: string
}

/** The comment for a submission of `form` to the site `blog`. */
export const commentOf = (
  form: SpamForm,
  visitor: { readonly blog: string; readonly userIp: string; readonly userAgent?: string },
  language?: string
): AkismetComment => ({
  ...visitor,
  ...(form.name === undefined ? {} : { author: form.name }),
  authorEmail: form.email,
  content: form.subject === undefined ? form.body : `${form.subject}\n\n${form.body}`,
  ...(language === undefined ? {} : { language })
})

export interface AkismetSettings {
  /** AKISMET_URL (tests), or AKISMET_DEFAULT_URL. */
  readonly url: string
  readonly key: Redacted.Redacted<string>
  /** AKISMET_TIMEOUT_MS: the whole call, connection to last byte. */
  readonly timeoutMs: number
}

/** Akismet's verdict: `discard` when it also says the spam is blatant (`X-akismet-pro-tip`). */
export interface AkismetAnswer {
  readonly spam: boolean
  readonly discard: boolean
}

/** Why no verdict came. `detail` is Akismet's own text (its debug help or alert), if any. */
export class AkismetUnavailable extends Data.TaggedError("AkismetUnavailable")<{
  readonly reason: "timeout" | "unreachable" | "invalid" | "alert" | "http_status" | "unexpected"
  readonly status?: number
  readonly detail?: string
  readonly cause?: unknown
}> {}

const header = (
  headers: Readonly<Record<string, string | undefined>>,
  name: string
): string | undefined => {
  const value = headers[name]?.trim()
  return value === undefined || value === "" ? undefined : value
}

/**
 * An answer as Akismet documents it: 200 and `true` or `false`. `invalid` with
 * `X-akismet-debug-help` is a request it refused (a wrong key, a missing field); an
 * `X-akismet-alert-code` is a problem with the account (an expired plan, a usage limit) that
 * the owner must hear of, so its verdict is not relied on either.
 */
export const readAkismetAnswer = (
  status: number,
  headers: Readonly<Record<string, string | undefined>>,
  body: string
): Result.Result<AkismetAnswer, AkismetUnavailable> => {
  if (status !== 200) return Result.fail(new AkismetUnavailable({ reason: "http_status", status }))
  const alert = header(headers, "x-akismet-alert-code")
  const alertMessage = header(headers, "x-akismet-alert-msg")
  if (alert !== undefined || alertMessage !== undefined) {
    const detail = [alert, alertMessage].filter((part) => part !== undefined).join(": ")
    return Result.fail(new AkismetUnavailable({ reason: "alert", status, detail }))
  }
  const help = header(headers, "x-akismet-debug-help")
  const text = body.trim()
  if (help === undefined && (text === "true" || text === "false")) {
    const discard = header(headers, "x-akismet-pro-tip") === "discard"
    return Result.succeed({ spam: text === "true", discard: text === "true" && discard })
  }
  return Result.fail(
    new AkismetUnavailable({
      reason: text === "invalid" || help !== undefined ? "invalid" : "unexpected",
      status,
      ...(help === undefined ? {} : { detail: help })
    })
  )
}

/** The `comment-check` request: our fields only, none of the visitor's request headers. */
export const akismetRequest = (
  settings: Pick<AkismetSettings, "url" | "key">,
  comment: AkismetComment
): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.post(`${settings.url.replace(/\/+$/, "")}/1.1/comment-check`).pipe(
    HttpClientRequest.setHeader("User-Agent", "contact-form-backend | Akismet comment-check"),
    HttpClientRequest.bodyUrlParams({
      api_key: Redacted.value(settings.key),
      blog: comment.blog,
      user_ip: comment.userIp,
      ...(comment.userAgent === undefined ? {} : { user_agent: comment.userAgent }),
      comment_type: "contact-form",
      ...(comment.author === undefined ? {} : { comment_author: comment.author }),
      comment_author_email: comment.authorEmail,
      comment_content: comment.content,
      ...(comment.language === undefined ? {} : { blog_lang: comment.language }),
      blog_charset: "UTF-8"
    })
  )

class AkismetTimedOut extends Data.TaggedError("AkismetTimedOut") {}

/** The request never got an answer (rather than an answer we cannot read). */
const unreachable = (error: HttpClientError.HttpClientError) =>
  error.reason._tag === "TransportError" || error.reason._tag === "InvalidUrlError"

const answerOf = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.flatMap(response.text, (body) =>
    Effect.fromResult(readAkismetAnswer(response.status, response.headers, body))
  )

/**
 * Asks Akismet about `comment`, once (a retry would not fit its timeout), within
 * `settings.timeoutMs`: Akismet runs beside the captcha and must not hold the visitor.
 */
export const commentCheck = Effect.fn("Akismet.commentCheck")(function* (
  settings: AkismetSettings,
  comment: AkismetComment
) {
  const client = yield* HttpClient.HttpClient
  return yield* client.execute(akismetRequest(settings, comment)).pipe(
    Effect.flatMap(answerOf),
    Effect.timeoutOrElse({
      duration: Duration.millis(settings.timeoutMs),
      orElse: () => Effect.fail(new AkismetTimedOut())
    }),
    // No trace headers (traceparent, b3) to a third party: our span ids are ours.
    Effect.provideService(HttpClient.TracerPropagationEnabled, false),
    Effect.catchTags({
      AkismetTimedOut: () => Effect.fail(new AkismetUnavailable({ reason: "timeout" })),
      HttpClientError: (error) =>
        Effect.fail(
          new AkismetUnavailable({
            reason: unreachable(error) ? "unreachable" : "unexpected",
            detail: error.reason._tag,
            ...(error.response === undefined ? {} : { status: error.response.status }),
            // The socket's error, not the HttpClientError: that one holds the request, whose
            // body is our key and the visitor's message.
            cause: error.reason.cause
          })
        )
    })
  )
})
