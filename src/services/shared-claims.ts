/**
 * SharedClaims: the duplicate guard across processes (contract §9), over the store's
 * DynamoDB table. The first request of a submission claims its key; a repeat on any
 * process waits for that one's answer (polling, consistently read, every 250 ms) and repeats
 * it; a repeat after a 500 that kept nothing runs the delivery with the first one's
 * captcha verdict; a claim left by a process that is gone expires after STORE_CLAIM_SECONDS
 * and the repeat takes over, its mail marked as a possible duplicate. The store down: the
 * guard steps aside (fail open), the captcha API still catches a used token.
 *
 * In memory (no STORE_TABLE) there is no other process to guard against: the in-process
 * guard (./submissions.ts) is the whole of it, and this one steps aside.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { AppConfigTag } from "../config/app-config"
import type { Accepted, CaptchaVerdict, Duplicate } from "../domain/errors"
import { Verdict } from "../domain/item"
import { type StoreRecord, StoreService } from "./store"

/** What a request that takes a submission over knows of the attempt before it. */
export interface Recovery {
  /** That attempt's captcha verdict: it failed after the verdict, so the captcha is not asked again. */
  readonly verdict?: CaptchaVerdict
  /** That attempt was left by a process that is gone, at this ISO time: its mail may have gone. */
  readonly earlierAttemptAt?: string
}

export interface SharedClaimsApi {
  /**
   * `first` for the first request of `key` anywhere; for a repeat, the first one's answer
   * as a Duplicate. `verdictOf` says, once `first` failed, the verdict it had reached.
   */
  readonly guard: <E, R>(
    key: string,
    first: (recovery: Recovery) => Effect.Effect<Accepted, E, R>,
    verdictOf: () => CaptchaVerdict | undefined
  ) => Effect.Effect<Accepted | Duplicate, E, R>
}

export class SharedClaims extends Context.Service<SharedClaims, SharedClaimsApi>()(
  "contact-form/SharedClaims"
) {}

const Outcome = Schema.Union([
  Schema.Struct({ _tag: Schema.Literal("Sent"), id: Schema.String, captcha: Verdict }),
  Schema.Struct({
    _tag: Schema.Literals(["Queued", "Kept", "Unknown"]),
    id: Schema.String,
    captcha: Verdict,
    reason: Schema.String
  })
])
const decodeOutcome = Schema.decodeUnknownOption(Schema.fromJsonString(Outcome))
const decodeVerdict = Schema.decodeUnknownOption(Schema.fromJsonString(Verdict))

/** An accepted record is kept as long as the in-process guard remembers (contract §9). */
const acceptedSeconds = 600
const pollEvery = Duration.millis(250)

const isoOf = (seconds: number) => new Date(seconds * 1_000).toISOString()

const stepsAside: SharedClaimsApi = { guard: (_, first) => first({}) }

/** No other process to guard against (tests of one process, the in-memory store). */
export const SharedClaimsOff = Layer.succeed(SharedClaims, SharedClaims.of(stepsAside))

export const SharedClaimsLive = Layer.effect(
  SharedClaims,
  Effect.gen(function* () {
    const store = yield* StoreService
    const config = yield* AppConfigTag
    if (store.kind === "memory") return SharedClaims.of(stepsAside)
    const { claimSeconds } = config.store
    const seconds = Effect.map(Clock.currentTimeMillis, (ms) => Math.floor(ms / 1_000))
    const warnDown = (step: string) => (e: { readonly problem: string }) =>
      Effect.logWarning("store unavailable").pipe(
        Effect.annotateLogs({ step, reason: `store_${e.problem}` })
      )

    const guard = <E, R>(
      key: string,
      first: (recovery: Recovery) => Effect.Effect<Accepted, E, R>,
      verdictOf: () => CaptchaVerdict | undefined
    ): Effect.Effect<Accepted | Duplicate, E, R> => {
      const pk = `dup#${key}`
      const claimed = (now: number, claimedAt: string): StoreRecord => ({
        pk,
        expiresAt: now + claimSeconds,
        attributes: { state: "claimed", claimedAt }
      })
      /** Runs `first` as the owner of the claim, and leaves the record as it ended. */
      const own = (recovery: Recovery, expected: Readonly<Record<string, string>>) =>
        Effect.onExit(first(recovery), (exit) =>
          Effect.flatMap(seconds, (now) => {
            const verdict = exit._tag === "Success" ? exit.value.captcha : verdictOf()
            const attributes: Record<string, string> =
              exit._tag === "Success"
                ? { state: "accepted", outcome: JSON.stringify(exit.value) }
                : {
                    state: "released",
                    ...(verdict === undefined ? {} : { verdict: JSON.stringify(verdict) })
                  }
            return store
              .replaceIf({ pk, expiresAt: now + acceptedSeconds, attributes }, expected)
              .pipe(Effect.catchTag("StoreUnavailable", warnDown("settle")), Effect.asVoid)
          })
        )

      /**
       * A repeat: waits for the first one's answer, or takes the submission over. `seen`:
       * when the claim it waits on was made (a claim that expires was left by a process
       * that is gone, and its mail may have gone out).
       */
      const follow = (
        deadline: number,
        seen: string | undefined
      ): Effect.Effect<Accepted | Duplicate, E, R> =>
        Effect.flatMap(seconds, (now) => {
          if (now > deadline) return first({})
          return Effect.flatMap(Effect.result(store.get(pk)), (got) => {
            if (Result.isFailure(got))
              return Effect.andThen(warnDown("wait")(got.failure), first({}))
            const record = got.success
            if (record === undefined) return start(seen)
            const state = record.attributes.state
            if (state === "accepted") {
              const outcome = decodeOutcome(record.attributes.outcome ?? "")
              return Option.isSome(outcome)
                ? Effect.succeed<Duplicate>({ _tag: "Duplicate", first: outcome.value })
                : first({})
            }
            if (state === "released") return takeOver(record, now, deadline, seen)
            return Effect.andThen(
              Effect.sleep(pollEvery),
              follow(deadline, record.attributes.claimedAt)
            )
          })
        })

      /** A first attempt released after a 500 that kept nothing: delivered with its verdict. */
      const takeOver = (
        record: StoreRecord,
        now: number,
        deadline: number,
        seen: string | undefined
      ): Effect.Effect<Accepted | Duplicate, E, R> => {
        const claimedAt = isoOf(now)
        return Effect.flatMap(
          Effect.result(store.replaceIf(claimed(now, claimedAt), { state: "released" })),
          (taken) => {
            if (Result.isFailure(taken))
              return Effect.andThen(warnDown("take_over")(taken.failure), first({}))
            if (!taken.success) return follow(deadline, seen)
            const verdict = decodeVerdict(record.attributes.verdict ?? "")
            return own(Option.isSome(verdict) ? { verdict: verdict.value } : {}, {
              state: "claimed",
              claimedAt
            })
          }
        )
      }

      /** Claims the key: the first request, or one taking over an expired claim (marked). */
      const start = (expired: string | undefined): Effect.Effect<Accepted | Duplicate, E, R> =>
        Effect.flatMap(seconds, (now) => {
          const claimedAt = isoOf(now)
          return Effect.flatMap(
            Effect.result(store.putIfAbsent(claimed(now, claimedAt))),
            (put) => {
              if (Result.isFailure(put))
                return Effect.andThen(warnDown("claim")(put.failure), first({}))
              return put.success
                ? own(expired === undefined ? {} : { earlierAttemptAt: expired }, {
                    state: "claimed",
                    claimedAt
                  })
                : follow(now + claimSeconds, undefined)
            }
          )
        })

      return start(undefined)
    }

    return SharedClaims.of({ guard })
  })
)
