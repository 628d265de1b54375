/**
 * Embedded mode (contract §1): the local values that replace a production
 * configuration, the secrets that stand in for Secrets Manager, and the two settings that
 * are known only once the server and its outbox listen (their ports).
 */
import type { AppConfig } from "../config/app-config"
import { type Env, isSet } from "../config/env"
import { loopbackNames } from "../config/loopback"
import { defaultLanguage, languages } from "../domain/languages"
import { SecretsStatic } from "../services/secrets"

/**
 * Embedded mode's environment: the visitor-independent local values over the user's own
 * (LOG_LEVEL, SUBJECT_PREFIX, ALLOWED_ORIGINS, ... still apply). The addresses use the
 * reserved `.localhost` domain: MAIL_FROM and FALLBACK_EMAIL must have a dotted domain.
 * Mail goes to the outbox on loopback, by plain SMTP without authentication (as contract §5 permits there); its port is set by `listening` below.
 */
export const embeddedEnv = (env: Env): Env => ({
  ...env,
  MAIL_FROM: "Contact form <noreply@contact-form.localhost>",
  MAIL_TO: "Site owner <owner@contact-form.localhost>",
  SUCCESS_URL: "/sent",
  // SUCCESS_URL_DE=/sent?lang=de, and so on for every other language.
  ...Object.fromEntries(
    languages
      .filter((lang) => lang !== defaultLanguage)
      .map((lang) => [`SUCCESS_URL_${lang.toUpperCase()}`, `/sent?lang=${lang}`])
  ),
  FALLBACK_EMAIL: "owner@contact-form.localhost",
  CAPTCHA_PROVIDER: "none",
  SMTP_URL: "smtp://127.0.0.1",
  SMTP_ALLOW_INSECURE: "true",
  SMTP_SECRET_ID: "",
  SMTP_TLS_CA_FILE: undefined,
  // One developer on loopback is not abuse: no rate limit, unless asked for one.
  RATE_LIMIT_PER_MINUTE: isSet(env, "RATE_LIMIT_PER_MINUTE") ? env.RATE_LIMIT_PER_MINUTE : "0"
})

/** Local development values: no SMTP authentication, and the captcha is off anyway. */
export const LocalSecrets = SecretsStatic({
  smtp: undefined,
  captcha: {}
})

export const urlHost = (host: string) => (host.includes(":") ? `[${host}]` : host)

/**
 * The server's own `host:port` names: the loopback ones, and the address it listens on
 * when that is a particular one (not 0.0.0.0 or ::, which are every address).
 */
export const ownHosts = (host: string, port: number): ReadonlyArray<string> => {
  const names: ReadonlyArray<string> = loopbackNames
  const own = urlHost(host)
  const particular = own !== "0.0.0.0" && own !== "[::]" && !names.includes(own)
  return (particular ? [...names, own] : names).map((name) => `${name}:${port}`)
}

/** contract §3: in embedded mode the server's own origin is always allowed. */
const ownOrigins = (host: string, port: number): ReadonlyArray<string> =>
  ownHosts(host, port).map((name) => `http://${name}`)

/**
 * The embedded configuration once the outbox and the server listen: mail to the outbox's
 * port, and the server's own origins added to each form's origins (without them every
 * origin is allowed anyway).
 */
export const listening = (
  config: AppConfig,
  ports: { readonly outbox: number; readonly host: string; readonly http: number }
): AppConfig => ({
  ...config,
  smtp: { ...config.smtp, port: ports.outbox },
  forms: new Map(
    [...config.forms].map(([id, form]) => [
      id,
      {
        ...form,
        allowedOrigins:
          form.allowedOrigins === undefined
            ? undefined
            : [...form.allowedOrigins, ...ownOrigins(ports.host, ports.http)]
      }
    ])
  )
})
