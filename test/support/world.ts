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
