/**
 * What makes two requests one submission (SPEC section 9): the same form, the same captcha
 * token and the same decoded form. Two visitors never share a token, so a repeat is the
 * same visitor sending the same thing again (a double-click, a reload, the back button).
 * And its id (SPEC section 7a): one submission, one id, on every process.
 */
import { createHash, createHmac } from "node:crypto"
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

/**
 * The submission's id: an HMAC of its key with the deployment's SUBMISSION_ID_KEY, as a
 * version-8 UUID (RFC 9562: 122 bits of ours, the version and variant bits set), so every
 * place that expects a UUID keeps working. The same submission on two processes gets the
 * same id; without the key nobody can tell from an id what text it was made of (with
 * CAPTCHA_PROVIDER=none the key holds no token, only what the visitor wrote).
 */
export const submissionId = (key: string, secret: string): string => {
  const bytes = createHmac("sha256", secret).update(key).digest().subarray(0, 16)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = bytes.toString("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
