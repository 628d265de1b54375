/**
 * AWS Secrets Manager as the secrets' source: `GetSecretValue` through the AWS SDK, one
 * client per process, under the caching service of secrets.ts.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager"
import * as Effect from "effect/Effect"
import { AppConfigTag } from "../config/app-config"
import { SecretsFrom } from "./secrets"

/** The production layer: Secrets Manager through the AWS SDK, one client per process. */
export const SecretsManagerLive = SecretsFrom(
  Effect.gen(function* () {
    const { secrets } = yield* AppConfigTag
    // The SDK's default is 3 attempts with backoff: against throttling that alone can
    // outlast a short Lambda timeout. Two attempts, and our own deadline over both.
    // AWS_ENDPOINT_URL_SECRETS_MANAGER is read by the SDK itself.
    const client = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new SecretsManagerClient({
            ...(secrets.region === undefined ? {} : { region: secrets.region }),
            maxAttempts: 2
          })
      ),
      (c) => Effect.sync(() => c.destroy())
    )
    return (id: string, signal: AbortSignal) =>
      client
        .send(new GetSecretValueCommand({ SecretId: id }), { abortSignal: signal })
        .then((output) => output.SecretString)
  })
)
