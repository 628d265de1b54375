/**
 * The spool in this process, over the real services and a real relay: its queue
 * (src/services/spool.ts) and loops (src/server/spool-loop.ts), each loop with a memory and
 * a clock of its own (a server whose clock is ahead), over the file system a test gives it.
 * And spool items as files, written as a server writes them.
 */
import { renameSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Clock, Duration, Effect, type Exit, ManagedRuntime, Redacted } from "effect"
import { type AppConfig, AppConfigTag } from "../../src/config/app-config"
import type { QueueUnanswered, QueueUnavailable } from "../../src/domain/errors"
import type { QueueItem } from "../../src/domain/item"
import { appLayer } from "../../src/layers"
import { spoolPasses } from "../../src/server/spool-loop"
import { QueueService } from "../../src/services/queue"
import { SpoolQueue } from "../../src/services/spool"
import type { SpoolFs } from "../../src/services/spool-fs"
import { CaptchaVerifying, SecretsFixed, smtpCredentials, testConfig } from "./doubles"
import { queuedItem } from "./items"
import { type SmtpPeer, startSmtpPeer } from "./smtp-peer"

/** A STARTTLS relay that takes the doubles' SMTP credentials (SecretsFixed). */
export const startSpoolRelay = () =>
  startSmtpPeer({
    tls: "starttls",
    auth: { user: smtpCredentials.user, pass: Redacted.value(smtpCredentials.pass) }
  })

/** A clock some time ahead of this machine's, and moved on by `advance`; its sleeps are real. */
export const clockAhead = (offsetMs: number) => {
  let offset = offsetMs
  const millis = () => Date.now() + offset
  const nanos = () => BigInt(millis()) * 1_000_000n
  const clock: Clock.Clock = {
    currentTimeMillisUnsafe: millis,
    currentTimeMillis: Effect.sync(millis),
    currentTimeNanosUnsafe: nanos,
    currentTimeNanos: Effect.sync(nanos),
    monotonicTimeNanosUnsafe: () => process.hrtime.bigint(),
    monotonicTimeNanos: Effect.sync(() => process.hrtime.bigint()),
    // Its own timer: Effect.sleep would ask this very clock again.
    sleep: (duration) =>
      Effect.callback<void>((resume) => {
        const timer = setTimeout(() => resume(Effect.void), Duration.toMillis(duration))
        return Effect.sync(() => clearTimeout(timer))
      })
  }
  return {
    clock,
    advance: (ms: number) => {
      offset += ms
    }
  }
}

/** One enqueue of the spool of `config` (SPOOL_DIR), over `files`. */
export const spoolEnqueue = (config: AppConfig, item: QueueItem, files?: SpoolFs) => {
  const { queue } = config
  if (queue.kind !== "spool") throw new Error("SPOOL_DIR makes a spool")
  return Effect.flatMap(QueueService, (q) => q.enqueue(item)).pipe(
    Effect.provide(
      SpoolQueue({
        dir: queue.dir,
        timeoutMs: queue.timeoutMs,
        ...(files === undefined ? {} : { files })
      })
    ),
    Effect.provideService(AppConfigTag, config)
  )
}

export interface SpoolLoop {
  /** One pass of this loop, to its end. */
  pass(): Promise<void>
  /** Moves this loop's clock on. */
  advance(ms: number): void
}

export interface SpoolWorld {
  readonly config: AppConfig
  /** The JSON log lines, as written. */
  readonly logs: Array<Record<string, unknown>>
  enqueue(
    item: QueueItem,
    files?: SpoolFs
  ): Promise<Exit.Exit<void, QueueUnavailable | QueueUnanswered>>
  /** A loop of its own, `clockAheadMs` ahead of this machine's clock. */
  loop(options?: { readonly files?: SpoolFs; readonly clockAheadMs?: number }): Promise<SpoolLoop>
  dispose(): Promise<void>
}

/** The configuration a server with SPOOL_DIR=`dir` would read, its relay `smtp`. */
export const spoolWorld = (
  smtp: SmtpPeer,
  dir: string,
  env: Readonly<Record<string, string>> = {}
): SpoolWorld => {
  const config = testConfig({
    SMTP_URL: smtp.url,
    SMTP_TLS_CA_FILE: smtp.caFile,
    SMTP_SECRET_ID: "spool-smtp",
    SPOOL_DIR: dir,
    UNKNOWN_RETRY_MINUTES: "0",
    ...env
  })
  const { queue } = config
  if (queue.kind !== "spool") throw new Error("SPOOL_DIR makes a spool")
  const logs: Array<Record<string, unknown>> = []
  const runtime = ManagedRuntime.make(
    appLayer({
      config,
      sink: (line) => logs.push(JSON.parse(line)),
      secrets: SecretsFixed,
      captcha: CaptchaVerifying()
    })
  )
  return {
    config,
    logs,
    enqueue: (item, files) => runtime.runPromiseExit(spoolEnqueue(config, item, files)),
    loop: async (options = {}) => {
      const { clock, advance } = clockAhead(options.clockAheadMs ?? 0)
      const pass = await runtime.runPromise(
        spoolPasses({
          ...queue,
          metricsNamespace: config.metricsNamespace,
          unknownRetryMinutes: config.unknownRetryMinutes,
          ...(options.files === undefined ? {} : { files: options.files })
        }).pipe(Effect.provideService(Clock.Clock, clock))
      )
      return {
        pass: () => runtime.runPromise(pass.pipe(Effect.provideService(Clock.Clock, clock))),
        advance
      }
    },
    dispose: () => runtime.dispose()
  }
}

/** A queued item as the previous version wrote it (v: 1, contract §7), received `ageHours` ago. */
export const itemV1 = (
  visitor: { readonly email: string; readonly subject: string; readonly body: string },
  ageHours = 0
) => queuedItem({ v: 1, visitor, ageHours })

/** Puts an item into `dir` as a server does: a temporary file, renamed into place. */
export const spoolFile = (dir: string, item: { readonly name: string; readonly json: string }) => {
  const temporary = join(dir, `.${item.name}.test.tmp`)
  writeFileSync(temporary, item.json, { mode: 0o600 })
  renameSync(temporary, join(dir, item.name))
}
