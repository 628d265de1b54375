/**
 * API Gateway (HTTP API 2.0, REST API 1.0) and Function URL events in, results out: a thin
 * adapter over the edge (`respond` in src/http/respond.ts) and a runtime built once per
 * process. It hands the edge the event's method, headers and body directly: going through
 * the Fetch API's Request and Response (`HttpApp.toWebHandler`) cost more per call than
 * the whole flow (README, Performance).
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import {
  addressOf,
  type BodyUnreadable,
  type EdgeRequest,
  PayloadTooLarge,
  unreadable
} from "../http/request"
import { type AppServices, respond, respondToUnsupportedEvent } from "../http/respond"
import { isLambdaEvent, type LambdaEvent } from "./lambda-event"
import { makeSqsHandler } from "./sqs"

export interface LambdaContext {
  readonly awsRequestId?: string
}

export interface LambdaResult {
  readonly statusCode: number
  readonly headers: Record<string, string>
  readonly body: string
  readonly isBase64Encoded: boolean
}

// Strict base64: API Gateway sends standard, padded base64; anything else is not a body.
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Header names lower case (REST API keeps the sender's casing), repeated values joined. */
const headersOf = (event: LambdaEvent): Record<string, string> => {
  const headers: Record<string, string> = {}
  if (event.multiValueHeaders) {
    for (const [name, values] of Object.entries(event.multiValueHeaders)) {
      if (values !== undefined && values.length > 0) {
        const key = name.toLowerCase()
        headers[key] =
          headers[key] === undefined ? values.join(", ") : `${headers[key]}, ${values.join(", ")}`
      }
    }
  } else if (event.headers) {
    for (const [name, value] of Object.entries(event.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = value
    }
  }
  return headers
}

const bodyOf =
  (event: LambdaEvent) =>
  (maxBytes: number): Effect.Effect<Uint8Array, PayloadTooLarge | BodyUnreadable> => {
    const raw = event.body ?? ""
    if (event.isBase64Encoded === true) {
      // The decoded size is known before decoding: refuse a too large body without it.
      if ((raw.length / 4) * 3 - 2 > maxBytes) return Effect.fail(new PayloadTooLarge())
      if (!base64.test(raw)) return Effect.fail(unreadable())
    }
    const bytes = Buffer.from(raw, event.isBase64Encoded === true ? "base64" : "utf8")
    return bytes.byteLength > maxBytes ? Effect.fail(new PayloadTooLarge()) : Effect.succeed(bytes)
  }

/** An API event's method; none for an event that has none (an EventBridge ping). */
const methodOf = (event: LambdaEvent): string | undefined => {
  const method = event.requestContext?.http?.method ?? event.httpMethod
  return method !== undefined && method !== "" ? method.toUpperCase() : undefined
}

/** The form and resource of a path; the `{form}` API Gateway matched wins over the path's. */
const lambdaAddress = (path: string, matched: string | undefined) => {
  const address = addressOf(path) ?? { form: "default", resource: "contact" as const }
  return { form: matched ?? address.form, resource: address.resource }
}

/**
 * The request an API event carries; none for anything else: not an object, no method, or
 * a field of the wrong type (src/adapters/lambda-event.ts), so that nothing is read of it.
 */
const toEdgeRequest = (
  event: unknown,
  context: LambdaContext | undefined
): EdgeRequest | undefined => {
  if (!isLambdaEvent(event)) return undefined
  const method = methodOf(event)
  if (method === undefined) return undefined
  return {
    method,
    // contract §10: `/f/<id>` names a form; any other path API Gateway routes here is
    // the default form's submissions.
    ...lambdaAddress(event.rawPath ?? event.path ?? "", event.pathParameters?.form),
    headers: headersOf(event),
    body: bodyOf(event),
    requestId: context?.awsRequestId ?? event.requestContext?.requestId ?? crypto.randomUUID(),
    // The address that connected to API Gateway (or to the Function URL).
    peer: event.requestContext?.http?.sourceIp ?? event.requestContext?.identity?.sourceIp
  }
}

export type LambdaHandler = (event: unknown, context?: LambdaContext) => Promise<LambdaResult>

/**
 * Builds the runtime now (at cold start, not on the first request) and the two handlers
 * that every invocation reuses: API events (`handler`) and SQS events (`redeliver`).
 */
export const makeLambdaHandler = async <E>(
  layer: Layer.Layer<AppServices, E>,
  /** Once, at cold start, with the runtime built: the start's warning lines. */
  startup: Effect.Effect<void, never, AppServices> = Effect.void
) => {
  const runtime = ManagedRuntime.make(layer)
  const services = await runtime.context()
  const run = Effect.runPromiseWith(services)
  await run(startup)
  const handler: LambdaHandler = async (event, context) => {
    const request = toEdgeRequest(event, context)
    const answer = await run(
      request === undefined
        ? respondToUnsupportedEvent(context?.awsRequestId ?? crypto.randomUUID())
        : respond(request)
    )
    return {
      statusCode: answer.status,
      headers: { ...answer.headers },
      body: answer.body,
      isBase64Encoded: false
    }
  }
  return { handler, redeliver: makeSqsHandler(services), dispose: () => runtime.dispose() }
}
