/**
 * The edge: one request in, one answer out, whatever happened (contract §2 and §3).
 * The checks run in the contract's order; the answer's mode and language are known from the headers
 * first and once more after the body; a bug of ours still answers with the fallback page.
 * Both adapters (src/adapters/) call `respond`.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { type AppConfig, AppConfigTag, type FormConfig } from "../config/app-config"
import { type Fields, languageField } from "../domain/fields"
import { defaultLanguage, isLanguage } from "../domain/languages"
import { submit } from "../program"
import { RateLimiter } from "../services/rate-limit"
import type { Visitor } from "../services/spam"
import { answered, askedFor, failed, safely } from "./answering"
import { answerFor, answerForOutcome } from "./answers"
import { bodyFormat, parseBody } from "./body"
import { challengeServed } from "./challenge"
import { clientAddress } from "./client-address"
import { cors, securityHeaders } from "./headers"
import {
  type EdgeRequest,
  FormNotFound,
  MethodNotAllowed,
  OriginNotAllowed,
  RateLimited,
  UnsupportedEvent,
  UnsupportedMediaType
} from "./request"
import { preflightResponse, type View } from "./responses"

/** What a request is, once the checks before the form passed. */
type Read = Data.TaggedEnum<{
  Preflight: {}
  Submission: { readonly fields: Fields; readonly visitor: Visitor }
}>
const Read = Data.taggedEnum<Read>()

/** origin → method → rate limit → media type → size → parse (contract §2). */
const read = (request: EdgeRequest, config: AppConfig, originAllowed: boolean) =>
  Effect.gen(function* () {
    if (!originAllowed) return yield* new OriginNotAllowed()
    if (request.method === "OPTIONS") return Read.Preflight()
    if (request.method !== "POST") return yield* new MethodNotAllowed({})
    // Only POSTs count, and before their body is read: a flood costs no parsing.
    const limiter = yield* RateLimiter
    const address = clientAddress(
      request.peer,
      request.headers["x-forwarded-for"],
      config.trustProxyHops
    )
    const admission = yield* limiter.admit(address)
    if (admission._tag === "Limited") {
      return yield* new RateLimited({ retryAfterSeconds: admission.retryAfterSeconds })
    }
    const contentType = request.headers["content-type"]
    const format = bodyFormat(contentType)
    if (format === undefined) return yield* new UnsupportedMediaType()
    const bytes = yield* request.body(config.maxBodyBytes)
    const fields = yield* parseBody(format, bytes, contentType ?? "")
    return Read.Submission({
      fields,
      visitor: { address, userAgent: request.headers["user-agent"] }
    })
  })

export const respond = (request: EdgeRequest) =>
  Effect.gen(function* () {
    const config = yield* AppConfigTag
    // contract §10: the form first, before any other check.
    const form = config.forms.get(request.form)
    if (form === undefined) {
      const nowhere: View = { ...askedFor(request, config, undefined), headers: securityHeaders }
      return yield* safely(nowhere, answered(nowhere, answerFor(new FormNotFound())))
    }
    const answer =
      request.resource === "altcha"
        ? challengeServed(request, config, form)
        : served(request, config, form)
    return yield* answer.pipe(Effect.annotateLogs("form", form.id))
  }).pipe(Effect.annotateLogs("requestId", request.requestId))

/** The checks and the flow of one form's request; every log line names the form. */
const served = (request: EdgeRequest, config: AppConfig, form: FormConfig) =>
  Effect.gen(function* () {
    const { headers } = request
    const origin = cors(form.allowedOrigins, headers.origin)
    const asked: View = {
      ...askedFor(request, config, form),
      headers: { ...securityHeaders, ...origin.headers }
    }

    const checked = yield* Effect.exit(read(request, config, origin.allowed))
    if (Exit.isFailure(checked)) return yield* safely(asked, failed(asked, checked.cause))
    if (checked.value._tag === "Preflight") {
      yield* Effect.logDebug("preflight")
      return preflightResponse(asked, headers.origin !== undefined)
    }

    const { fields, visitor } = checked.value
    const field = languageField(fields)
    const view: View = { ...asked, fields, language: isLanguage(field) ? field : asked.language }
    const submitted = yield* Effect.exit(submit({ fields, language: view.language, form, visitor }))
    return yield* safely(
      view,
      Exit.match(submitted, {
        onSuccess: (outcome) => answered(view, answerForOutcome(outcome)),
        onFailure: (cause) => failed(view, cause)
      })
    )
  })

/**
 * An event that is no API request at all (contract §2: a console test event, a
 * misrouted trigger): 400 `unsupported_event` as JSON, a warning, never a thrown error.
 */
export const respondToUnsupportedEvent = (requestId: string) =>
  Effect.gen(function* () {
    const config = yield* AppConfigTag
    const view: View = {
      config,
      form: undefined,
      headers: securityHeaders,
      json: true,
      language: defaultLanguage
    }
    return yield* safely(view, answered(view, answerFor(new UnsupportedEvent())))
  }).pipe(Effect.annotateLogs("requestId", requestId))

/** What the edge needs from a runtime: configuration and the services. */
export type AppServices = Effect.Services<ReturnType<typeof respond>>
