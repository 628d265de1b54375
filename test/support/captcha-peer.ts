/**
 * A FriendlyCaptcha siteverify server on 127.0.0.1, port 0: v1 (`POST /api/v1/siteverify`,
 * `{solution, secret, sitekey}` as JSON or form data, answer `{success, errors}`) and v2
 * (`POST /api/v2/captcha/siteverify`, `{response, sitekey}` plus `X-API-Key`, answer
 * `{success, data | error: {error_code, detail}}`), with scripted misbehaviour.
 */
import http from "node:http"
import { type Held, type Hold, makeHold } from "./hold"

export type CaptchaBehaviourName =
  | "correct"
  | "wrongSolution"
  | "timeoutOrDuplicate"
  | "duplicate"
  | "badSitekey"
  | "badKey"
  | "forbidden"
  | "rateLimited"
  | "serverError"
  | "nonJson"
  | "hang"

export type CaptchaBehaviour =
  | CaptchaBehaviourName
  | { readonly kind: "serverError"; readonly status: number }
  /** Any status with any error code, in the shape of the version asked (v1 or v2). */
  | { readonly kind: "error"; readonly status: number; readonly code: string }

export interface CaptchaCredentials {
  /** The only solution (v1) / response (v2) that `correct` accepts. */
  readonly token: string
  readonly sitekey: string
  /** v1 `secret`. */
  readonly secret: string
  /** v2 `X-API-Key`. */
  readonly apiKey: string
}

export const captchaDefaults: CaptchaCredentials = {
  token: "frc-test-good-token",
  sitekey: "FCMTESTSITEKEY00",
  secret: "frc-test-v1-secret",
  apiKey: "frc-test-v2-api-key"
}

export interface CaptchaPeerOptions extends Partial<CaptchaCredentials> {
  readonly behaviour?: CaptchaBehaviour
  readonly host?: string
  /**
   * As FriendlyCaptcha is: a token verified once is answered as used when asked again
   * (v2 `response_duplicate`, v1 `solution_timeout_or_duplicate`). Off by default, so that
   * suites may send one token from several processes.
   */
  readonly singleUse?: boolean
  /** More sitekeys of the same account (a sitekey per site, contract §10). */
  readonly sitekeys?: ReadonlyArray<string>
}

export interface CaptchaRequest {
  readonly method: string
  readonly path: string
  readonly version: "v1" | "v2" | undefined
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>
  readonly rawBody: string
  /** The JSON object or form fields; undefined when the body is neither. */
  readonly body: Readonly<Record<string, unknown>> | undefined
}

export interface CaptchaPeer {
  /** Base URL, `http://127.0.0.1:PORT`. */
  readonly url: string
  readonly v1Url: string
  readonly v2Url: string
  readonly credentials: CaptchaCredentials
  readonly requests: readonly CaptchaRequest[]
  /**
   * A fresh token that `correct` accepts, as the widget would solve one per visit: each
   * submission of a suite its own, so that none is a repeat of another (contract §9).
   */
  newToken(): string
  /** The behaviour of every request that no queued behaviour answers. */
  setBehaviour(behaviour: CaptchaBehaviour): void
  /** Behaviours for the next requests, one each, in order. */
  queue(...behaviours: readonly CaptchaBehaviour[]): void
  /**
   * Holds the answer to the next verification until `release()`, then answers as the
   * behaviour of that moment says: a verdict kept pending on cue. `reached` resolves once
   * the request has arrived.
   */
  holdNextAnswer(): Hold
  reset(): void
  close(): Promise<void>
}

const V1_PATH = "/api/v1/siteverify"
const V2_PATH = "/api/v2/captcha/siteverify"

type Answer = { readonly status: number; readonly body: unknown } | "nonJson" | "hang"

const v1 = (status: number, code?: string): Answer => ({
  status,
  body: code === undefined ? { success: true, errors: [] } : { success: false, errors: [code] }
})

const v2Fail = (status: number, code: string): Answer => ({
  status,
  body: { success: false, error: { error_code: code, detail: `test peer: ${code}` } }
})

const v2Ok = (): Answer => ({
  status: 200,
  body: {
    success: true,
    data: {
      event_id: `evt-${Date.now().toString(36)}`,
      challenge: { timestamp: new Date().toISOString(), origin: "http://localhost" }
    }
  }
})

/** The tokens the peer accepts, and those already verified once. */
interface Tokens {
  readonly good: (token: string) => boolean
  /** The account's sitekeys beyond the credentials' own. */
  readonly sitekeys: ReadonlySet<string>
  /** `undefined`: tokens may be verified again and again. */
  readonly used: Set<string> | undefined
}

/** What the real API answers to a well-behaved service, by the configured credentials. */
const verify = (
  version: "v1" | "v2",
  request: CaptchaRequest,
  good: CaptchaCredentials,
  tokens: Tokens
): Answer => {
  const field = (name: string) => {
    const value = request.body?.[name]
    return typeof value === "string" && value !== "" ? value : undefined
  }
  const sitekey = field("sitekey")
  if (version === "v1") {
    if (request.body === undefined) return v1(400, "bad_request")
    const secret = field("secret")
    if (secret === undefined) return v1(400, "secret_missing")
    if (secret !== good.secret) return v1(401, "secret_invalid")
    if (field("solution") === undefined) return v1(400, "solution_missing")
    // v1 has no documented sitekey code; a wrong one is a request error.
    if (sitekey !== undefined && sitekey !== good.sitekey && !tokens.sitekeys.has(sitekey))
      return v1(400, "bad_request")
    return solved(field("solution") ?? "", tokens, v1(200), v1(200, "solution_invalid"), () =>
      v1(200, "solution_timeout_or_duplicate")
    )
  }
  const apiKey = request.headers["x-api-key"]
  if (apiKey === undefined || apiKey === "") return v2Fail(401, "auth_required")
  if (apiKey !== good.apiKey) return v2Fail(401, "auth_invalid")
  if (request.body === undefined) return v2Fail(400, "bad_request")
  if (field("response") === undefined) return v2Fail(400, "response_missing")
  if (sitekey !== undefined && sitekey !== good.sitekey && !tokens.sitekeys.has(sitekey))
    return v2Fail(400, "sitekey_invalid")
  return solved(field("response") ?? "", tokens, v2Ok(), v2Fail(200, "response_invalid"), () =>
    v2Fail(200, "response_duplicate")
  )
}

const solved = (
  token: string,
  tokens: Tokens,
  ok: Answer,
  invalid: Answer,
  duplicate: () => Answer
): Answer => {
  if (!tokens.good(token)) return invalid
  if (tokens.used === undefined) return ok
  if (tokens.used.has(token)) return duplicate()
  tokens.used.add(token)
  return ok
}

const answerFor = (
  behaviour: CaptchaBehaviour,
  version: "v1" | "v2",
  request: CaptchaRequest,
  good: CaptchaCredentials,
  tokens: Tokens
): Answer => {
  const byVersion = (status: number, v1Code: string, v2Code: string) =>
    version === "v1" ? v1(status, v1Code) : v2Fail(status, v2Code)
  if (typeof behaviour !== "string") {
    return behaviour.kind === "error"
      ? byVersion(behaviour.status, behaviour.code, behaviour.code)
      : byVersion(behaviour.status, "internal", "internal")
  }
  switch (behaviour) {
    case "correct":
      return verify(version, request, good, tokens)
    case "wrongSolution":
      return byVersion(200, "solution_invalid", "response_invalid")
    case "timeoutOrDuplicate":
      return byVersion(200, "solution_timeout_or_duplicate", "response_timeout")
    case "duplicate":
      return byVersion(200, "solution_timeout_or_duplicate", "response_duplicate")
    case "badSitekey":
      return byVersion(400, "bad_request", "sitekey_invalid")
    case "badKey":
      return byVersion(401, "secret_invalid", "auth_invalid")
    case "forbidden":
      return byVersion(403, "forbidden", "forbidden")
    case "rateLimited":
      return byVersion(429, "rate_limited", "rate_limited")
    case "serverError":
      return byVersion(500, "internal", "internal")
    case "nonJson":
    case "hang":
      return behaviour
  }
}

const parseBody = (contentType: string, raw: string): Record<string, unknown> | undefined => {
  const type = contentType.split(";")[0]?.trim().toLowerCase()
  if (type === "application/x-www-form-urlencoded") {
    return Object.fromEntries(new URLSearchParams(raw))
  }
  if (type !== "application/json") return undefined
  try {
    const parsed: unknown = JSON.parse(raw)
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? Object.fromEntries(Object.entries(parsed))
      : undefined
  } catch {
    return undefined
  }
}

const flattenHeaders = (headers: http.IncomingHttpHeaders): Record<string, string> => {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value
  }
  return flat
}

export const startCaptchaPeer = async (options: CaptchaPeerOptions = {}): Promise<CaptchaPeer> => {
  const {
    behaviour: initial = "correct",
    host = "127.0.0.1",
    singleUse = false,
    sitekeys = [],
    ...overrides
  } = options
  const good: CaptchaCredentials = { ...captchaDefaults, ...overrides }
  let issued = 0
  const fresh = new Set<string>()
  const tokens: Tokens = {
    good: (token) => token === good.token || fresh.has(token),
    sitekeys: new Set(sitekeys),
    used: singleUse ? new Set() : undefined
  }
  let behaviour: CaptchaBehaviour = initial
  const queued: CaptchaBehaviour[] = []
  const requests: CaptchaRequest[] = []
  let held: Held | undefined

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.once("end", () => {
      const path = new URL(req.url ?? "/", "http://peer").pathname
      const version = path === V1_PATH ? "v1" : path === V2_PATH ? "v2" : undefined
      const rawBody = Buffer.concat(chunks).toString("utf8")
      const request: CaptchaRequest = {
        method: req.method ?? "",
        path,
        version,
        headers: flattenHeaders(req.headers),
        rawBody,
        body: parseBody(req.headers["content-type"] ?? "", rawBody)
      }
      requests.push(request)
      const hold = held
      held = undefined
      hold?.arrived()
      const reply = () => {
        const answer: Answer =
          version === undefined
            ? { status: 404, body: { success: false, error: { error_code: "not_found" } } }
            : req.method !== "POST"
              ? {
                  status: 405,
                  body: { success: false, error: { error_code: "method_not_allowed" } }
                }
              : answerFor(queued.shift() ?? behaviour, version, request, good, tokens)
        if (answer === "hang") return // the socket is destroyed by close()
        if (answer === "nonJson") {
          res.writeHead(200, { "content-type": "text/html; charset=utf-8" })
          return void res.end("<!doctype html><title>Maintenance</title><p>Back soon.</p>")
        }
        res.writeHead(answer.status, { "content-type": "application/json" })
        res.end(JSON.stringify(answer.body))
      }
      if (hold === undefined) reply()
      else void hold.released.then(reply)
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, host, () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("captcha peer has no port")
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`
  let closed: Promise<void> | undefined

  return {
    url,
    v1Url: url + V1_PATH,
    v2Url: url + V2_PATH,
    credentials: good,
    requests,
    newToken: () => {
      const token = `${good.token}-${++issued}`
      fresh.add(token)
      return token
    },
    setBehaviour: (next) => {
      behaviour = next
    },
    queue: (...next) => {
      queued.push(...next)
    },
    holdNextAnswer: () => {
      const next = makeHold()
      held = next.held
      return next.hold
    },
    reset: () => {
      requests.length = 0
      queued.length = 0
      behaviour = initial
    },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closed
    }
  }
}
