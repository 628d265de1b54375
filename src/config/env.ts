/**
 * The environment as configuration (contract §6): its type, the one rule for empty
 * variables, the variables themselves as Effect's `Config` over a provider of the
 * environment, and the error that lists every problem of a start, by name, never by value.
 *
 * Effect's `Config.all` stops at the first failure, and the contract lists every problem at
 * once: so a variable's `Config` never fails on a bad value. It reads a `Reading`, the value
 * or the problems found, and `all` adds problems up.
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"

/** Environment variables, as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>

/** One problem: where (`FORMS.acme.to`, as path parts) and why, never the value. */
export interface Problem {
  readonly path: ReadonlyArray<string>
  readonly message: string
}

/** A value read, or every problem found reading it. */
export type Reading<A> = Result.Result<A, ReadonlyArray<Problem>>

/** A recipe over the environment whose reading never fails: problems are its value. */
export type Variable<A> = Config.Config<Reading<A>>

export type ValueOf<V> = V extends Variable<infer A> ? A : never

export const problem = (path: ReadonlyArray<string>, message: string): Reading<never> =>
  Result.fail([{ path, message }])

/**
 * Deployment tools often pass "" for an optional value: an empty variable counts as unset,
 * so its default applies. The exceptions say "none" with it (contract §5: an empty
 * SMTP_SECRET_ID means no SMTP authentication); read them with `orNone`.
 */
type EmptyMeansNone = "SMTP_SECRET_ID"
const emptyMeansNone: ReadonlySet<string> = new Set<EmptyMeansNone>(["SMTP_SECRET_ID"])

/** Set, and not empty. */
export const isSet = (env: Env, name: string): boolean => (env[name] ?? "") !== ""

/** A variable as written, `undefined` when unset (or empty, unless "" means none). */
export const written = (name: string): Variable<string | undefined> =>
  Config.option(Config.String(name)).pipe(
    Config.map((value) => Result.succeed(Option.getOrUndefined(value)))
  )

/** A variable whose empty value means "none": `fallback` when unset, `undefined` when empty. */
export const orNone = (name: EmptyMeansNone, fallback: string): Variable<string | undefined> =>
  Config.map(written(name), (read) =>
    Result.map(read, (value) => (value === undefined ? fallback : value === "" ? undefined : value))
  )

/** The environment, each variable one key (no nesting, no case changes). */
export const envProvider = (env: Env): ConfigProvider.ConfigProvider =>
  ConfigProvider.make((path) => {
    const [name, ...more] = path
    const value = typeof name === "string" && more.length === 0 ? env[name] : undefined
    return Effect.succeed(
      value === undefined || (value === "" && !emptyMeansNone.has(String(name)))
        ? undefined
        : ConfigProvider.makeValue(value)
    )
  })

type Readings<T> = { readonly [K in keyof T]: Variable<T[K]> }

/** The variables of a record or a tuple, every problem of each one kept. */
export const all = <const T extends Readonly<Record<string, unknown>> | ReadonlyArray<unknown>>(
  variables: Readings<T>
): Variable<{ -readonly [K in keyof T]: T[K] }> =>
  Config.map(
    Config.all(variables as Readonly<Record<string, Variable<unknown>>>),
    (readings): Reading<{ -readonly [K in keyof T]: T[K] }> => {
      const entries = Object.entries(readings)
      const problems = entries.flatMap(([, r]) => (Result.isFailure(r) ? r.failure : []))
      if (problems.length > 0) return Result.fail(problems)
      const values = entries.map(([k, r]) => [k, Result.isSuccess(r) ? r.success : undefined])
      return Result.succeed(
        (Array.isArray(variables) ? values.map(([, v]) => v) : Object.fromEntries(values)) as {
          -readonly [K in keyof T]: T[K]
        }
      )
    }
  )

/** `f` over the value once read: a check across variables, or a conversion. */
export const andThen =
  <A, B>(f: (value: A) => Reading<B>) =>
  (variable: Variable<A>): Variable<B> =>
    Config.map(variable, Result.flatMap(f))

export class ConfigInvalid extends Data.TaggedError("ConfigInvalid")<{
  readonly problems: ReadonlyArray<string>
}> {
  override get message(): string {
    return ["Invalid configuration:", ...this.problems.map((p) => `- ${p}`)].join("\n")
  }
}

/** `VAR: reason`, one line per problem. */
export const describe = (problems: ReadonlyArray<Problem>): ReadonlyArray<string> =>
  problems.map((p) => `${p.path.join(".")}: ${p.message}`)

/** Reads `variable` from `env`, or fails with every problem found. */
export const decodeEnv = <A>(variable: Variable<A>, env: Env): Effect.Effect<A, ConfigInvalid> =>
  variable.parse(envProvider(env)).pipe(
    // The environment is in memory: reading it cannot fail but for a bug of ours.
    Effect.orDie,
    Effect.flatMap((reading) =>
      Result.match(reading, {
        onSuccess: Effect.succeed,
        onFailure: (problems) => Effect.fail(new ConfigInvalid({ problems: describe(problems) }))
      })
    )
  )
