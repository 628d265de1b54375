/**
 * The headers every answer carries (contract §3): no caching, no sniffing, a CSP for
 * every page, and CORS, which is the application's alone (API Gateway adds none).
 */
import type { CspDirective, Widget } from "../domain/captcha-providers"

const csp = (script: ReadonlyArray<string>, formAction: string, style = "'unsafe-inline'") =>
  [
    "default-src 'none'",
    ...script,
    `style-src ${style}`,
    "img-src data:",
    "base-uri 'none'",
    `form-action ${formAction}`,
    "frame-ancestors 'none'"
  ].join("; ")

/** Answers and pages: no script at all, inline style only. */
export const securityHeaders = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy": csp([], "'self' https: http:")
} as const

/**
 * The demo form: its own /form.js, which posts to this origin; with a captcha widget, the
 * origins its provider's row lists (scripts, frames, requests, workers, styles), on this
 * page alone. `redirects`: the origins of the form's success URLs, where a plain POST is
 * sent on (a browser checks `form-action` on the redirect too).
 */
export const formPageHeaders = (
  widget: Widget | undefined,
  redirects: ReadonlyArray<string> = []
): Readonly<Record<string, string>> => {
  const sources = (directive: CspDirective, own: ReadonlyArray<string>) => {
    const all = [...own, ...(widget?.csp[directive] ?? [])]
    return all.length === 0 ? [] : [`${directive} ${all.join(" ")}`]
  }
  return {
    ...securityHeaders,
    "content-security-policy": csp(
      [
        ...sources("script-src", ["'self'"]),
        ...sources("connect-src", ["'self'"]),
        ...sources("frame-src", []),
        ...sources("worker-src", [])
      ],
      ["'self'", ...new Set(redirects)].join(" "),
      ["'unsafe-inline'", ...(widget?.csp["style-src"] ?? [])].join(" ")
    )
  }
}

/** What is not a page (the health check, a mail's text, the form's script): nothing at all. */
export const textHeaders = {
  ...securityHeaders,
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'"
} as const

export const allowedMethods = "POST, OPTIONS"

export interface Cors {
  readonly allowed: boolean
  readonly headers: Readonly<Record<string, string>>
}

/**
 * contract §3: `*` when the form's origins are unset (ALLOWED_ORIGINS, or its own);
 * else a listed origin is echoed.
 */
export const cors = (
  allowedOrigins: ReadonlyArray<string> | undefined,
  origin: string | undefined
): Cors => {
  if (allowedOrigins === undefined)
    return { allowed: true, headers: { "access-control-allow-origin": "*" } }
  if (origin === undefined) return { allowed: true, headers: {} }
  return allowedOrigins.includes(origin)
    ? { allowed: true, headers: { "access-control-allow-origin": origin, vary: "Origin" } }
    : { allowed: false, headers: { vary: "Origin" } }
}
