/**
 * SecretsService: the SMTP and captcha credentials, from AWS Secrets Manager.
 * Cached per process for SECRETS_TTL_SECONDS; a failed fetch is not cached; concurrent
 * callers share one fetch; one fetch, the SDK's retries included, is bounded by
 * SECRETS_TIMEOUT_MS.
 */
import * as Cache from "effect/Cache"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { AppConfigTag } from "../config/app-config"
import { type SecretName, type SecretProblem, SecretUnavailable } from "../domain/errors"

export interface SmtpCredentials {
  readonly user: string
  readonly pass: Redacted.Redacted<string>
}

/**
 * A captcha secret's string values by key: each provider reads its own two (its row of the
 * provider table names them), so one secret may hold the keys of several providers.
 */
export type CaptchaKeys = Readonly<Record<string, Redacted.Redacted<string>>>

export interface SecretsServiceApi {
  /** `undefined` when SMTP needs no authentication (SMTP_SECRET_ID empty). */
  readonly smtp: (options?: {
    readonly refresh?: boolean
  }) => Effect.Effect<SmtpCredentials | undefined, SecretUnavailable>
  /** The captcha keys in the secret `id` (a form's own, contract §10). */
  readonly captcha: (id: string) => Effect.Effect<CaptchaKeys, SecretUnavailable>
  /** A channel's keys in the secret `id` (contract §11: a webhook's, Slack's, Discord's). */
  readonly channel: (id: string) => Effect.Effect<CaptchaKeys, SecretUnavailable>
  /** Akismet's key in the secret `id` (contract §12). */
  readonly akismet: (id: string) => Effect.Effect<CaptchaKeys, SecretUnavailable>
}

export class SecretsService extends Context.Service<SecretsService, SecretsServiceApi>()(
  "contact-form/SecretsService"
) {}

// The JSON shapes of contract §5.
// The secret's values stay Redacted until the one line that hands them to a client.
const SmtpSecret = Schema.fromJsonString(
  Schema.Struct({
    SMTP_USERNAME: Schema.NonEmptyString,
    SMTP_PASSWORD: Schema.RedactedFromValue(Schema.NonEmptyString)
  })
)
const CaptchaSecret = Schema.fromJsonString(Schema.Record(Schema.String, Schema.Unknown))

/** The secret's non-empty strings, each Redacted; anything else in it is not a key of ours. */
const captchaKeys = (secret: Readonly<Record<string, unknown>>): CaptchaKeys =>
  Object.fromEntries(
    Object.entries(secret).flatMap(([name, value]) =>
      typeof value === "string" && value !== "" ? [[name, Redacted.make(value)]] : []
    )
  )

const problemOf = (error: unknown): SecretProblem => {
  const name = error instanceof Error ? error.name : ""
  switch (name) {
    case "ResourceNotFoundException":
    // A secret scheduled for deletion answers InvalidRequestException.
    case "InvalidRequestException":
      return "missing"
    case "AccessDeniedException":
    case "DecryptionFailure":
    case "UnrecognizedClientException":
      return "denied"
    case "ThrottlingException":
    case "TooManyRequestsException":
      return "throttled"
    default:
      return "unavailable"
  }
}

/**
 * A cache of secrets by id: a lookup's success lives for the TTL, a failure is dropped at
 * once (the next request fetches again), and concurrent `get`s share the lookup in flight.
 * Capacity: one deployment's secrets, the SMTP one and a captcha one per form.
 */
const cachedSecrets = <A>(
  lookup: (id: string) => Effect.Effect<A, SecretUnavailable>,
  ttl: Duration.Duration
) =>
  Effect.map(
    Cache.makeWith(lookup, {
      capacity: 256,
      timeToLive: (exit: Exit.Exit<A, SecretUnavailable>) =>
        Exit.isSuccess(exit) ? ttl : Duration.zero
    }),
    (cache) => {
      const get = (id: string) =>
        Cache.get(cache, id).pipe(Effect.tapError(() => Cache.invalidate(cache, id)))
      return { get, refresh: (id: string) => Effect.andThen(Cache.invalidate(cache, id), get(id)) }
    }
  )

/** Reads one secret's string by id; rejects with the SDK's error. */
export type SecretFetcher = (id: string, signal: AbortSignal) => Promise<string | undefined>

/**
 * The caching service over any fetcher: the SDK in production, a double in tests (so the
 * TTL, the sharing and the refresh are tested with TestClock, not with real time).
 */
export const SecretsFrom = <R>(fetcher: Effect.Effect<SecretFetcher, never, R>) =>
  Layer.effect(
    SecretsService,
    Effect.gen(function* () {
      const config = yield* AppConfigTag
      const read = yield* fetcher
      const { timeoutMs, ttlSeconds } = config.secrets

      const fetch = <A>(secret: SecretName, id: string, schema: Schema.Codec<A, string>) =>
        Effect.tryPromise({
          try: (signal) => read(id, signal),
          catch: (error) => new SecretUnavailable({ secret, problem: problemOf(error) })
        }).pipe(
          Effect.timeoutOrElse({
            duration: Duration.millis(timeoutMs),
            orElse: () => Effect.fail(new SecretUnavailable({ secret, problem: "timeout" }))
          }),
          Effect.flatMap((value) =>
            Schema.decodeUnknownEffect(schema)(value ?? "").pipe(
              Effect.mapError(() => new SecretUnavailable({ secret, problem: "malformed" }))
            )
          ),
          Effect.withSpan("SecretsService.fetch", { attributes: { secret } })
        )

      const ttl = Duration.seconds(ttlSeconds)
      const smtpId = config.smtp.secretId
      const smtpCache = yield* cachedSecrets(
        (id) =>
          fetch("smtp", id, SmtpSecret).pipe(
            Effect.map((s): SmtpCredentials => ({ user: s.SMTP_USERNAME, pass: s.SMTP_PASSWORD }))
          ),
        ttl
      )
      const captchaCache = yield* cachedSecrets(
        (id) => fetch("captcha", id, CaptchaSecret).pipe(Effect.map(captchaKeys)),
        ttl
      )

      const channelCache = yield* cachedSecrets(
        (id) => fetch("channel", id, CaptchaSecret).pipe(Effect.map(captchaKeys)),
        ttl
      )

      const akismetCache = yield* cachedSecrets(
        (id) => fetch("akismet", id, CaptchaSecret).pipe(Effect.map(captchaKeys)),
        ttl
      )

      return SecretsService.of({
        smtp: (options) =>
          smtpId === undefined
            ? Effect.succeed(undefined)
            : options?.refresh === true
              ? smtpCache.refresh(smtpId)
              : smtpCache.get(smtpId),
        captcha: captchaCache.get,
        channel: channelCache.get,
        akismet: akismetCache.get
      })
    })
  )

/** Fixed credentials: local development (embedded mode) and tests. */
export const SecretsStatic = (values: {
  readonly smtp: SmtpCredentials | undefined
  readonly captcha: CaptchaKeys
  /** Each channel secret's keys, by secret id. */
  readonly channels?: Readonly<Record<string, CaptchaKeys>>
  readonly akismet?: CaptchaKeys
}) =>
  Layer.succeed(
    SecretsService,
    SecretsService.of({
      smtp: () => Effect.succeed(values.smtp),
      captcha: () => Effect.succeed(values.captcha),
      channel: (id) => {
        const keys = values.channels?.[id]
        return keys === undefined
          ? Effect.fail(new SecretUnavailable({ secret: "channel", problem: "missing" }))
          : Effect.succeed(keys)
      },
      akismet: () =>
        values.akismet === undefined
          ? Effect.fail(new SecretUnavailable({ secret: "akismet", problem: "missing" }))
          : Effect.succeed(values.akismet)
    })
  )
