/**
 * GET /altcha and /f/<id>/altcha (contract §4): a fresh ALTCHA challenge of the form, as
 * its widget fetches it. JSON always, never cached, CORS as for the form's submissions;
 * not counted by the rate limit (only POSTs are). A form without ALTCHA has none (404).
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { AppConfig, FormConfig } from "../config/app-config"
import { CaptchaService } from "../services/captcha"
import { answered, askedFor, failed, safely } from "./answering"
import { answerFor } from "./answers"
import { cors, securityHeaders } from "./headers"
import { type EdgeRequest, type EdgeResponse, MethodNotAllowed, OriginNotAllowed } from "./request"
import { preflightResponse, type View } from "./responses"

const methods = "GET, OPTIONS"

export const challengeServed = (request: EdgeRequest, config: AppConfig, form: FormConfig) =>
  Effect.gen(function* () {
    const origin = cors(form.allowedOrigins, request.headers.origin)
    // The widget reads JSON, whatever its Accept says.
    const view: View = {
      ...askedFor(request, config, form),
      json: true,
      headers: { ...securityHeaders, ...origin.headers }
    }
    const refuse = (failure: OriginNotAllowed | MethodNotAllowed) =>
      safely(view, answered(view, answerFor(failure)))
    if (!origin.allowed) return yield* refuse(new OriginNotAllowed())
    if (request.method === "OPTIONS")
      return preflightResponse(view, request.headers.origin !== undefined, methods)
    if (request.method !== "GET") return yield* refuse(new MethodNotAllowed({ allow: methods }))
    const captcha = yield* CaptchaService
    const created = yield* Effect.exit(
      captcha.challenge(form.captchaProvider, form.captchaSecretId)
    )
    if (Exit.isFailure(created)) return yield* safely(view, failed(view, created.cause))
    yield* Effect.logDebug("altcha challenge")
    const answer: EdgeResponse = {
      status: 200,
      headers: { ...view.headers, "content-type": "application/json; charset=utf-8" },
      body: created.value
    }
    return answer
  })
