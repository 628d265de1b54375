/**
 * The environment as configuration: its type, the one rule for empty variables, and the
 * error that lists every problem of a start (SPEC section 6), by name and never by value.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"

/** Environment variables, as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>

/**
 * Deployment tools often pass "" for an optional value: an empty variable counts as unset,
 * so its default applies. The exceptions say "none" with it (SPEC section 5: an empty
 * SMTP_SECRET_ID means no SMTP authentication); read them with `orNone`.
 */
type EmptyMeansNone = "SMTP_SECRET_ID"
const emptyMeansNone: ReadonlySet<string> = new Set<EmptyMeansNone>(["SMTP_SECRET_ID"])

/** Set, and not empty. */
export const isSet = (env: Env, name: string): boolean => (env[name] ?? "") !== ""

/** A variable whose empty value means "none": `fallback` when unset, `undefined` when empty. */
export const orNone = (name: EmptyMeansNone, fallback: string): Config.Config<string | undefined> =>
  Config.string(name).pipe(
    Config.withDefault(fallback),
    Config.map((value) => (value === "" ? undefined : value))
  )

export const envProvider = (env: Env): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(
    new Map(
      Object.entries(env).flatMap(([key, value]) =>
        value === undefined || (value === "" && !emptyMeansNone.has(key)) ? [] : [[key, value]]
      )
    )
  )

export class ConfigInvalid extends Data.TaggedError("ConfigInvalid")<{
  readonly problems: ReadonlyArray<string>
}> {
  override get message(): string {
    return ["Invalid configuration:", ...this.problems.map((p) => `- ${p}`)].join("\n")
  }
}

/** One line per problem, `VAR: reason`; every reason is ours (Effect's own quote the value). */
export const describe = (error: ConfigError.ConfigError): ReadonlyArray<string> =>
  ConfigError.reduceWithContext(error, undefined, {
    andCase: (_, left: ReadonlyArray<string>, right: ReadonlyArray<string>) => [...left, ...right],
    orCase: (_, left: ReadonlyArray<string>, right: ReadonlyArray<string>) => [...left, ...right],
    invalidDataCase: (_, path, message) => [`${path.join(".")}: ${message}`],
    missingDataCase: (_, path) => [`${path.join(".")}: is required`],
    sourceUnavailableCase: (_, path) => [`${path.join(".")}: could not be read`],
    unsupportedCase: (_, path) => [`${path.join(".")}: is not supported`]
  })

/** Decodes `config` from `env`, or fails with every problem found. */
export const decodeEnv = <A>(config: Config.Config<A>, env: Env): Effect.Effect<A, ConfigInvalid> =>
  Effect.withConfigProvider(config, envProvider(env)).pipe(
    Effect.mapError((error) => new ConfigInvalid({ problems: describe(error) }))
  )
