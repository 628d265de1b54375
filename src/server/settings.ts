/**
 * The Node server's own settings (src/server.ts): its mode (contract §1), where it
 * listens, how many connections it holds open (contract §9), and where embedded mode
 * keeps its outbox. The Lambda handler reads none of these.
 */
import { resolve } from "node:path"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import { all, type ConfigInvalid, decodeEnv, type Env, isSet } from "../config/env"
import { orDefault, parsed, positiveInt, text } from "../config/readers"

/** contract §1: one of these set (non-empty) means production mode. */
export const productionVariables = [
  "MAIL_FROM",
  "MAIL_TO",
  "SMTP_URL",
  "SUCCESS_URL",
  "FALLBACK_EMAIL",
  "MAIL_TRANSPORT",
  "QUEUE_URL",
  "SPOOL_DIR"
] as const

export type ServerMode = "embedded" | "production"

export const serverMode = (env: Env): ServerMode =>
  productionVariables.some((name) => isSet(env, name)) ? "production" : "embedded"

export interface ServerSettings {
  /** 0: a free port chosen by the OS (tests). */
  readonly port: number
  readonly host: string
  /** Where embedded mode saves each mail as an `.eml` file; absolute. */
  readonly outboxDir: string
  /** Open connections at once; beyond it a new one is closed (contract §9). */
  readonly maxConnections: number
}

const settings = all({
  port: parsed(
    "PORT",
    (raw) =>
      /^\d{1,5}$/.test(raw) && Number(raw) <= 65_535
        ? Result.succeed(Number(raw))
        : Result.fail("must be a port number from 0 to 65535 (0: a free port chosen by the OS)"),
    orDefault(3_000)
  ),
  host: parsed(
    "HOST",
    (raw) =>
      /^[A-Za-z0-9.:-]+$/.test(raw)
        ? Result.succeed(raw)
        : Result.fail("must be a host name or an IP address, such as 127.0.0.1 or 0.0.0.0"),
    orDefault("127.0.0.1")
  ),
  outboxDir: text("OUTBOX_DIR", orDefault("outbox")),
  maxConnections: positiveInt("MAX_CONNECTIONS", 1_000, 100_000)
})

/** PORT, HOST, OUTBOX_DIR (relative to `cwd`) and MAX_CONNECTIONS, or every problem found. */
export const readServerSettings = (
  env: Env,
  cwd: string
): Effect.Effect<ServerSettings, ConfigInvalid> =>
  decodeEnv(settings, env).pipe(Effect.map((s) => ({ ...s, outboxDir: resolve(cwd, s.outboxDir) })))
