/**
 * The HTTP edge: the checks of SPEC section 2 in their order, negotiation, CORS, security
 * headers, and THE table from typed errors to answers (SPEC section 3). Both adapters
 * (src/lambda-adapter.ts, src/node-adapter.ts) call `respond`.
 */
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Match from "effect/Match"
import { type AppConfig, AppConfigTag } from "./config"
import {
  type FieldIssue,
  type Fields,
  type FlowError,
  isKnownField,
  languageField,
  type Outcome
} from "./domain"
import { type ErrorKind, errorPage, issueText, mailtoLink } from "./pages/render"
import {
  defaultLanguage,
  fromAcceptLanguage,
  isLanguage,
  type Strings,
  stringsFor
} from "./pages/strings"
import { submit } from "./program"
import { type BodyUnreadable, bodyFormat, type Headers, parseBody, wantsJson } from "./request"

/** A request as the edge needs it, whatever runtime received it. */
export interface EdgeRequest {
  readonly method: string
  /** Lower-case names. */
  readonly headers: Headers
  /** The whole body: at most `maxBytes` (else PayloadTooLarge), or why it cannot be read. */
  readonly body: (maxBytes: number) => Effect.Effect<Uint8Array, PayloadTooLarge | BodyUnreadable>
  /** Annotates every log line of the request (Lambda's request id, or a fresh one). */
  readonly requestId: string
}

export interface EdgeResponse {
  readonly status: number
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export class OriginNotAllowed extends Data.TaggedError("OriginNotAllowed") {}
export class MethodNotAllowed extends Data.TaggedError("MethodNotAllowed") {}
export class UnsupportedMediaType extends Data.TaggedError("UnsupportedMediaType") {}
export class PayloadTooLarge extends Data.TaggedError("PayloadTooLarge") {}

type Failure =
  | FlowError
  | OriginNotAllowed
  | MethodNotAllowed
  | UnsupportedMediaType
  | PayloadTooLarge
  | BodyUnreadable

type LoggedOutcome = "invalid_form" | "captcha_failed" | "delivery_failed"

interface Answer {
  readonly status: number
  readonly error: ErrorKind
  readonly issues?: ReadonlyArray<FieldIssue>
  /** The submission's outcome for the log; none for requests that are not submissions. */
  readonly outcome?: LoggedOutcome
  readonly reason: string
  readonly level: "Debug" | "Info" | "Error"
}

const delivery = (reason: string): Answer => ({
  status: 500,
  error: "delivery_failed",
  outcome: "delivery_failed",
  reason,
  level: "Error"
})

const loggedField = (field: string) => (field === "_body" || isKnownField(field) ? field : "extra")

/** THE table: every typed failure and its answer. A new error type fails to compile here. */
const answers: { readonly [K in Failure["_tag"]]: (e: Extract<Failure, { _tag: K }>) => Answer } = {
  OriginNotAllowed: () => ({
    status: 403,
    error: "origin_not_allowed",
    reason: "origin",
    level: "Debug"
  }),
  MethodNotAllowed: () => ({
    status: 405,
    error: "method_not_allowed",
    reason: "method",
    level: "Debug"
  }),
  UnsupportedMediaType: () => ({
    status: 415,
    error: "unsupported_media_type",
    outcome: "invalid_form",
    reason: "media_type",
    level: "Info"
  }),
  PayloadTooLarge: () => ({
    status: 413,
    error: "payload_too_large",
    outcome: "invalid_form",
    reason: "too_large",
    level: "Info"
  }),
  BodyUnreadable: (e) => ({
    status: 400,
    error: "invalid_form",
    issues: e.issues,
    outcome: "invalid_form",
    reason: "body_unreadable",
    level: "Info"
  }),
  FormInvalid: (e) => ({
    status: 400,
    error: "invalid_form",
    issues: e.issues,
    outcome: "invalid_form",
    // An extra field's name is the visitor's own text (SPEC section 6): logged as `extra`.
    reason: `fields:${e.issues.map((i) => `${loggedField(i.field)}=${i.code}`).join(",")}`,
    level: "Info"
  }),
  CaptchaRejected: (e) => ({
    status: 400,
    error: "captcha_failed",
    outcome: "captcha_failed",
    reason: `captcha_${e.reason}`,
    level: "Info"
  }),
  CaptchaMisconfigured: (e) => delivery(`captcha_config_http_${e.status}_${e.code}`),
  SecretUnavailable: (e) => delivery(`secret_${e.secret}_${e.problem}`),
  MailAuthRejected: (e) => delivery(`smtp_auth_${e.code}`),
  MailRejected: (e) => delivery(`smtp_rejected_${e.code}`),
  MailUnavailable: (e) => delivery(`smtp_${e.reason}`)
}

const answerFor = (failure: Failure): Answer => Match.valueTags(failure, answers)

// ---------------------------------------------------------------------------------------
// Headers

export const securityHeaders = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  // Pages carry no script at all; inline style only.
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self' https: http:; frame-ancestors 'none'"
}

const allowedMethods = "POST, OPTIONS"

type Cors = { readonly allowed: boolean; readonly headers: Record<string, string> }

/** SPEC section 3: `*` when ALLOWED_ORIGINS is unset; else a listed origin is echoed. */
export const cors = (config: AppConfig, origin: string | undefined): Cors => {
  if (config.allowedOrigins === undefined)
    return { allowed: true, headers: { "access-control-allow-origin": "*" } }
  if (origin === undefined) return { allowed: true, headers: {} }
  return config.allowedOrigins.includes(origin)
    ? { allowed: true, headers: { "access-control-allow-origin": origin, vary: "Origin" } }
    : { allowed: false, headers: { vary: "Origin" } }
}

// ---------------------------------------------------------------------------------------
// The app

interface Seen {
  json: boolean
  language: string
  fields: Fields | undefined
}

const visitorText = (fields: Fields | undefined) => {
  if (fields === undefined) return undefined
  const get = (name: string) => fields.find(([n, v]) => n === name && v !== "")?.[1]
  const subject = get("subject")
  const body = get("body") ?? get("message")
  return { ...(subject === undefined ? {} : { subject }), ...(body === undefined ? {} : { body }) }
}

const jsonResponse = (
  status: number,
  body: unknown,
  headers: Record<string, string>
): EdgeResponse => ({
  status,
  headers: { ...headers, "content-type": "application/json; charset=utf-8" },
  body: JSON.stringify(body)
})

const failureResponse = (
  config: AppConfig,
  seen: Seen,
  answer: Answer,
  headers: Record<string, string>
) => {
  const strings: Strings = stringsFor(seen.language)
  const visitor = visitorText(seen.fields)
  const all = answer.status === 405 ? { ...headers, allow: allowedMethods } : headers
  if (seen.json) {
    const body: Record<string, unknown> = { ok: false, error: answer.error }
    if (answer.issues !== undefined) {
      body.issues = answer.issues.map((i) => ({ field: i.field, message: issueText(strings, i) }))
    }
    if (answer.error === "delivery_failed") {
      body.fallback = {
        email: config.fallback.email,
        ...(config.fallback.phone === undefined ? {} : { phone: config.fallback.phone }),
        mailto: mailtoLink(config.fallback.email, visitor)
      }
    }
    return jsonResponse(answer.status, body, all)
  }
  const html = errorPage({
    kind: answer.error,
    strings,
    fallback: config.fallback,
    ...(answer.issues === undefined ? {} : { issues: answer.issues }),
    ...(visitor === undefined ? {} : { visitor })
  })
  return {
    status: answer.status,
    headers: { ...all, "content-type": "text/html; charset=utf-8" },
    body: html
  }
}

const successResponse = (
  config: AppConfig,
  seen: Seen,
  headers: Record<string, string>
): EdgeResponse =>
  seen.json
    ? jsonResponse(200, { ok: true }, headers)
    : {
        status: 303,
        headers: {
          ...headers,
          location: config.successUrl.byLanguage[seen.language] ?? config.successUrl.default
        },
        body: ""
      }

/** The one log line of a submission that went through (SPEC section 6). */
const logOutcome = (outcome: Outcome) => {
  if (outcome._tag === "Honeypot") {
    return Effect.logInfo("submission").pipe(Effect.annotateLogs({ outcome: "honeypot" }))
  }
  const { captcha } = outcome
  return captcha._tag === "Unverified"
    ? Effect.logWarning("submission").pipe(
        Effect.annotateLogs({ outcome: "sent", captcha: `unverified:${captcha.reason}` })
      )
    : Effect.logInfo("submission").pipe(
        Effect.annotateLogs({ outcome: "sent", captcha: captcha._tag.toLowerCase() })
      )
}

const logAt = { Debug: Effect.logDebug, Info: Effect.logInfo, Error: Effect.logError }

/** The one log line of a refused request or a failed submission. */
const logFailure = (answer: Answer) =>
  logAt[answer.level](answer.outcome === undefined ? "request refused" : "submission").pipe(
    Effect.annotateLogs({
      status: answer.status,
      reason: answer.reason,
      ...(answer.outcome === undefined ? {} : { outcome: answer.outcome })
    })
  )

/** The edge: one request in, one answer out, whatever happened (SPEC sections 2 and 3). */
export const respond = (request: EdgeRequest) => {
  const headers = request.headers
  // What the answer is shaped by; updated once the body is read, and kept for the
  // defect branch too, so that even a bug of ours gives the visitor their text back.
  const seen: Seen = {
    json: wantsJson(headers),
    language: fromAcceptLanguage(headers["accept-language"]) ?? defaultLanguage,
    fields: undefined
  }
  return Effect.gen(function* () {
    const config = yield* AppConfigTag
    const corsCheck = cors(config, headers.origin)
    const base = { ...securityHeaders, ...corsCheck.headers }

    const flow = Effect.gen(function* () {
      if (!corsCheck.allowed) return yield* new OriginNotAllowed()
      if (request.method === "OPTIONS") return "preflight" as const
      if (request.method !== "POST") return yield* new MethodNotAllowed()
      const format = bodyFormat(headers["content-type"])
      if (format === undefined) return yield* new UnsupportedMediaType()
      const bytes = yield* request.body(config.maxBodyBytes)
      const fields = yield* parseBody(format, bytes, headers["content-type"] ?? "")
      seen.fields = fields
      const asked = languageField(fields)
      if (isLanguage(asked)) seen.language = asked
      return yield* submit({ fields, language: seen.language })
    })

    const result = yield* Effect.either(flow)
    if (Either.isRight(result)) {
      const outcome = result.right
      if (outcome !== "preflight") {
        const response = successResponse(config, seen, base)
        yield* logOutcome(outcome)
        return response
      }
      const preflight =
        headers.origin === undefined
          ? { allow: allowedMethods }
          : {
              "access-control-allow-methods": allowedMethods,
              "access-control-allow-headers": "Content-Type, Accept, X-Requested-With",
              "access-control-max-age": "600"
            }
      yield* Effect.logDebug("preflight")
      const answer: EdgeResponse = { status: 204, headers: { ...base, ...preflight }, body: "" }
      return answer
    }
    const answer = answerFor(result.left)
    // Rendered before it is logged: a rendering defect is then logged once, as a defect.
    const response = failureResponse(config, seen, answer, base)
    yield* logFailure(answer)
    return response
  }).pipe(
    // A defect is a bug of ours, not a typed failure: still answer with the fallback page.
    Effect.catchAllCause((cause) =>
      Effect.gen(function* () {
        yield* Effect.logError("unexpected defect").pipe(
          Effect.annotateLogs({
            outcome: "delivery_failed",
            reason: "defect",
            defect: Cause.pretty(cause).split("\n")[0] ?? ""
          })
        )
        const config = yield* AppConfigTag
        const base = { ...securityHeaders, ...cors(config, headers.origin).headers }
        return failureResponse(config, seen, delivery("defect"), base)
      })
    ),
    Effect.annotateLogs("requestId", request.requestId)
  )
}

/** What the edge needs from a runtime: configuration and the three services. */
export type AppServices = Effect.Effect.Context<ReturnType<typeof respond>>
