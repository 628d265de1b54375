/**
 * The configuration that points the built bundle at one scenario's peers: its SMTP relay
 * (and the CA that relay's certificate is signed with), its two secrets in moto, its
 * captcha peer (v2 unless overridden).
 */

import type { CaptchaPeer } from "./captcha-peer"
import { baseEnv } from "./doubles"
import type { SecretsPeer } from "./secrets-peer"
import type { SmtpPeer } from "./smtp-peer"

export interface PeerWorld {
  readonly smtp: SmtpPeer
  readonly captcha: CaptchaPeer
  readonly smtpSecret: string
  readonly captchaSecret: string
}

export const worldEnv = (
  secrets: SecretsPeer,
  world: PeerWorld,
  overrides: Readonly<Record<string, string>> = {}
): Record<string, string> => ({
  ...baseEnv,
  ...secrets.env,
  SMTP_URL: world.smtp.url,
  SMTP_TLS_CA_FILE: world.smtp.caFile,
  SMTP_SECRET_ID: world.smtpSecret,
  CAPTCHA_SECRET_ID: world.captchaSecret,
  CAPTCHA_VERIFY_URL: world.captcha.v2Url,
  ...overrides
})

/**
 * Production mode with nothing but a local relay (no secret, no captcha): the server suites
 * that are about connections, not about the peers.
 */
export const relayOnlyEnv = (smtp: Pick<SmtpPeer, "url" | "caFile">): Record<string, string> => ({
  MAIL_FROM: "Web contact form <noreply@example.com>",
  MAIL_TO: "Site Owner <owner@example.com>",
  SUCCESS_URL: "https://www.example.com/thanks",
  FALLBACK_EMAIL: "owner@example.com",
  CAPTCHA_PROVIDER: "none",
  SMTP_URL: smtp.url,
  SMTP_TLS_CA_FILE: smtp.caFile,
  SMTP_SECRET_ID: ""
})
