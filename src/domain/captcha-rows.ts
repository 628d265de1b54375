/**
 * The shape of a row of the captcha provider table (./captcha-providers.ts): what a remote
 * provider, a provider checked here (ALTCHA) and no captcha each say, and a widget.
 */
import type { CodeOutcomes } from "./captcha-outcomes"

/** The provider's own script and element, and the origins a page's CSP must allow for them. */
export interface Widget {
  /** `<script>` elements, in order: `module` ones get `type="module"`, `nomodule` ones that attribute. */
  readonly scripts: ReadonlyArray<{
    readonly src: string
    readonly kind?: "module" | "nomodule"
  }>
  /**
   * The element the page puts in its form: a `div` of the provider's class carrying the
   * sitekey, or ALTCHA's web component carrying the URL of its challenge.
   */
  readonly element:
    | { readonly kind: "sitekey"; readonly className: string }
    | { readonly kind: "challenge"; readonly tag: string }
  /** CSP sources by directive (script-src, frame-src, connect-src, worker-src, style-src). */
  readonly csp: Readonly<Partial<Record<CspDirective, ReadonlyArray<string>>>>
  /** Where the provider documents its widget. */
  readonly docs: string
}

export type CspDirective = "script-src" | "frame-src" | "connect-src" | "worker-src" | "style-src"

export interface RemoteRow {
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

/** Checked by our own code (ALTCHA): no third party, nothing remote that can be down. */
export interface LocalRow {
  readonly check: "local"
  readonly field: string
  /**
   * The captcha secret's JSON keys: the HMAC key that signs challenges, and the optional
   * one that signs their derived keys (altcha-lib's deterministic mode).
   */
  readonly secret: { readonly key: string; readonly keySignature: string }
  readonly widget: Widget
  readonly title: string
}

export interface NoneRow {
  readonly check: "none"
  readonly title: string
}

export type ProviderRow = RemoteRow | LocalRow | NoneRow
