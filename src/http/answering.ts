/**
 * The edge's answering, shared by the submissions (./respond.ts) and the ALTCHA challenge
 * (./challenge.ts): each answer rendered before it is logged, so a rendering defect is
 * logged once; a bug of ours still answers, with the fallback page.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import type { AppConfig, FormConfig } from "../config/app-config"
import { defaultLanguage } from "../domain/languages"
import { type LogLine, writeLine } from "../logging"
import type { Answer } from "./answer"
import { answerFor, defectAnswer, type Failure } from "./answers"
import { acceptedLanguage, wantsJson } from "./negotiate"
import type { EdgeRequest, EdgeResponse } from "./request"
import { response, type View } from "./responses"

const logLine = (view: View, line: LogLine) => writeLine(line, view.config.metricsNamespace)

export const answered = (view: View, answer: Answer): Effect.Effect<EdgeResponse> =>
  Effect.sync(() => response(view, answer)).pipe(Effect.tap(logLine(view, answer.log)))

const defect = (view: View, cause: Cause.Cause<unknown>) =>
  logLine(view, defectAnswer.log).pipe(
    Effect.annotateLogs({ defect: Cause.pretty(cause).split("\n")[0] ?? "" }),
    Effect.andThen(Effect.sync(() => response(view, defectAnswer)))
  )

export const failed = (view: View, cause: Cause.Cause<Failure>): Effect.Effect<EdgeResponse> =>
  Result.match(Cause.findError(cause), {
    onSuccess: (failure) => answered(view, answerFor(failure)),
    onFailure: (other) => defect(view, other)
  })

/** Our own bug in building an answer still answers, with the fallback page. */
export const safely = (view: View, answer: Effect.Effect<EdgeResponse>) =>
  Effect.catchDefect(answer, (bug) => defect(view, Cause.die(bug)))

export const askedFor = (
  request: EdgeRequest,
  config: AppConfig,
  form: FormConfig | undefined
) => ({
  config,
  form,
  json: wantsJson(request.headers),
  language: acceptedLanguage(request.headers["accept-language"]) ?? defaultLanguage
})
