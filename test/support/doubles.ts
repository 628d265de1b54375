/**
 * Test doubles for the three services, named by behaviour, and the configuration and
 * handler they are used with. Declared once here; tests only pick them. The handler is
 * wired by the production builder (`appLayer`), with the doubles swapped in.
 */
import { Effect, Layer, Redacted, Ref } from "effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import nodemailer from "nodemailer"
import { makeLambdaHandler } from "../../src/adapters/lambda"
import { type AppConfig, AppConfigTag, type FormConfig } from "../../src/config/app-config"
import { readConfig } from "../../src/config/read-config"
import {
  AlreadyReceived,
  CaptchaMisconfigured,
  CaptchaRejected,
  type CaptchaVerdict,
  ChallengeUnavailable,
  QueueUnavailable,
  SecretUnavailable
} from "../../src/domain/errors"
import type { QueueItem } from "../../src/domain/item"
import { appLayer } from "../../src/layers"
import { CaptchaService, type CaptchaServiceApi } from "../../src/services/captcha"
import { ChannelsService } from "../../src/services/channels"
import { MailService } from "../../src/services/mail"
import {
  type DeliveryClock,
  type Transporter,
  transporterAttempt
} from "../../src/services/mail-attempts"
import { encodeWithinLimit, QueueDisabled, QueueService } from "../../src/services/queue"
import {
  type CaptchaKeys,
  SecretsService,
  SecretsStatic,
  type SmtpCredentials
} from "../../src/services/secrets"
import { smtpRules } from "../../src/services/smtp"
import { type SmtpWire, smtpDelivery } from "../../src/services/smtp-delivery"
import { SpamService } from "../../src/services/spam"
import type { SubmissionMemory } from "../../src/services/submissions"

// ---------------------------------------------------------------------------------------
// Configuration

export const baseEnv: Readonly<Record<string, string>> = {
  MAIL_FROM: "Web contact form <noreply@example.com>",
  MAIL_TO: "Site Owner <owner@example.com>",
  SUCCESS_URL: "https://www.example.com/thanks",
  SUCCESS_URL_DE: "https://www.example.com/de/danke",
  FALLBACK_EMAIL: "owner@example.com",
  AWS_REGION: "eu-west-1",
  // Every event of test/support/events.ts comes from one address: the suites that are not
  // about the rate limit (contract §9) would otherwise be answered 429 after ten.
  RATE_LIMIT_PER_MINUTE: "0"
}

/** A configuration decoded by the real reader, so tests use what production would. */
export const testConfig = (
  overrides: Readonly<Record<string, string | undefined>> = {}
): AppConfig => Effect.runSync(readConfig({ ...baseEnv, ...overrides }))

/** One form of a configuration (`default`: the single-form variables'). */
export const formOf = (config: AppConfig, id = "default"): FormConfig => {
  const form = config.forms.get(id)
  if (form === undefined) throw new Error(`no form ${id} in this configuration`)
  return form
}

/** The default form of `testConfig()`. */
export const testForm = (overrides: Readonly<Record<string, string | undefined>> = {}) =>
  formOf(testConfig(overrides))

// ---------------------------------------------------------------------------------------
// Secrets

export const smtpCredentials: SmtpCredentials = {
  user: "smtp-user",
  pass: Redacted.make("smtp-pass-1")
}
export const rotatedCredentials: SmtpCredentials = {
  user: "smtp-user",
  pass: Redacted.make("smtp-pass-2")
}
/** A captcha secret with the keys of every remote provider of the table. */
export const captchaCredentials: CaptchaKeys = {
  FRIENDLYCAPTCHA_SITEKEY: Redacted.make("FCMTEST"),
  FRIENDLYCAPTCHA_API_KEY: Redacted.make("captcha-api-key"),
  FRIENDLYCAPTCHA_SECRET: Redacted.make("captcha-v1-secret"),
  TURNSTILE_SITEKEY: Redacted.make("0x4AAAAAAATEST"),
  TURNSTILE_SECRET: Redacted.make("0x4AAAAAAATEST-secret"),
  HCAPTCHA_SITEKEY: Redacted.make("10000000-ffff-ffff-ffff-000000000001"),
  HCAPTCHA_SECRET: Redacted.make("0x0000000000000000000000000000000000000000")
}

export const SecretsFixed = SecretsStatic({ smtp: smtpCredentials, captcha: captchaCredentials })

/** SecretsFixed, with each channel secret's keys by secret id (contract §11). */
export const SecretsWithChannels = (
  channels: Readonly<Record<string, Readonly<Record<string, string>>>>
) =>
  SecretsStatic({
    smtp: smtpCredentials,
    captcha: captchaCredentials,
    channels: Object.fromEntries(
      Object.entries(channels).map(([id, keys]) => [
        id,
        Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, Redacted.make(v)]))
      ])
    )
  })

export const SecretsMissing = (which: "smtp" | "captcha") =>
  Layer.succeed(
    SecretsService,
    SecretsService.of({
      smtp: () =>
        which === "smtp"
          ? Effect.fail(new SecretUnavailable({ secret: "smtp", problem: "missing" }))
          : Effect.succeed(smtpCredentials),
      captcha: () =>
        which === "captcha"
          ? Effect.fail(new SecretUnavailable({ secret: "captcha", problem: "missing" }))
          : Effect.succeed(captchaCredentials),
      channel: () => Effect.fail(new SecretUnavailable({ secret: "channel", problem: "missing" })),
      akismet: () => Effect.fail(new SecretUnavailable({ secret: "akismet", problem: "missing" }))
    })
  )

/** Answers the old SMTP password until asked to refresh, then the rotated one. */
export const SecretsRotated = Layer.effect(
  SecretsService,
  Effect.map(Ref.make(smtpCredentials), (current) =>
    SecretsService.of({
      smtp: (options) =>
        options?.refresh === true ? Ref.setAndGet(current, rotatedCredentials) : Ref.get(current),
      captcha: () => Effect.succeed(captchaCredentials),
      channel: () => Effect.fail(new SecretUnavailable({ secret: "channel", problem: "missing" })),
      akismet: () => Effect.fail(new SecretUnavailable({ secret: "akismet", problem: "missing" }))
    })
  )
)

// ---------------------------------------------------------------------------------------
// Captcha

/**
 * A captcha answering every form's token with `answer`; a form without a captcha
 * (`none`) is Disabled, as the real service has it.
 */
const captchaAnswering = (
  answer: (token: string | undefined) => ReturnType<CaptchaServiceApi["verify"]>
) =>
  Layer.succeed(
    CaptchaService,
    CaptchaService.of({
      verify: (provider, token) =>
        provider === "none" ? Effect.succeed({ _tag: "Disabled" }) : answer(token),
      challenge: () => Effect.fail(new ChallengeUnavailable({ reason: "no_altcha" }))
    })
  )

/** Verifies a real-looking token, and still refuses a missing or placeholder one. */
export const CaptchaVerifying = (verdict: CaptchaVerdict = { _tag: "Verified" }) =>
  captchaAnswering((token) =>
    token === undefined || token === ""
      ? Effect.fail(new CaptchaRejected({ reason: "missing" }))
      : Effect.succeed(verdict)
  )

/**
 * FriendlyCaptcha as it is: a token verifies once; asked again, the API says it was used
 * (v2 `response_duplicate`). Every token asked about is recorded in `asked`.
 */
export const CaptchaSingleUse = (asked: Array<string | undefined> = []) => {
  const used = new Set<string>()
  return captchaAnswering((token) =>
    Effect.suspend((): Effect.Effect<CaptchaVerdict, CaptchaRejected | AlreadyReceived> => {
      asked.push(token)
      if (token === undefined || token === "")
        return Effect.fail(new CaptchaRejected({ reason: "missing" }))
      if (token.startsWith(".")) return Effect.fail(new CaptchaRejected({ reason: "placeholder" }))
      if (used.has(token)) return Effect.fail(new AlreadyReceived({ reason: "response_duplicate" }))
      used.add(token)
      return Effect.succeed<CaptchaVerdict>({ _tag: "Verified" })
    })
  )
}

export const CaptchaDown = (reason: "timeout" | "unreachable" = "timeout") =>
  CaptchaVerifying({ _tag: "Unverified", reason })

export const CaptchaRejecting = captchaAnswering(() =>
  Effect.fail(new CaptchaRejected({ reason: "response_invalid" }))
)

export const CaptchaMisconfiguredDouble = captchaAnswering(() =>
  Effect.fail(new CaptchaMisconfigured({ status: 401, code: "auth_invalid" }))
)

/** An HttpClient that answers every request with `respond`, and records each request. */
export const HttpClientAnswering = (
  respond: (request: {
    readonly url: string
    readonly headers: Record<string, string>
    readonly body: unknown
  }) => Response | "unreachable" | "hang",
  seen: Array<{ url: string; headers: Record<string, string>; body: unknown }> = []
) =>
  Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) =>
      Effect.suspend(() => {
        const body =
          request.body._tag === "Uint8Array"
            ? JSON.parse(new TextDecoder().decode(request.body.body))
            : undefined
        const record = { url: request.url, headers: { ...request.headers }, body }
        seen.push(record)
        const answer = respond(record)
        if (answer === "hang") return Effect.never
        if (answer === "unreachable") {
          return Effect.fail(
            new HttpClientError.HttpClientError({
              reason: new HttpClientError.TransportError({
                request,
                cause: new Error("ECONNREFUSED")
              })
            })
          )
        }
        return Effect.succeed(HttpClientResponse.fromWeb(request, answer))
      })
    )
  )

// ---------------------------------------------------------------------------------------
// Mail

export interface SentMail {
  /** The password the attempt authenticated with, if any. */
  readonly password: string | undefined
  /** The message as nodemailer wrote it (RFC 5322), for header and encoding checks. */
  readonly raw: string
}

/** What a mail double saw: every attempt, and the messages delivered. */
export interface MailLog {
  readonly attempts: Array<{ readonly password: string | undefined }>
  readonly sent: Array<SentMail>
}

export const mailLog = (): MailLog => ({ attempts: [], sent: [] })

/** A nodemailer transport that writes the message instead of sending it. */
const streamTransporter = nodemailer.createTransport({
  streamTransport: true,
  buffer: true,
  newline: "unix"
})

/**
 * One attempt's fate. `afterData`: it fails after the end of DATA, the point of no return
 * (contract §7a): a timeout or a dropped connection there is an unknown outcome.
 */
export type MailStep =
  | "ok"
  | { readonly responseCode: number; readonly code?: string; readonly afterData?: boolean }
  | { readonly code: string; readonly originalCode?: string; readonly afterData?: boolean }

const smtpFailure = ({ afterData: _, ...step }: Exclude<MailStep, "ok">) =>
  Object.assign(new Error("scripted SMTP failure"), step)

/**
 * The real SMTP delivery (its secret, the 535 refresh, classification, retries, the
 * MAIL_TIMEOUT_MS deadline) over a scripted wire: each attempt takes the next step of
 * `script` ("ok" once it runs out); a message delivered is recorded in `log.sent`, encoded
 * by nodemailer exactly as it would travel over SMTP. With `acceptPassword`, any other
 * password is answered like a relay answers it: 535.
 */
export const MailScripted = (
  log: MailLog,
  script: ReadonlyArray<MailStep> = [],
  options: { readonly acceptPassword?: string } = {}
) => overWire(scriptedWire(log, script, options))

/** A mail layer: SMTP's own delivery over `wire`, with the configured secret and deadline. */
const overWire = (wire: SmtpWire) =>
  Layer.effect(
    MailService,
    Effect.gen(function* () {
      const { smtp } = yield* AppConfigTag
      const secrets = yield* SecretsService
      return smtpDelivery(secrets, smtp.timeoutMs, wire)
    })
  )

/** Attempt 1 begun early is just the first attempt, made when asked to transmit. */
const wireOf = (attempt: SmtpWire["attempt"]): SmtpWire => ({
  begin: (credentials) =>
    Effect.succeed({ transmit: (mail, clock) => attempt(mail, credentials, clock) }),
  attempt
})

const scriptedWire = (
  log: MailLog,
  script: ReadonlyArray<MailStep> = [],
  options: { readonly acceptPassword?: string } = {}
): SmtpWire => {
  const steps = [...script]
  const transporter = (clock: DeliveryClock): Transporter => ({
    sendMail: async (message) => {
      const auth = message.auth
      const password = auth !== undefined && "pass" in auth ? auth.pass : undefined
      log.attempts.push({ password })
      if (options.acceptPassword !== undefined && password !== options.acceptPassword) {
        throw smtpFailure({ code: "EAUTH", responseCode: 535 })
      }
      const step = steps.shift() ?? "ok"
      if (step === "ok" || step.afterData === true) clock.pastNoReturnAt = Date.now()
      if (step !== "ok") throw smtpFailure(step)
      const { auth: _auth, ...rest } = message
      const info = await streamTransporter.sendMail(rest)
      log.sent.push({ password, raw: String(info.message) })
      return info
    }
  })
  return wireOf(transporterAttempt((_signal, clock) => transporter(clock), smtpRules))
}

/**
 * MailScripted's relay, but each attempt waits for `until` first: a submission held in
 * flight while a repeat arrives.
 */
export const MailWaiting = (log: MailLog, until: Promise<void>) => {
  const relay = scriptedWire(log)
  return overWire(
    wireOf((mail, credentials, clock) =>
      Effect.andThen(
        Effect.promise(() => until),
        relay.attempt(mail, credentials, clock)
      )
    )
  )
}

/** A mail service with a bug of ours: every send dies (a defect, not a typed failure). */
export const MailDying = Layer.succeed(
  MailService,
  MailService.of({ start: Effect.succeed(() => Effect.die(new Error("bug"))) })
)

/** A relay that never answers: the delivery's own deadline has to end it. */
export const MailHanging = overWire(wireOf(() => Effect.never))

// ---------------------------------------------------------------------------------------
// Queue

/** Keeps every item in `items`, as JSON would carry it (contract §7). */
export const QueueRecording = (items: Array<QueueItem>) =>
  Layer.succeed(
    QueueService,
    QueueService.of({
      enabled: true,
      enqueue: (item) =>
        Effect.flatMap(encodeWithinLimit(item), (body) =>
          Effect.sync(() => {
            items.push(JSON.parse(body))
          })
        )
    })
  )

/**
 * QueueRecording, but each enqueue waits until `together` are in flight at once (a second
 * at most, then it fails as too slow): enqueues made one after another never get there.
 */
export const QueueTogether = (items: Array<QueueItem>, together: number) => {
  let inFlight = 0
  let all: (() => void) | undefined
  const gathered = new Promise<void>((resolve) => {
    all = resolve
  })
  return Layer.succeed(
    QueueService,
    QueueService.of({
      enabled: true,
      enqueue: (item) =>
        Effect.flatMap(encodeWithinLimit(item), (body) =>
          Effect.suspend(() => {
            inFlight++
            if (inFlight >= together) all?.()
            return Effect.promise(() => gathered).pipe(
              Effect.timeoutOrElse({
                duration: "1 second",
                orElse: () => Effect.fail(new QueueUnavailable({ problem: "timeout" }))
              }),
              Effect.tap(() =>
                Effect.sync(() => {
                  items.push(JSON.parse(body))
                })
              )
            )
          })
        )
    })
  )
}

/** A queue that cannot take anything: unreachable, throttled, or too slow. */
export const QueueFailing = (problem: QueueUnavailable["problem"] = "unavailable") =>
  Layer.succeed(
    QueueService,
    QueueService.of({
      enabled: true,
      enqueue: () => Effect.fail(new QueueUnavailable({ problem }))
    })
  )

// ---------------------------------------------------------------------------------------
// Services that must not be reached: any call is a defect the test sees.

export const CaptchaUntouchable = captchaAnswering(() => Effect.die("captcha reached"))

export const SecretsUntouchable = Layer.succeed(
  SecretsService,
  SecretsService.of({
    smtp: () => Effect.die("secrets reached"),
    captcha: () => Effect.die("secrets reached"),
    channel: () => Effect.die("secrets reached"),
    akismet: () => Effect.die("secrets reached")
  })
)

export const ChannelsUntouchable = Layer.succeed(
  ChannelsService,
  ChannelsService.of({ deliver: () => Effect.die("channels reached") })
)

/** A spam service that judges nothing and counts how often a judgement was begun. */
export const SpamCounting = (begun: { count: number }) =>
  Layer.succeed(
    SpamService,
    SpamService.of({
      begin: () =>
        Effect.sync(() => {
          begun.count++
          return Effect.succeed(undefined)
        }),
      observe: () => Effect.void,
      pace: Effect.void
    })
  )

/** The judgement of the spam service, asked of nothing (a form's policy `off`). */
export const SpamUntouchable = Layer.succeed(
  SpamService,
  SpamService.of({
    begin: () => Effect.succeed(Effect.succeed(undefined)),
    observe: () => Effect.void,
    pace: Effect.void
  })
)

export const MailUntouchable = Layer.succeed(
  MailService,
  MailService.of({ start: Effect.succeed(() => Effect.die("mail reached")) })
)

// ---------------------------------------------------------------------------------------
// Handler

export interface TestHandlerOptions {
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly secrets?: Layer.Layer<SecretsService>
  readonly captcha?: Layer.Layer<CaptchaService>
  /** A mail double; by default every message is delivered into the returned `mail` log. */
  readonly mail?: (log: MailLog) => Layer.Layer<MailService, never, AppConfigTag | SecretsService>
  /** A queue double; by default none is configured. */
  readonly queue?: Layer.Layer<QueueService>
  /** The duplicate guard; by default the production one (contract §9). */
  readonly memory?: Layer.Layer<SubmissionMemory>
  /** The spam judgement; by default the production one (contract §12). */
  readonly spam?: Layer.Layer<SpamService>
}

/** The real Lambda adapter over doubles; the log lines it wrote are kept for assertions. */
export const makeTestHandler = async (options: TestHandlerOptions = {}) => {
  const config = testConfig(options.env)
  const logs: Array<Record<string, unknown>> = []
  const mail = mailLog()
  const lambda = await makeLambdaHandler(
    appLayer({
      config,
      sink: (line) => logs.push(JSON.parse(line)),
      secrets: options.secrets ?? SecretsFixed,
      captcha: options.captcha ?? CaptchaVerifying(),
      mail: (options.mail ?? ((l) => MailScripted(l)))(mail),
      queue: options.queue ?? QueueDisabled,
      ...(options.memory === undefined ? {} : { memory: options.memory }),
      ...(options.spam === undefined ? {} : { spam: options.spam })
    })
  )
  return { ...lambda, config, logs, mail }
}
