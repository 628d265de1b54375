/**
 * The fields the Lambda adapter reads of an API Gateway (HTTP API 2.0, REST API 1.0) or
 * Function URL event, and the one check that an event has them with the types AWS sends.
 * A function is invoked with whatever JSON its caller wrote (the console's test event, a
 * script, a misrouted trigger), so nothing of it is read before this check: an event that
 * fails it is no API event, answered 400 `unsupported_event` and never thrown (contract §2), as an event without a method is.
 */

/** The fields this adapter reads, common to the three event shapes. */
export interface LambdaEvent {
  /** REST API (1.0). */
  readonly httpMethod?: string
  readonly multiValueHeaders?: Readonly<Record<string, ReadonlyArray<string> | undefined>> | null
  /** HTTP API (2.0) and Function URL: names already lower case, repeated values joined. */
  readonly headers?: Readonly<Record<string, string | undefined>> | null
  readonly body?: string | null
  readonly isBase64Encoded?: boolean
  /** HTTP API (2.0) and Function URL. */
  readonly rawPath?: string
  /** REST API (1.0). */
  readonly path?: string
  /** The `{form}` of a route `/f/{form}`, when API Gateway matched one. */
  readonly pathParameters?: Readonly<Record<string, string | undefined>> | null
  readonly requestContext?: {
    readonly requestId?: string
    /** HTTP API (2.0) and Function URL. */
    readonly http?: { readonly method?: string; readonly sourceIp?: string }
    /** REST API (1.0). */
    readonly identity?: { readonly sourceIp?: string }
  }
}

type Check = (value: unknown) => boolean

/** A JSON object: not null, not an array. */
const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const isString: Check = (value) => typeof value === "string"
const isBoolean: Check = (value) => typeof value === "boolean"
const isStringList: Check = (value) => Array.isArray(value) && value.every(isString)

/** Absent, or as `check` says (JSON has no undefined; an in-process caller may pass one). */
const optional =
  (check: Check): Check =>
  (value) =>
    value === undefined || check(value)
/** API Gateway writes null for headers, a body or path parameters it has none of. */
const nullable =
  (check: Check): Check =>
  (value) =>
    value === null || check(value)

/** An object whose named fields each pass their check; other fields are not read. */
const fields =
  (checks: Readonly<Record<string, Check>>): Check =>
  (value) =>
    isObject(value) &&
    Object.entries(checks).every(([name, check]) =>
      check(Object.hasOwn(value, name) ? value[name] : undefined)
    )

/** An object whose every value passes `check` (a header map, path parameters). */
const eachValue =
  (check: Check): Check =>
  (value) =>
    isObject(value) && Object.values(value).every(optional(check))

const anApiEvent = fields({
  httpMethod: optional(isString),
  multiValueHeaders: optional(nullable(eachValue(isStringList))),
  headers: optional(nullable(eachValue(isString))),
  body: optional(nullable(isString)),
  isBase64Encoded: optional(isBoolean),
  rawPath: optional(isString),
  path: optional(isString),
  pathParameters: optional(nullable(eachValue(isString))),
  requestContext: optional(
    fields({
      requestId: optional(isString),
      http: optional(fields({ method: optional(isString), sourceIp: optional(isString) })),
      identity: optional(fields({ sourceIp: optional(isString) }))
    })
  )
})

/**
 * Whether every field the adapter reads has the type AWS gives it. Both header maps are
 * checked when present, also the one a REST event's answer does not read: a malformed
 * one means the event was not written by API Gateway.
 */
export const isLambdaEvent = (event: unknown): event is LambdaEvent => anApiEvent(event)
