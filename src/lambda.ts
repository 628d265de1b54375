/**
 * The Lambda entry point of dist/lambda.zip: `index.handler` (API Gateway and Function URL
 * events) and `index.redeliver` (SQS events from the queue of failed deliveries). The
 * configuration is decoded eagerly at import, so a bad deployment fails its cold start
 * with every problem listed; the runtime is built once and reused by every invocation.
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import { makeLambdaHandler } from "./adapters/lambda"
import { queueWarnings } from "./config/queue"
import { readConfig } from "./config/read-config"
import { appLayer } from "./layers"

const config = Effect.runSync(Effect.result(readConfig(process.env, { runtime: "lambda" })))
if (Result.isFailure(config)) throw new Error(config.failure.message)

const lambda = await makeLambdaHandler(
  appLayer({ config: config.success }),
  Effect.forEach(queueWarnings(config.success.queue), (warning) => Effect.logWarning(warning), {
    discard: true
  })
)

// Lambda sends SIGTERM before shutting an environment down (when extensions are present).
process.once("SIGTERM", () => {
  void lambda.dispose()
})

export const handler = lambda.handler
export const redeliver = lambda.redeliver
