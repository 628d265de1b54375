/**
 * The edge: one request in, one answer out, whatever happened (SPEC sections 2 and 3).
 * The checks run in SPEC order; the answer's mode and language are known from the headers
 * first and once more after the body; a bug of ours still answers with the fallback page.
 * Both adapters (src/adapters/) call `respond`.
 */
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import { type AppConfig, AppConfigTag } from "../config/app-config"
import type { Outcome } from "../domain/errors"
import { type Fields, languageField } from "../domain/fields"
import { defaultLanguage, isLanguage } from "../domain/languages"
import { submit } from "../program"
import { type Answer, answerFor, defectAnswer, type Failure } from "./answers"
import { bodyFormat, parseBody } from "./body"
import { cors, securityHeaders } from "./headers"
import { acceptedLanguage, wantsJson } from "./negotiate"
import {
  type EdgeRequest,
  type EdgeResponse,
  MethodNotAllowed,
  OriginNotAllowed,
  UnsupportedMediaType
} from "./request"
import { failureResponse, preflightResponse, successResponse, type View } from "./responses"

/** What a request is, once the checks before the form passed. */
type Read = Data.TaggedEnum<{
  Preflight: {}
  Submission: { readonly fields: Fields }
}>
const Read = Data.taggedEnum<Read>()

/** origin → method → media type → size → parse (SPEC section 2). */
const read = (request: EdgeRequest, config: AppConfig, originAllowed: boolean) =>
  Effect.gen(function* () {
    if (!originAllowed) return yield* new OriginNotAllowed()
    if (request.method === "OPTIONS") return Read.Preflight()
    if (request.method !== "POST") return yield* new MethodNotAllowed()
    const contentType = request.headers["content-type"]
    const format = bodyFormat(contentType)
    if (format === undefined) return yield* new UnsupportedMediaType()
    const bytes = yield* request.body(config.maxBodyBytes)
    const fields = yield* parseBody(format, bytes, contentType ?? "")
    return Read.Submission({ fields })
  })

// ---------------------------------------------------------------------------------------
// The log lines (SPEC section 6): one per submission, never the visitor's text.

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

/** A refused request, or a failed submission. */
const logFailure = (answer: Answer) =>
  logAt[answer.level](answer.outcome === undefined ? "request refused" : "submission").pipe(
    Effect.annotateLogs({
      status: answer.status,
      reason: answer.reason,
      ...(answer.outcome === undefined ? {} : { outcome: answer.outcome })
    })
  )

// ---------------------------------------------------------------------------------------
// Answers, each rendered before it is logged: a rendering defect is then logged once.

const defect = (view: View, cause: Cause.Cause<unknown>) =>
  Effect.logError("unexpected defect").pipe(
    Effect.annotateLogs({
      outcome: "delivery_failed",
      reason: "defect",
      defect: Cause.pretty(cause).split("\n")[0] ?? ""
    }),
    Effect.zipRight(Effect.sync(() => failureResponse(view, defectAnswer)))
  )

const failed = (view: View, cause: Cause.Cause<Failure>): Effect.Effect<EdgeResponse> =>
  Either.match(Cause.failureOrCause(cause), {
    onLeft: (failure) => {
      const answer = answerFor(failure)
      return Effect.sync(() => failureResponse(view, answer)).pipe(Effect.tap(logFailure(answer)))
    },
    onRight: (other) => defect(view, other)
  })

const succeeded = (view: View, outcome: Outcome) =>
  Effect.sync(() => successResponse(view)).pipe(Effect.tap(logOutcome(outcome)))

/** Our own bug in building an answer still answers, with the fallback page. */
const safely = (view: View, answer: Effect.Effect<EdgeResponse>) =>
  Effect.catchAllDefect(answer, (bug) => defect(view, Cause.die(bug)))

export const respond = (request: EdgeRequest) =>
  Effect.gen(function* () {
    const { headers } = request
    const config = yield* AppConfigTag
    const origin = cors(config, headers.origin)
    const asked: View = {
      config,
      headers: { ...securityHeaders, ...origin.headers },
      json: wantsJson(headers),
      language: acceptedLanguage(headers["accept-language"]) ?? defaultLanguage
    }

    const checked = yield* Effect.exit(read(request, config, origin.allowed))
    if (Exit.isFailure(checked)) return yield* safely(asked, failed(asked, checked.cause))
    if (checked.value._tag === "Preflight") {
      yield* Effect.logDebug("preflight")
      return preflightResponse(asked, headers.origin !== undefined)
    }

    const { fields } = checked.value
    const field = languageField(fields)
    const view: View = { ...asked, fields, language: isLanguage(field) ? field : asked.language }
    const submitted = yield* Effect.exit(submit({ fields, language: view.language }))
    return yield* safely(
      view,
      Exit.match(submitted, {
        onSuccess: (outcome) => succeeded(view, outcome),
        onFailure: (cause) => failed(view, cause)
      })
    )
  }).pipe(Effect.annotateLogs("requestId", request.requestId))

/** What the edge needs from a runtime: configuration and the three services. */
export type AppServices = Effect.Effect.Context<ReturnType<typeof respond>>
