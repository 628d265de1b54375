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
import type { ProviderRow, Widget } from "./captcha-rows"

export type { CspDirective, ProviderRow, Widget } from "./captcha-rows"

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
      element: { kind: "sitekey", className: "frc-captcha" },
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
      element: { kind: "sitekey", className: "frc-captcha" },
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
      element: { kind: "sitekey", className: "cf-turnstile" },
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
      element: { kind: "sitekey", className: "h-captcha" },
      csp: {
        "script-src": ["https://hcaptcha.com", "https://*.hcaptcha.com"],
        "frame-src": ["https://hcaptcha.com", "https://*.hcaptcha.com"],
        "style-src": ["https://hcaptcha.com", "https://*.hcaptcha.com"],
        "connect-src": ["https://hcaptcha.com", "https://*.hcaptcha.com"]
      },
      docs: "https://docs.hcaptcha.com/"
    }
  },
  altcha: {
    check: "local",
    title: "ALTCHA (self-hosted)",
    field: "altcha",
    secret: { key: "ALTCHA_HMAC_SECRET", keySignature: "ALTCHA_HMAC_KEY_SECRET" },
    widget: {
      // The widget's own file (npm `altcha`), served by the site itself: the server serves
      // it at /altcha.js; a site in front of the Lambda function hosts it the same way.
      scripts: [{ src: "/altcha.js", kind: "module" }],
      element: { kind: "challenge", tag: "altcha-widget" },
      csp: { "worker-src": ["blob:"] },
      docs: "https://altcha.org/docs/v2/widget-integration"
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
  return row.check === "none" ? undefined : row.field
}

/** The widget of `provider`; `undefined` without a captcha. */
export const widgetOf = (provider: CaptchaProvider): Widget | undefined => {
  const row = providerRow(provider)
  return row.check === "none" ? undefined : row.widget
}

/** Every provider's token field: never a visitor's own text, whichever provider a form uses. */
export const captchaFields: ReadonlyArray<string> = [
  ...new Set(captchaProviderIds.flatMap((p) => tokenFieldOf(p) ?? []))
]

/** `CAPTCHA_VERIFY_URL_<PROVIDER>`: the id in upper case, `-` as `_`. */
export const verifyUrlVariable = (provider: RemoteProvider): string =>
  `CAPTCHA_VERIFY_URL_${provider.toUpperCase().replaceAll("-", "_")}`
