/**
 * The answers themselves: JSON or a page in the visitor's language, the fallback contact
 * and what the visitor wrote on every failure, the redirect or `{"ok":true}` on success.
 */
import type { AppConfig, FormConfig } from "../config/app-config"
import { type Fields, visitorText } from "../domain/fields"
import type { Language } from "../domain/languages"
import { messageCharactersWithin } from "../domain/limits"
import { errorPage, issueText, mailtoLink } from "../pages/render"
import { stringsFor } from "../pages/translations"
import type { Answer, Refused } from "./answer"
import { allowedMethods } from "./headers"
import type { EdgeResponse } from "./request"

/** What an answer is shaped by, known once per request and once more after the body. */
export interface View {
  readonly config: AppConfig
  /** The form the request is for: its fallback and success URL; none when it names none. */
  readonly form: FormConfig | undefined
  /** The security and CORS headers of every answer to this request. */
  readonly headers: Readonly<Record<string, string>>
  readonly json: boolean
  readonly language: Language
  /** The body's fields, once it was read: the pages give the visitor their text back. */
  readonly fields?: Fields
}

const jsonResponse = (
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>>
): EdgeResponse => ({
  status,
  headers: { ...headers, "content-type": "application/json; charset=utf-8" },
  body: JSON.stringify(body)
})

/** The 413's promise, in characters of a message: what MAX_BODY_BYTES always has room for. */
const sizeLimit = (view: View) => messageCharactersWithin(view.config.maxBodyBytes)

const refusedResponse = (view: View, answer: Refused): EdgeResponse => {
  const fallback = view.form?.fallback
  const strings = stringsFor(view.language)
  const tooLarge = answer.page === "payload_too_large"
  const visitor = view.fields === undefined ? undefined : visitorText(view.fields)
  const headers = { ...view.headers, ...answer.headers }
  if (view.json) {
    const body: Record<string, unknown> = { ok: false, error: answer.error }
    if (answer.issues !== undefined) {
      body.issues = answer.issues.map((i) => ({ field: i.field, message: issueText(strings, i) }))
    }
    if (answer.kept === true) body.kept = true
    if (tooLarge) body.maxMessageCharacters = sizeLimit(view)
    if (answer.fallback === true && fallback !== undefined) {
      body.fallback = {
        email: fallback.email,
        ...(fallback.phone === undefined ? {} : { phone: fallback.phone }),
        mailto: mailtoLink(fallback.email, answer.prefill === true ? visitor : undefined)
      }
    }
    return jsonResponse(answer.status, body, headers)
  }
  const html = errorPage({
    kind: answer.page,
    strings,
    ...(fallback === undefined ? {} : { fallback }),
    prefill: answer.prefill === true,
    ...(tooLarge ? { note: strings.sizeLimit(sizeLimit(view)) } : {}),
    ...(answer.issues === undefined ? {} : { issues: answer.issues }),
    ...(answer.retryAfterSeconds === undefined
      ? {}
      : { retryAfterSeconds: answer.retryAfterSeconds }),
    ...(visitor === undefined ? {} : { visitor })
  })
  return {
    status: answer.status,
    headers: { ...headers, "content-type": "text/html; charset=utf-8" },
    body: html
  }
}

/** Only a form's submission is accepted: its success URL, of the language. */
const acceptedResponse = (view: View, queued: boolean): EdgeResponse =>
  view.json
    ? jsonResponse(200, queued ? { ok: true, queued: true } : { ok: true }, view.headers)
    : {
        status: 303,
        headers: {
          ...view.headers,
          location:
            view.form?.successUrl.byLanguage[view.language] ?? view.form?.successUrl.default ?? "/"
        },
        body: ""
      }

/** The answer of the table (src/http/answers.ts) in the request's mode and language. */
export const response = (view: View, answer: Answer): EdgeResponse =>
  answer._tag === "Accepted" ? acceptedResponse(view, answer.queued) : refusedResponse(view, answer)

/** CORS preflight from a listed origin (or any, without ALLOWED_ORIGINS); plain OPTIONS. */
export const preflightResponse = (
  view: View,
  fromBrowser: boolean,
  methods: string = allowedMethods
): EdgeResponse => ({
  status: 204,
  headers: {
    ...view.headers,
    ...(fromBrowser
      ? {
          "access-control-allow-methods": methods,
          "access-control-allow-headers": "Content-Type, Accept, X-Requested-With",
          "access-control-max-age": "600"
        }
      : { allow: methods })
  },
  body: ""
})
