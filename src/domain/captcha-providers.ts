/**
 * The captcha providers, one row each (contract §4): the form field that carries the
 * token, the keys of the captcha secret, where it is checked, how the provider's error
 * codes map onto the outcomes every provider shares, and the widget a page shows. The
 * configuration's allowed values, the CDK parameter's, the form snippet and the demo page
 * all read this table; each remote row has its protocol in src/services/ (a row without
 * one does not compile there).
 *
 * Adding a provider: a row here, a protocol file in src/services/, its peer and tests.
 */
import type { CodeOutcomes } from "./captcha-outcomes"

/** The provider's own script and element, and the origins a page's CSP must allow for them. */
export interface Widget {
  /** `<script>` elements, in order: `module` ones get `type="module"`, `nomodule` ones that attribute. */
  readonly scripts: ReadonlyArray<{
    readonly src: string
    readonly kind?: "module" | "nomodule"
  }>
  /** The element's class; it carries `data-sitekey`. */
  readonly className: string
  /** CSP sources by directive (script-src, frame-src, connect-src, worker-src, style-src). */
  readonly csp: Readonly<Partial<Record<CspDirective, ReadonlyArray<string>>>>
  /** Where the provider documents its widget. */
  readonly docs: string
}

export type CspDirective = "script-src" | "frame-src" | "connect-src" | "worker-src" | "style-src"

interface RemoteRow {
  readonly check: "remote"
  /** The form field the widget fills with its token. */
  readonly field: string
  /** The captcha secret's JSON keys: the public sitekey, and the key that authenticates us. */
  readonly secret: { readonly sitekey: string; readonly key: string }
  /** The siteverify endpoint (CAPTCHA_VERIFY_URL and CAPTCHA_VERIFY_URL_<PROVIDER> override it). */
  readonly verifyUrl: string
  readonly codes: CodeOutcomes
  readonly widget: Widget
  /** A short name for people (logs, docs). */
  readonly title: string
}

interface NoneRow {
  readonly check: "none"
  readonly title: string
}

export type ProviderRow = RemoteRow | NoneRow

const jsdelivr = "https://cdn.jsdelivr.net"

export const captchaProviders = {
  "friendlycaptcha-v2": {
    check: "remote",
    title: "FriendlyCaptcha v2",
    field: "frc-captcha-response",
    secret: { sitekey: "FRIENDLYCAPTCHA_SITEKEY", key: "FRIENDLYCAPTCHA_API_KEY" },
    verifyUrl: "https://global.frcapi.com/api/v2/captcha/siteverify",
    codes: {
      already_received: ["response_duplicate"],
      misconfigured: ["auth_required", "auth_invalid", "sitekey_invalid"],
      unavailable: []
    },
    widget: {
      scripts: [
        { src: `${jsdelivr}/npm/@friendlycaptcha/sdk@0.2.0/site.min.js`, kind: "module" },
        { src: `${jsdelivr}/npm/@friendlycaptcha/sdk@0.2.0/site.compat.min.js`, kind: "nomodule" }
      ],
      className: "frc-captcha",
      csp: {
        "script-src": [jsdelivr],
        "frame-src": ["https://global.frcapi.com", "https://eu.frcapi.com"],
        "connect-src": ["https://global.frcapi.com", "https://eu.frcapi.com"]
      },
      docs: "https://developer.friendlycaptcha.com/docs/v2/getting-started/install"
    }
  },
  "friendlycaptcha-v1": {
    check: "remote",
    title: "FriendlyCaptcha v1",
    field: "frc-captcha-solution",
    secret: { sitekey: "FRIENDLYCAPTCHA_SITEKEY", key: "FRIENDLYCAPTCHA_SECRET" },
    verifyUrl: "https://api.friendlycaptcha.com/api/v1/siteverify",
    // v1 has one code for both: a token used before, or one too old.
    codes: {
      already_received: ["solution_timeout_or_duplicate"],
      misconfigured: ["secret_missing", "secret_invalid"],
      unavailable: []
    },
    widget: {
      scripts: [
        { src: `${jsdelivr}/npm/friendly-challenge@0.9.19/widget.module.min.js`, kind: "module" },
        { src: `${jsdelivr}/npm/friendly-challenge@0.9.19/widget.min.js`, kind: "nomodule" }
      ],
      className: "frc-captcha",
      csp: {
        "script-src": [jsdelivr, "'wasm-unsafe-eval'"],
        "worker-src": ["blob:"],
        "connect-src": ["https://api.friendlycaptcha.com", "https://eu-api.friendlycaptcha.eu"]
      },
      docs: "https://developer.friendlycaptcha.com/docs/v1/getting-started/"
    }
  },
  turnstile: {
    check: "remote",
    title: "Cloudflare Turnstile",
    field: "cf-turnstile-response",
    secret: { sitekey: "TURNSTILE_SITEKEY", key: "TURNSTILE_SECRET" },
    verifyUrl: "https://challenges.cloudflare.com/turnstile/v0/siteverify",
    codes: {
      already_received: ["timeout-or-duplicate"],
      misconfigured: ["missing-input-secret", "invalid-input-secret"],
      unavailable: ["internal-error"]
    },
    widget: {
      scripts: [{ src: "https://challenges.cloudflare.com/turnstile/v0/api.js" }],
      className: "cf-turnstile",
      csp: {
        "script-src": ["https://challenges.cloudflare.com"],
        "frame-src": ["https://challenges.cloudflare.com"]
      },
      docs: "https://developers.cloudflare.com/turnstile/get-started/client-side-rendering/"
    }
  },
  hcaptcha: {
    check: "remote",
    title: "hCaptcha",
    field: "h-captcha-response",
    secret: { sitekey: "HCAPTCHA_SITEKEY", key: "HCAPTCHA_SECRET" },
    verifyUrl: "https://api.hcaptcha.com/siteverify",
    // hCaptcha has one code for a token used before and an invalid one: the 409 page (the
    // text, the fallback, nothing sent) is right for a visitor and tells a bot nothing.
    codes: {
      already_received: ["invalid-or-already-seen-response", "already-seen-response"],
      misconfigured: ["missing-input-secret", "invalid-input-secret", "sitekey-secret-mismatch"],
      unavailable: []
    },
    widget: {
      scripts: [{ src: "https://js.hcaptcha.com/1/api.js" }],
      className: "h-captcha",
      csp: {
        "script-src": ["https://hcaptcha.com", "https://*.hcaptcha.com"],
        "frame-src": ["https://hcaptcha.com", "https://*.hcaptcha.com"],
        "style-src": ["https://hcaptcha.com", "https://*.hcaptcha.com"],
        "connect-src": ["https://hcaptcha.com", "https://*.hcaptcha.com"]
      },
      docs: "https://docs.hcaptcha.com/"
    }
  },
  none: { check: "none", title: "no captcha" }
} as const satisfies Record<string, ProviderRow>

export type CaptchaProvider = keyof typeof captchaProviders
export type RemoteProvider = {
  readonly [P in CaptchaProvider]: (typeof captchaProviders)[P] extends { readonly check: "remote" }
    ? P
    : never
}[CaptchaProvider]

export const captchaProviderIds = Object.keys(captchaProviders) as ReadonlyArray<CaptchaProvider>

export const isRemoteProvider = (provider: CaptchaProvider): provider is RemoteProvider =>
  captchaProviders[provider].check === "remote"

export const remoteProviderIds = captchaProviderIds.filter(isRemoteProvider)

export const isCaptchaProvider = (value: string): value is CaptchaProvider =>
  Object.hasOwn(captchaProviders, value)

export const providerRow = (provider: CaptchaProvider): ProviderRow => captchaProviders[provider]

/** The form field of `provider`'s token; `undefined` without a captcha. */
export const tokenFieldOf = (provider: CaptchaProvider): string | undefined => {
  const row = providerRow(provider)
  return row.check === "remote" ? row.field : undefined
}

/** Every provider's token field: never a visitor's own text, whichever provider a form uses. */
export const captchaFields: ReadonlyArray<string> = [
  ...new Set(captchaProviderIds.flatMap((p) => tokenFieldOf(p) ?? []))
]

/** `CAPTCHA_VERIFY_URL_<PROVIDER>`: the id in upper case, `-` as `_`. */
export const verifyUrlVariable = (provider: RemoteProvider): string =>
  `CAPTCHA_VERIFY_URL_${provider.toUpperCase().replaceAll("-", "_")}`
