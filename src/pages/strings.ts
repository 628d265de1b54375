/**
 * Every text a visitor reads, as one language file (`en.ts`, `de.ts`, …) must give it.
 * A language file that lacks one of these does not compile.
 */
import type { IssueCode } from "../domain/issues"
import type { Language } from "../domain/languages"

export interface Strings {
  readonly lang: Language
  readonly errors: {
    readonly invalid_form: { readonly title: string; readonly lead: string }
    readonly captcha_failed: { readonly title: string; readonly lead: string }
    readonly delivery_failed: { readonly title: string; readonly lead: string }
    readonly origin_not_allowed: { readonly title: string; readonly lead: string }
    readonly method_not_allowed: { readonly title: string; readonly lead: string }
    readonly payload_too_large: { readonly title: string; readonly lead: string }
    readonly unsupported_media_type: { readonly title: string; readonly lead: string }
    /** 409: the captcha API says the token was used (contract §9). */
    readonly already_received: { readonly title: string; readonly lead: string }
    /** 429: one address sent too many (contract §9). */
    readonly rate_limited: { readonly title: string; readonly lead: string }
    /** 404: no form at this address (contract §10); the page names no contact. */
    readonly form_not_found: { readonly title: string; readonly lead: string }
    /** The 500 page when the message is kept and will be delivered later (contract §7). */
    readonly delivery_kept: { readonly title: string; readonly lead: string }
    /**
     * The 500 page when the relay may have the message but never confirmed, and nothing
     * could keep it (contract §7a): it has probably arrived; no "already" wording.
     */
    readonly delivery_unknown: { readonly title: string; readonly lead: string }
  }
  /** The 413 page: how long a message may be; `characters` is already formatted (10,000). */
  readonly sizeLimit: (characters: number) => string
  /** The 429 page: when to try again. */
  readonly retryAfter: (seconds: number) => string
  readonly fallbackLead: string
  readonly fallbackEmail: string
  readonly fallbackPhone: string
  readonly writeUs: string
  readonly yourMessage: string
  readonly subjectLabel: string
  readonly messageLabel: string
  readonly back: string
  /** What is wrong with a field; `max` is the limit where there is one. */
  readonly issues: Readonly<Record<IssueCode, (max: number) => string>>
  /** Field names shown on the 400 page, by the name the form uses. */
  readonly fieldNames: Readonly<Record<string, string>>
  readonly form: {
    readonly title: string
    readonly intro: string
    readonly name: string
    readonly email: string
    readonly subject: string
    readonly message: string
    readonly send: string
    readonly sending: string
    readonly required: string
    readonly honeypot: string
    readonly sent: string
    readonly sentLead: string
    readonly captchaOff: string
    readonly outbox: string
    /** The language's own name, for the language switch. */
    readonly languageName: string
    readonly languageNav: string
    /** Production mode with CAPTCHA_PROVIDER=none. */
    readonly captchaOffProduction: string
    readonly another: string
    readonly outboxLead: string
    readonly outboxEmpty: string
    readonly outboxColumns: {
      readonly date: string
      readonly subject: string
      readonly from: string
      readonly replyTo: string
    }
    readonly notFound: { readonly title: string; readonly lead: string }
  }
}
