/**
 * Sending a channel's parts in order within one budget (contract §11): each answer
 * classified, a retry hint waited when it fits the time left, one quick retry for a passing
 * failure, and every failure saying how many parts were delivered in all.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import { type Answer, type Outgoing, post } from "./post"
import {
  type ChannelDone,
  type ChannelFailure,
  ChannelPermanent,
  ChannelTransient,
  ChannelUnknown
} from "./submission"

export interface SendPlan {
  readonly parts: number
  /** Parts already delivered by earlier attempts. */
  readonly fromPart: number
  /** Bounds the whole call: every part, every wait. */
  readonly timeoutMs: number
  /** Part `index` (0-based) as sent at `now` (epoch ms): a webhook signs each attempt anew. */
  readonly request: (index: number, now: number) => Outgoing
  /**
   * What a request written in full and never answered means: `transient` where the receiver
   * deduplicates (a webhook, by `webhook-id`), `unknown` where it may have posted (contract §7a).
   */
  readonly lostAnswer: "transient" | "unknown"
  /** The receiver's retry hint in ms, if its answer gives one. */
  readonly retryHint: (answer: Answer, now: number) => number | undefined
}

/** Hints waited for one part at most: a receiver answering `retry after 0` cannot spin us. */
const maxWaitsPerPart = 3

/**
 * The least time worth starting a request with: one cut by the bound after it was written is
 * an unknown outcome on Slack and Discord, while one never started is merely owed.
 */
const minRequestMs = 250

type Verdict = "delivered" | "transient" | "permanent"

/** Contract §11: 2xx delivered; 408, 429 and 5xx transient; 3xx (never followed) and other 4xx permanent. */
export const verdictOf = (status: number): Verdict =>
  status >= 200 && status < 300
    ? "delivered"
    : status === 408 || status === 429 || status >= 500
      ? "transient"
      : "permanent"

/** One part, retried as the rules allow; succeeds when delivered. */
const sendPart = (plan: SendPlan, index: number, deadline: number) =>
  Effect.gen(function* () {
    let waits = 0
    let quickRetried = false
    while (true) {
      const now = yield* Clock.currentTimeMillis
      const left = deadline - now
      if (left < Math.min(minRequestMs, plan.timeoutMs)) {
        return yield* Effect.fail(new ChannelTransient({ reason: "timeout", partsSent: index }))
      }
      const outcome = yield* Effect.result(post(plan.request(index, now), left))
      if (Result.isSuccess(outcome)) {
        const answer = outcome.success
        const reason = `http_${answer.status}`
        switch (verdictOf(answer.status)) {
          case "delivered":
            return
          case "permanent":
            return yield* Effect.fail(new ChannelPermanent({ reason, partsSent: index }))
          case "transient": {
            const after = yield* Clock.currentTimeMillis
            const hint = plan.retryHint(answer, after)
            if (hint !== undefined) {
              if (waits < maxWaitsPerPart && after + hint + minRequestMs <= deadline) {
                waits += 1
                yield* Effect.sleep(Duration.millis(hint))
                continue
              }
              return yield* Effect.fail(
                new ChannelTransient({ reason, partsSent: index, retryAfterMs: hint })
              )
            }
            if (!quickRetried) {
              quickRetried = true
              continue
            }
            return yield* Effect.fail(new ChannelTransient({ reason, partsSent: index }))
          }
        }
      }
      const failure = outcome.failure
      if (failure._tag === "AnswerLost" && plan.lostAnswer === "unknown") {
        return yield* Effect.fail(
          new ChannelUnknown({
            reason: failure.timedOut ? "timeout_after_send" : "no_answer",
            partsSent: index,
            at: now,
            cause: failure.cause
          })
        )
      }
      const reason = failure.timedOut
        ? "timeout"
        : failure._tag === "AnswerLost"
          ? "no_answer"
          : "unreachable"
      if (!quickRetried && !failure.timedOut) {
        quickRetried = true
        continue
      }
      return yield* Effect.fail(
        new ChannelTransient({ reason, partsSent: index, cause: failure.cause })
      )
    }
  })

/** Sends parts `fromPart`… of the plan in order, stopping at the first that fails. */
export const sendParts = (plan: SendPlan): Effect.Effect<ChannelDone, ChannelFailure> =>
  Effect.gen(function* () {
    const deadline = (yield* Clock.currentTimeMillis) + plan.timeoutMs
    for (let index = plan.fromPart; index < plan.parts; index++) {
      yield* sendPart(plan, index, deadline)
    }
    return { parts: plan.parts }
  })
