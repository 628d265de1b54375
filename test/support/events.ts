/**
 * Real-shaped Lambda events: API Gateway HTTP API (payload 2.0), REST API (payload 1.0)
 * and Function URL, as AWS sends them (trimmed of fields the adapter does not read).
 */

export interface HttpApiEventV2 {
  readonly version: "2.0"
  readonly routeKey: string
  readonly rawPath: string
  readonly rawQueryString: string
  readonly headers: Readonly<Record<string, string>>
  readonly requestContext: {
    readonly accountId: string
    readonly apiId: string
    readonly domainName: string
    readonly http: {
      readonly method: string
      readonly path: string
      readonly protocol: string
      readonly sourceIp: string
      readonly userAgent: string
    }
    readonly requestId: string
    readonly stage: string
  }
  readonly body?: string
  readonly isBase64Encoded: boolean
}

export interface RestApiEventV1 {
  readonly resource: string
  readonly path: string
  readonly httpMethod: string
  readonly headers: Readonly<Record<string, string>>
  readonly multiValueHeaders: Readonly<Record<string, ReadonlyArray<string>>>
  readonly queryStringParameters: null
  readonly requestContext: {
    readonly requestId: string
    readonly identity: { readonly sourceIp: string }
    readonly stage: string
  }
  readonly body?: string
  readonly isBase64Encoded: boolean
}

export interface EventInput {
  readonly method?: string
  readonly path?: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
  /** Send the body base64-encoded with `isBase64Encoded: true`, as HTTP API does for forms. */
  readonly base64?: boolean
  /** A raw body string to send as-is with `isBase64Encoded: true` (for invalid base64). */
  readonly rawBase64?: string
  /** The client address API Gateway saw; `visitorIp` by default. */
  readonly sourceIp?: string
}

/** The address every event comes from unless it says otherwise (contract §9's count). */
export const visitorIp = "203.0.113.7"

const encode = (input: EventInput): { body?: string; isBase64Encoded: boolean } =>
  input.rawBase64 !== undefined
    ? { body: input.rawBase64, isBase64Encoded: true }
    : input.body === undefined
      ? { isBase64Encoded: false }
      : input.base64 === true
        ? { body: Buffer.from(input.body, "utf8").toString("base64"), isBase64Encoded: true }
        : { body: input.body, isBase64Encoded: false }

const lower = (headers: Readonly<Record<string, string>> = {}) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))

/** HTTP API, payload format 2.0: lower-case headers, `requestContext.http.method`. */
export const httpApiEvent = (input: EventInput = {}): HttpApiEventV2 => ({
  version: "2.0",
  routeKey: "POST /contact",
  rawPath: input.path ?? "/contact",
  rawQueryString: "",
  headers: { host: "abc123.execute-api.eu-west-1.amazonaws.com", ...lower(input.headers) },
  requestContext: {
    accountId: "123456789012",
    apiId: "abc123",
    domainName: "abc123.execute-api.eu-west-1.amazonaws.com",
    http: {
      method: input.method ?? "POST",
      path: input.path ?? "/contact",
      protocol: "HTTP/1.1",
      sourceIp: input.sourceIp ?? visitorIp,
      userAgent: "Mozilla/5.0"
    },
    requestId: "JKJaXmPLvHcESHA=",
    stage: "$default"
  },
  ...encode(input)
})

/** Function URL: payload 2.0 as well, its own domain. */
export const functionUrlEvent = (input: EventInput = {}): HttpApiEventV2 => ({
  ...httpApiEvent(input),
  routeKey: "$default",
  headers: { host: "abcdefg.lambda-url.eu-west-1.on.aws", ...lower(input.headers) }
})

/** REST API, payload format 1.0: headers keep the sender's casing, plus multiValueHeaders. */
export const restApiEvent = (input: EventInput = {}): RestApiEventV1 => {
  const headers = { Host: "abc123.execute-api.eu-west-1.amazonaws.com", ...input.headers }
  return {
    resource: "/contact",
    path: input.path ?? "/contact",
    httpMethod: input.method ?? "POST",
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    requestContext: {
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
      identity: { sourceIp: input.sourceIp ?? visitorIp },
      stage: "prod"
    },
    ...encode(input)
  }
}

export const formBody = (
  fields: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>
) => new URLSearchParams(Array.isArray(fields) ? [...fields] : Object.entries(fields)).toString()

export const urlencoded = { "Content-Type": "application/x-www-form-urlencoded" }
export const json = { "Content-Type": "application/json" }
export const browser = { Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" }

/** A JSON submission over HTTP API. */
export const jsonPost = (fields: object, headers: Record<string, string> = {}) =>
  httpApiEvent({ body: JSON.stringify(fields), headers: { ...json, ...headers } })

/** A browser's urlencoded submission over HTTP API (base64, as API Gateway sends forms). */
export const formPost = (
  fields: Record<string, string> | ReadonlyArray<readonly [string, string]>,
  headers: Record<string, string> = {}
) =>
  httpApiEvent({
    body: formBody(fields),
    base64: true,
    headers: { ...urlencoded, ...browser, ...headers }
  })
