/**
 * docs/configuration.md's words for the forms, their mail, the captcha, the transport and the secrets (catalog.ts).
 * A new variable of these groups: its reader where it belongs, then an entry here.
 */
import type { VariableDoc } from "./catalog"

export const formVariables: Readonly<Record<string, VariableDoc>> = {
  FORMS: {
    group: "Forms and mail",
    unset: "none",
    rule: "a JSON object of form id (`[a-z0-9-]{1,40}`) → settings ([below](#the-settings-of-a-form-in-forms)); each problem named by its path",
    stack: "`Forms`",
    meaning:
      "several forms in one deployment ([contract §10](contract.md#10-several-forms)); with it, `MAIL_TO`, `SUCCESS_URL` and `FALLBACK_EMAIL` are all three set (the form `default`) or none"
  },
  FORMS_FILE: {
    group: "Forms and mail",
    unset: "none",
    rule: "a readable file holding the same JSON; not with `FORMS`",
    stack: "`FormsFile` (`/var/task/<name>`)",
    meaning: "the forms as a file: beyond Lambda's 4 KB of environment, and for the server"
  },
  MAIL_FROM: {
    group: "Forms and mail",
    stack: "`MailFrom`",
    meaning:
      "the sender, an SES-verified identity: `noreply@example.com` or `Web contact form <noreply@example.com>`"
  },
  MAIL_TO: {
    group: "Forms and mail",
    unset: "required without `FORMS`",
    stack: "`MailTo`",
    meaning: "the owner of the form `default`; comma-separated addresses allowed"
  },
  SUCCESS_URL: {
    group: "Forms and mail",
    unset: "required without `FORMS`",
    stack: "`SuccessUrl`",
    meaning: "where HTML submissions are redirected (303)"
  },
  "SUCCESS_URL_<LANG>": {
    group: "Forms and mail",
    family: /^SUCCESS_URL_[A-Z]{2}$/,
    unset: "`SUCCESS_URL`",
    stack: "`SuccessUrlDe` … `SuccessUrlPl`",
    meaning: "the success URL of one language"
  },
  FALLBACK_EMAIL: {
    group: "Forms and mail",
    unset: "required without `FORMS`",
    stack: "`FallbackEmail`",
    meaning: "offered on every error page, as a `mailto:` link"
  },
  FALLBACK_PHONE: {
    group: "Forms and mail",
    stack: "`FallbackPhone`",
    meaning: "also offered, when set"
  },
  SUBJECT_PREFIX: {
    group: "Forms and mail",
    stack: "`SubjectPrefix`",
    meaning: "prefix of every subject"
  },
  ALLOWED_ORIGINS: {
    group: "Forms and mail",
    unset: "any origin (`*`)",
    stack: "`AllowedOrigins`",
    meaning: "comma-separated origins allowed by CORS; others get 403"
  },
  MAX_BODY_BYTES: {
    group: "Forms and mail",
    stack: "`MaxBodyBytes`",
    meaning:
      "largest accepted (decoded) body; larger → 413, whose page and JSON (`maxMessageCharacters`) say how long a message may be. The default is computed from the field rules (`src/domain/limits.ts`): every valid form fits in every encoding a browser sends"
  },
  LOG_LEVEL: {
    group: "Forms and mail",
    unset: "`info`",
    stack: "`LogLevel`",
    meaning: "the least level written"
  },
  METRICS_NAMESPACE: {
    group: "Forms and mail",
    stack: "`ContactForm/<stack name>`",
    meaning:
      "the CloudWatch namespace of the metric counts in the log lines ([operations](operations.md#metrics))"
  },
  CAPTCHA_PROVIDER: {
    group: "Captcha",
    stack: "`CaptchaProvider`",
    meaning:
      "the deployment's provider ([contract §4](contract.md#4-captcha)); a form of `FORMS` may name its own"
  },
  CAPTCHA_VERIFY_URL: {
    group: "Captcha",
    unset: "the provider's endpoint",
    stack: "`CaptchaVerifyUrl`",
    meaning: "the siteverify endpoint of `CAPTCHA_PROVIDER`, e.g. FriendlyCaptcha's EU one"
  },
  "CAPTCHA_VERIFY_URL_<PROVIDER>": {
    group: "Captcha",
    family: /^CAPTCHA_VERIFY_URL_[A-Z0-9_]+$/,
    unset: "the provider's endpoint",
    meaning: "the endpoint of one provider when forms mix providers; wins over `CAPTCHA_VERIFY_URL`"
  },
  CAPTCHA_TIMEOUT_MS: {
    group: "Captcha",
    stack: "4000, fixed in `infra/timeouts.ts`",
    meaning: "beyond it a remote captcha fails open: the mail is sent marked `[unverified]`"
  },
  CAPTCHA_SECRET_ID: {
    group: "Captcha",
    stack: "`CaptchaSecretName`",
    meaning:
      'the secret with the provider\'s two keys: `{"FRIENDLYCAPTCHA_SITEKEY","FRIENDLYCAPTCHA_API_KEY"}` (v2), `{…,"FRIENDLYCAPTCHA_SECRET"}` (v1), `{"TURNSTILE_SITEKEY","TURNSTILE_SECRET"}`, `{"HCAPTCHA_SITEKEY","HCAPTCHA_SECRET"}`, `{"ALTCHA_HMAC_SECRET"}`; one secret may hold several providers\' keys'
  },
  ALTCHA_COST: {
    group: "Captcha",
    meaning: "ALTCHA: PBKDF2 iterations of one attempt (about 256 attempts a challenge)"
  },
  ALTCHA_EXPIRES_SECONDS: {
    group: "Captcha",
    meaning: "ALTCHA: how long a challenge and its payload are good"
  },
  MAIL_TRANSPORT: {
    group: "Mail transport and secrets",
    stack: "`MailTransport`",
    meaning:
      "`smtp`, or `ses`: the SES v2 API signed with the runtime's own role, no SMTP secret ([contract §8](contract.md#8-mail-transports))"
  },
  SES_CONFIGURATION_SET: {
    group: "Mail transport and secrets",
    stack: "`SesConfigurationSet`",
    meaning: "with `ses`: the configuration set every mail is sent with"
  },
  SMTP_URL: {
    group: "Mail transport and secrets",
    unset: "`smtps://email-smtp.<AWS_REGION>.amazonaws.com:465`",
    stack: "`SmtpUrl` (empty with `ses`)",
    meaning: "`smtps://` = implicit TLS; `smtp://` must upgrade with STARTTLS"
  },
  SMTP_SECRET_ID: {
    group: "Mail transport and secrets",
    unset: "`smtp-ses-credentials`",
    rule: "any text; empty (not unset) = no SMTP authentication",
    stack: "`SmtpSecretName` (empty with `ses`)",
    meaning: 'the secret `{"SMTP_USERNAME","SMTP_PASSWORD"}`'
  },
  SMTP_ALLOW_INSECURE: {
    group: "Mail transport and secrets",
    meaning:
      "`true` permits plain SMTP, only to a loopback host and only with `SMTP_SECRET_ID` empty"
  },
  SMTP_TLS_CA_FILE: {
    group: "Mail transport and secrets",
    rule: "a file the process can read",
    meaning: "a PEM CA to trust (private relays, test servers)"
  },
  MAIL_TIMEOUT_MS: {
    group: "Mail transport and secrets",
    stack: "10000, fixed",
    meaning:
      "bounds the whole delivery: attempts, backoff, one secret refresh; past the end of DATA the reply is awaited until it is spent"
  },
  SECRETS_TTL_SECONDS: {
    group: "Mail transport and secrets",
    stack: "`SecretsTtlSeconds`",
    meaning: "how long a secret is cached in a warm process"
  },
  SECRETS_TIMEOUT_MS: {
    group: "Mail transport and secrets",
    stack: "3000, fixed",
    meaning: "bounds one secret fetch, the SDK's retries included"
  }
}
