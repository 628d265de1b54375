/**
 * What makes two requests one submission (SPEC section 9): the same form, the same captcha
 * token and the same decoded form. Two visitors never share a token, so a repeat is the
 * same visitor sending the same thing again (a double-click, a reload, the back button).
 */
import { createHash } from "node:crypto"
import type { ContactForm } from "./form"

/**
 * A SHA-256 of the key's canonical JSON: fixed in size whatever the visitor wrote, and
 * holding none of it. `token` is `null` without a captcha (CAPTCHA_PROVIDER=none). The
 * language is left out: a repeat in another language is still the same message.
 */
export const submissionKey = (formId: string, token: string | null, form: ContactForm): string =>
  createHash("sha256")
    .update(
      JSON.stringify([
        formId,
        token,
        form.email,
        form.name ?? null,
        form.subject ?? null,
        form.body,
        form.extras
      ])
    )
    .digest("base64url")
