/**
 * The Node server's pages (contract §1), around /contact (which src/adapters/node.ts
 * answers, with the same edge as Lambda): the demo form and its script, the success page, the
 * outbox (embedded mode only), the health check, and a 404 for anything else.
 */
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { AppConfigTag, type FormConfig } from "../config/app-config"
import { type CaptchaProvider, captchaProviders } from "../domain/captcha-providers"
import { defaultLanguage, isLanguage } from "../domain/languages"
import { formPageHeaders, securityHeaders, textHeaders } from "../http/headers"
import { acceptedLanguage } from "../http/negotiate"
import { type Banner, formPage } from "../pages/form"
import { formScript } from "../pages/form-script"
import { mailText, notFoundPage, outboxPage, sentPage } from "../pages/site"
import { allStrings, stringsFor } from "../pages/translations"
import { SecretsService } from "../services/secrets"
import { altchaWidget } from "./altcha-widget"
import { listOutbox, readMail } from "./outbox"
import type { ServerMode } from "./settings"

// The same headers as the answers of /contact: no script at all.
const pageHeaders = securityHeaders

const html = (body: string, headers: Record<string, string>, status = 200) =>
  HttpServerResponse.text(body, { status, contentType: "text/html; charset=utf-8", headers })

const plain = (body: string, status = 200) =>
  HttpServerResponse.text(body, {
    status,
    contentType: "text/plain; charset=utf-8",
    headers: textHeaders
  })

/** `?lang=` when supported, else `Accept-Language`, else the default. */
const pageStrings = Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
  const asked = new URL(request.url, "http://localhost").searchParams.get("lang") ?? undefined
  return stringsFor(
    isLanguage(asked)
      ? asked
      : (acceptedLanguage(request.headers["accept-language"]) ?? defaultLanguage)
  )
})

/** The origins of a form's absolute success URLs (a path stays on this origin). */
const successOrigins = (settings: FormConfig): ReadonlyArray<string> =>
  [settings.successUrl.default, ...Object.values(settings.successUrl.byLanguage)].flatMap((url) => {
    try {
      return url.startsWith("/") ? [] : [new URL(url).origin]
    } catch {
      return []
    }
  })

const notFound = Effect.map(pageStrings, (strings) => html(notFoundPage(strings), pageHeaders, 404))

export const siteApp = (options: { readonly mode: ServerMode; readonly outboxDir: string }) => {
  const banner = (provider: CaptchaProvider): Banner =>
    options.mode === "embedded" ? "embedded" : provider === "none" ? "captcha-off" : undefined

  /**
   * The form's widget with the sitekey of its secret (production mode only: embedded mode
   * has no captcha). A secret that cannot be read leaves the page without a widget, logged:
   * the form is still served, and a submission is refused for its missing token.
   */
  const captchaOf = (settings: FormConfig) =>
    Effect.gen(function* () {
      const provider = settings.captchaProvider
      if (options.mode === "embedded") return undefined
      const row = captchaProviders[provider]
      // ALTCHA needs no sitekey: its widget fetches a challenge from this server.
      const challengeUrl = settings.id === "default" ? "/altcha" : `/f/${settings.id}/altcha`
      if (row.check === "local") return { widget: row.widget, keys: { sitekey: "", challengeUrl } }
      if (row.check === "none") return undefined
      const secrets = yield* SecretsService
      const keys = yield* Effect.result(secrets.captcha(settings.captchaSecretId))
      const sitekey = Result.isSuccess(keys) ? keys.success[row.secret.sitekey] : undefined
      if (sitekey === undefined) {
        const reason = Result.isFailure(keys)
          ? `secret_${keys.failure.problem}`
          : `${row.secret.sitekey.toLowerCase()}_missing`
        yield* Effect.logWarning("demo form without its captcha widget").pipe(
          Effect.annotateLogs({ form: settings.id, reason })
        )
        return undefined
      }
      return { widget: row.widget, keys: { sitekey: Redacted.value(sitekey), challengeUrl } }
    })

  // `/?form=<id>` shows that form (contract §10), posting to /f/<id>; without it the
  // default form. An unknown id, or no default form, is a page not found.
  const form = Effect.gen(function* () {
    const config = yield* AppConfigTag
    const request = yield* HttpServerRequest.HttpServerRequest
    const asked = new URL(request.url, "http://localhost").searchParams.get("form") ?? "default"
    const settings = config.forms.get(asked)
    if (settings === undefined) return yield* notFound
    const strings = yield* pageStrings
    const captcha = yield* captchaOf(settings)
    const page = formPage(
      {
        strings,
        banner: banner(settings.captchaProvider),
        fallback: settings.fallback,
        formId: settings.id,
        captcha
      },
      allStrings
    )
    return html(page, formPageHeaders(captcha?.widget, successOrigins(settings)))
  })

  const sent = Effect.gen(function* () {
    const strings = yield* pageStrings
    const config = yield* AppConfigTag
    return html(sentPage(strings, banner(config.captcha.provider), allStrings), pageHeaders)
  })

  const outbox = Effect.gen(function* () {
    const strings = yield* pageStrings
    const mails = yield* listOutbox(options.outboxDir)
    return html(outboxPage(strings, mails), pageHeaders)
  }).pipe(
    Effect.catchTag("OutboxUnavailable", () => Effect.succeed(plain("Outbox unreadable", 500)))
  )

  const widget = Effect.flatMap(altchaWidget, (code) =>
    code === undefined
      ? notFound
      : Effect.succeed(
          HttpServerResponse.text(code, {
            contentType: "text/javascript; charset=utf-8",
            headers: textHeaders
          })
        )
  )

  const outboxMail = Effect.gen(function* () {
    const { file } = yield* HttpRouter.params
    const mail = yield* readMail(options.outboxDir, file ?? "")
    return Option.isSome(mail) ? plain(mailText(mail.value)) : yield* notFound
  })

  const routes = [
    HttpRouter.route("GET", "/healthz", Effect.succeed(plain("ok"))),
    HttpRouter.route("GET", "/", form),
    HttpRouter.route(
      "GET",
      "/form.js",
      Effect.succeed(
        HttpServerResponse.text(formScript, {
          contentType: "text/javascript; charset=utf-8",
          headers: textHeaders
        })
      )
    ),
    HttpRouter.route("GET", "/sent", sent),
    HttpRouter.route("GET", "/altcha.js", widget),
    ...(options.mode === "embedded"
      ? [
          HttpRouter.route("GET", "/outbox", outbox),
          HttpRouter.route("GET", "/outbox/:file", outboxMail)
        ]
      : []),
    // Anything else, any method: the page not found.
    HttpRouter.route("*", "*", notFound)
  ]
  return HttpRouter.toHttpEffect(HttpRouter.addAll(routes))
}
