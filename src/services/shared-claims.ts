/**
 * SharedClaims: the duplicate guard across processes (contract §9), over the store's
 * DynamoDB table. The first request of a submission claims its key for STORE_CLAIM_SECONDS
 * (the web function's timeout); a repeat on any process waits up to STORE_WAIT_MS for that
 * one's answer (read consistently every 250 ms) and repeats it; a repeat that finds the
 * first released after a 500 that kept nothing takes it over and delivers with the first
 * one's captcha verdict; a claim left by a process that is gone has expired by the next
 * repeat, which takes over, its mail marked a possible duplicate. A repeat whose first is
 * still on its way when the wait ends sends nothing and hears the message has probably
 * arrived. The store down: the guard steps aside (fail open); a used token is still caught
 * by the captcha.
 *
 * In memory (no STORE_TABLE) there is no other process: the in-process guard
 * (./submissions.ts) is the whole of it, and this one steps aside.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import { AppConfigTag } from "../config/app-config"
import type { Accepted, Duplicate, InFlight } from "../domain/errors"
import {
  decodeDelivered,
  decodeOutcome,
  decodeRefusal,
  decodeVerdict,
  type Guarded,
  type Reached,
  type Recovery,
  type Refusal,
  refusalOf,
  settlement
} from "./claim-records"
import { type StoreRecord, StoreService, type StoreUnavailable } from "./store"

export type { Guarded, Reached, Recovery, Refusal } from "./claim-records"

export interface SharedClaimsApi {
  /**
   * `first` for the first request of `key` anywhere; for a repeat, the first one's answer
   * as a Duplicate (or InFlight), or the captcha's refusal of it. `reached` says, once
   * `first` failed, how far it got; `id` is the submission's.
   */
  readonly guard: <E, R>(
    key: string,
    id: string,
    first: (recovery: Recovery) => Effect.Effect<Accepted, E, R>,
    reached: () => Reached
  ) => Effect.Effect<Guarded, E | Refusal, R>
}

export class SharedClaims extends Context.Service<SharedClaims, SharedClaimsApi>()(
  "contact-form/SharedClaims"
) {}

/** An accepted or released record lasts as long as the in-process guard remembers (contract §9). */
const settledSeconds = 600
const pollEvery = Duration.millis(250)

const stepsAside: SharedClaimsApi = { guard: (_, __, first) => first({}) }

/** No other process to guard against (tests of one process). */
export const SharedClaimsOff = Layer.succeed(SharedClaims, SharedClaims.of(stepsAside))

export const SharedClaimsLive = Layer.effect(
  SharedClaims,
  Effect.gen(function* () {
    const store = yield* StoreService
    const config = yield* AppConfigTag
    if (store.kind === "memory") return SharedClaims.of(stepsAside)
    const { claimSeconds, waitMs } = config.store
    const down = (step: string, e: StoreUnavailable) =>
      Effect.logWarning("store unavailable").pipe(
        Effect.annotateLogs({ step, reason: `store_${e.problem}` })
      )

    const guard = <E, R>(
      key: string,
      id: string,
      first: (recovery: Recovery) => Effect.Effect<Accepted, E, R>,
      reached: () => Reached
    ): Effect.Effect<Guarded, E | Refusal, R> => {
      const pk = `dup#${key}`
      const claimOf = (nowMs: number): StoreRecord => ({
        pk,
        expiresAt: Math.floor(nowMs / 1_000) + claimSeconds,
        attributes: { state: "claimed", claimedAt: new Date(nowMs).toISOString() }
      })
      const failOpen = (step: string, e: StoreUnavailable) =>
        Effect.andThen(down(step, e), first({}))

      /** Runs `first` as the owner of `claim`, and leaves the record as it ended. */
      const own = (recovery: Recovery, claim: StoreRecord) =>
        Effect.onExit(first(recovery), (exit) =>
          Effect.flatMap(Clock.currentTimeMillis, (nowMs) => {
            const attributes: Record<string, string> =
              exit._tag === "Success"
                ? { state: "accepted", outcome: JSON.stringify(exit.value) }
                : settlement(reached())
            const settled = {
              pk,
              expiresAt: Math.floor(nowMs / 1_000) + settledSeconds,
              attributes
            }
            return store.replaceIf(settled, claim.attributes).pipe(
              Effect.catchTag("StoreUnavailable", (e) => down("settle", e)),
              Effect.asVoid
            )
          })
        )

      /** A repeat: waits for the first one's answer until `deadline` (ms). */
      const follow = (deadline: number): Effect.Effect<Guarded, E | Refusal, R> =>
        Effect.flatMap(Clock.currentTimeMillis, (nowMs) => {
          const inFlight: InFlight = { _tag: "InFlight", id }
          if (nowMs >= deadline) return Effect.succeed(inFlight)
          return Effect.flatMap(Effect.result(store.get(pk)), (got) => {
            if (Result.isFailure(got)) return failOpen("wait", got.failure)
            const record = got.success
            // Gone while we waited: its process died mid-request; the next repeat takes over.
            if (record === undefined) return Effect.succeed(inFlight)
            const { state, outcome, verdict } = record.attributes
            if (state === "accepted") {
              const accepted = decodeOutcome(outcome ?? "")
              return Option.isSome(accepted)
                ? Effect.succeed<Duplicate>({ _tag: "Duplicate", first: accepted.value })
                : first({})
            }
            if (state === "released")
              return takeOver(nowMs, deadline, verdict, record.attributes.delivered)
            if (state === "refused") {
              // The captcha refused the first: so it does this repeat, without asking again.
              const refusal = decodeRefusal(record.attributes.refusal ?? "")
              return Option.isSome(refusal) ? Effect.fail(refusalOf(refusal.value)) : first({})
            }
            return Effect.andThen(Effect.sleep(pollEvery), follow(deadline))
          })
        })

      /** The first failed and kept nothing: this repeat delivers, with its verdict. */
      const takeOver = (
        nowMs: number,
        deadline: number,
        verdict: string | undefined,
        delivered: string | undefined
      ) => {
        const claim = claimOf(nowMs)
        return Effect.flatMap(
          Effect.result(store.replaceIf(claim, { state: "released" })),
          (taken): Effect.Effect<Guarded, E | Refusal, R> => {
            if (Result.isFailure(taken)) return failOpen("take_over", taken.failure)
            if (!taken.success) return follow(deadline)
            const known = decodeVerdict(verdict ?? "")
            const sent = decodeDelivered(delivered ?? "")
            return own(
              {
                ...(Option.isSome(known) ? { verdict: known.value } : {}),
                ...(Option.isSome(sent) ? { delivered: sent.value } : {})
              },
              claim
            )
          }
        )
      }

      return Effect.flatMap(Clock.currentTimeMillis, (nowMs) => {
        const claim = claimOf(nowMs)
        return Effect.flatMap(Effect.result(store.claim(claim)), (claimed) => {
          if (Result.isFailure(claimed)) return failOpen("claim", claimed.failure)
          if (!claimed.success.written) return follow(nowMs + waitMs)
          // A claim that expired unsettled was left by a process that is gone.
          const left = claimed.success.expired?.attributes
          return own(
            left?.state === "claimed" && left.claimedAt !== undefined
              ? { earlierAttemptAt: left.claimedAt }
              : {},
            claim
          )
        })
      })
    }

    return SharedClaims.of({ guard })
  })
)
