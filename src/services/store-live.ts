/**
 * StoreLive: the shared store the configuration names (contract §9): DynamoDB when
 * STORE_TABLE is set, else this process' memory. The DynamoDB implementation and its SDK
 * are loaded with `import()` only then, so esbuild keeps them out of the Lambda's cold start.
 *
 * Every call of either is bounded by STORE_TIMEOUT_MS: a store that does not answer in time
 * is down (`timeout`), and each caller fails open or closed by its own rule rather than
 * holding a visitor's request.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { AppConfigTag } from "../config/app-config"
import { memoryStore } from "./memory-store"
import { type StoreApi, StoreService, StoreUnavailable } from "./store"

/** `api` with each call bounded by `timeoutMs` and traced as `StoreService.<call>`. */
export const bounded = (api: StoreApi, timeoutMs: number): StoreApi => {
  const bound =
    (name: string) =>
    <A>(call: Effect.Effect<A, StoreUnavailable>): Effect.Effect<A, StoreUnavailable> =>
      call.pipe(
        Effect.timeoutOrElse({
          duration: Duration.millis(timeoutMs),
          orElse: () => Effect.fail(new StoreUnavailable({ problem: "timeout" }))
        }),
        Effect.withSpan(`StoreService.${name}`, { attributes: { store: api.kind } })
      )
  return {
    kind: api.kind,
    putIfAbsent: (record) => bound("putIfAbsent")(api.putIfAbsent(record)),
    claim: (record) => bound("claim")(api.claim(record)),
    replaceIf: (record, expected) => bound("replaceIf")(api.replaceIf(record, expected)),
    get: (pk) => bound("get")(api.get(pk))
  }
}

export const StoreLive: Layer.Layer<StoreService, never, AppConfigTag> = Layer.effect(
  StoreService,
  Effect.gen(function* () {
    const config = yield* AppConfigTag
    const { table, timeoutMs } = config.store
    const api =
      table === undefined
        ? yield* memoryStore()
        : yield* Effect.flatMap(
            Effect.promise(() => import("./dynamodb-store")),
            // Its client is released with this layer's scope.
            ({ makeDynamoStore }) => makeDynamoStore(table, config.secrets.region)
          )
    return bounded(api, timeoutMs)
  })
)
