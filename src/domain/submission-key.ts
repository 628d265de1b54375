/**
 * What makes two requests one submission (contract §9), and its id (section 7a): the
 * same form, the same captcha token and the same decoded form. Two visitors never share a
 * token, so a repeat is the same visitor sending the same thing again (a double-click, a
 * reload, the back button).
 */
import { createHmac } from "node:crypto"
import type { ContactForm } from "./form"

export interface SubmissionKey {
  /** The duplicate key: fixed in size whatever the visitor wrote, and holding none of it. */
  readonly key: string
  /**
   * The submission's id, a version-8 UUID (RFC 9562: 122 bits of the key, the version and
   * variant bits set), so every place that expects a UUID keeps working.
   */
  readonly id: string
}

/**
 * One HMAC-SHA256 of the submission's canonical JSON with the deployment's
 * SUBMISSION_ID_KEY gives both: the same submission has the same key and id on every
 * process of a deployment, and nobody without the key can tell from either what text it was
 * made of (with CAPTCHA_PROVIDER=none, `token` is `null` and only the visitor's text is in
 * it). The language is left out: a repeat in another language is still the same message.
 */
export const submissionKey = (
  secret: string,
  formId: string,
  token: string | null,
  form: ContactForm
): SubmissionKey => {
  const digest = createHmac("sha256", secret)
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
    .digest()
  const bytes = digest.subarray(0, 16)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = bytes.toString("hex")
  return {
    key: digest.toString("base64url"),
    id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
}
