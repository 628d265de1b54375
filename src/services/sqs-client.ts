/**
 * One SQS client per process and what every call shares (contract §7 and §7a): the SDK
 * loaded on first use, a bound on each call, and what a failure means: refused (SQS
 * answered, or the request never left: nothing stored) or unanswered (it may be stored).
 */
import type { SQSClient } from "@aws-sdk/client-sqs"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { QueueUnanswered, QueueUnavailable } from "../domain/errors"
import { awsFailure } from "./aws-error"

/** SQS hides a received message 12 hours at most. */
export const maxVisibilitySeconds = 43_200

/** SQS answered (refused: not kept), or the request never left; otherwise it may be kept. */
export const classify = (error: unknown): QueueUnavailable | QueueUnanswered => {
  const { name, status, neverLeft, dropped } = awsFailure(error)
  if (status !== undefined) {
    if (/Throttl|RequestThrottled|OverLimit/i.test(name)) {
      return new QueueUnavailable({ problem: "throttled" })
    }
    if (/AccessDenied|InvalidClientTokenId|UnrecognizedClient/i.test(name)) {
      return new QueueUnavailable({ problem: "denied" })
    }
    return new QueueUnavailable({ problem: "unavailable" })
  }
  if (neverLeft) return new QueueUnavailable({ problem: "unavailable" })
  return new QueueUnanswered({ what: dropped ? "connection" : "timeout" })
}

/** The SDK module and one client, loaded once, on first use; destroyed with the scope. */
export const lazyClient = (region: string | undefined, timeoutMs: number) =>
  Effect.gen(function* () {
    let created: SQSClient | undefined
    yield* Effect.addFinalizer(() => Effect.sync(() => created?.destroy()))
    return yield* Effect.cached(
      Effect.promise(() => import("@aws-sdk/client-sqs")).pipe(
        Effect.map((sdk) => {
          // One attempt per call: ours decide what may be sent again (`enqueueOnce`). An
          // answer may take what is left of the call's own bound (a long poll's 20 s
          // included); opening the connection, a share of QUEUE_TIMEOUT_MS.
          // AWS_ENDPOINT_URL_SQS is the SDK's own.
          created = new sdk.SQSClient({
            ...(region === undefined ? {} : { region }),
            maxAttempts: 1,
            requestHandler: {
              connectionTimeout: Math.max(500, Math.floor(timeoutMs / 3)),
              requestTimeout: 30_000
            }
          })
          return { sdk, client: created }
        })
      )
    )
  })

/** One SQS call, unanswered after `timeoutMs`, its failure classified. */
export const call = <A>(timeoutMs: number, send: (signal: AbortSignal) => Promise<A>) =>
  Effect.tryPromise({ try: send, catch: classify }).pipe(
    Effect.timeoutOrElse({
      duration: Duration.millis(timeoutMs),
      orElse: () => Effect.fail(new QueueUnanswered({ what: "timeout" }))
    })
  )

/** A queue's URL from its ARN, at the configured queue's endpoint (its host, or the test's). */
export const queueUrlOf = (configuredUrl: string, queueArn: string): string => {
  const [, , , , account, name] = queueArn.split(":")
  return `${new URL(configuredUrl).origin}/${account}/${name}`
}
