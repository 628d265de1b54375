/**
 * API Gateway (HTTP API 2.0, REST API 1.0) and Function URL events in, results out: a thin
 * adapter around `HttpApp.toWebHandlerRuntime`, over a runtime built once per process.
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as Context from "effect/Context"
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { type AppServices, contactApp, EdgeContext } from "./http"

/** The fields this adapter reads, common to the three event shapes. */
export interface LambdaEvent {
  readonly version?: string
  /** REST API (1.0). */
  readonly httpMethod?: string
  readonly path?: string
  readonly multiValueHeaders?: Readonly<Record<string, ReadonlyArray<string> | undefined>> | null
  /** HTTP API (2.0) and Function URL. */
  readonly rawPath?: string
  readonly rawQueryString?: string
  readonly headers?: Readonly<Record<string, string | undefined>> | null
  readonly body?: string | null
  readonly isBase64Encoded?: boolean
  readonly requestContext?: {
    readonly requestId?: string
    readonly http?: { readonly method?: string }
  }
}

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

const headersOf = (event: LambdaEvent): Headers => {
  const headers = new Headers()
  const add = (name: string, value: string) => {
    // Header names and values that the Fetch API refuses are dropped, not fatal.
    try {
      headers.append(name, value)
    } catch {}
  }
  if (event.multiValueHeaders) {
    for (const [name, values] of Object.entries(event.multiValueHeaders)) {
      for (const value of values ?? []) add(name, value)
    }
  } else if (event.headers) {
    for (const [name, value] of Object.entries(event.headers))
      if (value !== undefined) add(name, value)
  }
  return headers
}

const toRequest = (event: LambdaEvent): { request: Request; bodyUndecodable: boolean } => {
  const method = (event.requestContext?.http?.method ?? event.httpMethod ?? "GET").toUpperCase()
  const headers = headersOf(event)
  const path = event.rawPath ?? event.path ?? "/"
  const query = event.rawQueryString ? `?${event.rawQueryString}` : ""
  const url = new URL(`${path}${query}`, `https://${headers.get("host") ?? "lambda.invalid"}`)
  let body: Uint8Array<ArrayBuffer> | undefined
  let bodyUndecodable = false
  if (typeof event.body === "string" && method !== "GET" && method !== "HEAD") {
    if (event.isBase64Encoded === true) {
      bodyUndecodable = !base64.test(event.body)
      body = bodyUndecodable ? new Uint8Array() : Buffer.from(event.body, "base64")
    } else {
      body = Buffer.from(event.body, "utf8")
    }
  }
  return { request: new Request(url, { method, headers, body: body ?? null }), bodyUndecodable }
}

const toResult = async (response: Response): Promise<LambdaResult> => ({
  statusCode: response.status,
  // The Fetch API's Headers are lower case already, as SPEC section 3 wants.
  headers: Object.fromEntries(response.headers),
  body: await response.text(),
  isBase64Encoded: false
})

export type LambdaHandler = (event: LambdaEvent, context?: LambdaContext) => Promise<LambdaResult>

/**
 * Builds the runtime now (at cold start, not on the first request) and the handler that
 * every invocation reuses.
 */
export const makeLambdaHandler = async <E>(layer: Layer.Layer<AppServices, E>) => {
  const runtime = ManagedRuntime.make(layer)
  const webHandler = HttpApp.toWebHandlerRuntime(await runtime.runtime())(contactApp)
  const handler: LambdaHandler = async (event, context) => {
    const { bodyUndecodable, request } = toRequest(event)
    const requestId =
      context?.awsRequestId ?? event.requestContext?.requestId ?? crypto.randomUUID()
    const response = await webHandler(
      request,
      Context.make(EdgeContext, { requestId, bodyUndecodable })
    )
    return toResult(response)
  }
  return { handler, dispose: () => runtime.dispose() }
}
