/**
 * A siteverify server on 127.0.0.1, port 0, for one kind of captcha service: Cloudflare
 * Turnstile (`POST /turnstile/v0/siteverify`, `secret`, `response`, `remoteip`,
 * `idempotency_key` as form data or JSON, answer `{success, challenge_ts, hostname,
 * error-codes, action, cdata, metadata}` or `{success: false, error-codes, messages}`) or
 * hCaptcha (`POST /siteverify`, `secret`, `response`, `remoteip`, `sitekey` as form data
 * only, answer `{success, challenge_ts, hostname, credit, error-codes}`), with scripted
 * misbehaviour.
 *
 * Tokens are single use by default, as at both services; Turnstile's documented idempotent
 * retry is honoured: a token's verification repeated with the `idempotency_key` of its first
 * success gets that success again. A failed verification does not use a token up. Tokens do
 * not expire (the services' five minutes are not modelled).
 */
import { randomBytes } from "node:crypto"
import http from "node:http"
import { type Held, type Hold, makeHold } from "./hold"

export type SiteverifyKind = "turnstile" | "hcaptcha"

export type SiteverifyBehaviour =
  /** Verify as the real service does, by the configured credentials. */
  | "correct"
  /** 429, `rate-limited`. */
  | "rateLimited"
  /** 500, `internal-error`. */
  | "serverError"
  /** 200 with an HTML maintenance page. */
  | "nonJson"
  /** Never answers; the socket is destroyed by `close()`. */
  | "hang"
  /** This status, `success: false` with these error codes, in the kind's shape. */
  | { readonly kind: "codes"; readonly status: number; readonly codes: ReadonlyArray<string> }

export interface SiteverifyCredentials {
  /** The token that `correct` accepts besides those of `newToken()`. */
  readonly token: string
  readonly sitekey: string
  readonly secret: string
}

/**
 * The services' documented test values (Turnstile's dummy sitekey, secret and token;
 * hCaptcha's test sitekey, secret and response), here checked as real ones would be.
 */
export const siteverifyDefaults: Record<SiteverifyKind, SiteverifyCredentials> = {
  turnstile: {
    token: "XXXX.DUMMY.TOKEN.XXXX",
    sitekey: "1x00000000000000000000AA",
    secret: "1x0000000000000000000000000000000AA"
  },
  hcaptcha: {
    token: "10000000-aaaa-bbbb-cccc-000000000001",
    sitekey: "10000000-ffff-ffff-ffff-000000000001",
    secret: "0x0000000000000000000000000000000000000000"
  }
}

export interface SiteverifyPeerOptions extends Partial<SiteverifyCredentials> {
  readonly kind: SiteverifyKind
  readonly behaviour?: SiteverifyBehaviour
  /** Tokens verified once are answered as used when asked again. On by default. */
  readonly singleUse?: boolean
  /** More sitekeys of the same account (hCaptcha checks a `sitekey` sent against them). */
  readonly sitekeys?: ReadonlyArray<string>
}

export interface SiteverifyRequest {
  readonly method: string
  readonly path: string
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>
  /** The media type of `content-type` alone, lower case; "" without one. */
  readonly contentType: string
  readonly rawBody: string
  /** The form fields or JSON object; undefined when the body is neither. */
  readonly body: Readonly<Record<string, unknown>> | undefined
}

export interface SiteverifyPeer {
  readonly kind: SiteverifyKind
  /** Base URL, `http://127.0.0.1:PORT`. */
  readonly url: string
  /** `url` and the kind's siteverify path. */
  readonly verifyUrl: string
  readonly credentials: SiteverifyCredentials
  readonly requests: readonly SiteverifyRequest[]
  /**
   * Turnstile: each token verified successfully, with the `idempotency_key` its first
   * successful verification carried (undefined: none). Empty for hCaptcha. A snapshot, taken
   * at each read.
   */
  readonly idempotencyKeys: ReadonlyMap<string, string | undefined>
  /** A fresh token that `correct` accepts, as the widget would solve one per visit. */
  newToken(): string
  /** The behaviour of every request that no queued behaviour answers. */
  setBehaviour(behaviour: SiteverifyBehaviour): void
  /**
   * Behaviours for the next requests, one each, in order. Only a POST to the siteverify path
   * takes one; a 404 or 405 leaves the queue as it is.
   */
  queue(...behaviours: readonly SiteverifyBehaviour[]): void
  /**
   * Holds the answer to the next request until `release()`, then answers as the behaviour
   * of that moment says. `reached` resolves once the request has arrived.
   */
  holdNextAnswer(): Hold
  /**
   * Forgets the requests and the queue and restores the starting behaviour. Tokens used stay
   * used, as at the services; a suite takes fresh ones from `newToken()`.
   */
  reset(): void
  close(): Promise<void>
}

const PATHS: Record<SiteverifyKind, string> = {
  turnstile: "/turnstile/v0/siteverify",
  hcaptcha: "/siteverify"
}

/** Turnstile refuses longer tokens unread. */
const TURNSTILE_MAX_TOKEN = 2048

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

interface JsonAnswer {
  readonly status: number
  readonly body: unknown
  /** The `Allow` header of a 405. */
  readonly allow?: string
}

type Answer = JsonAnswer | "nonJson" | "hang"

/** `success: false` in the kind's shape: Turnstile adds `messages`. */
const failure = (
  kind: SiteverifyKind,
  status: number,
  codes: ReadonlyArray<string>
): JsonAnswer => ({
  status,
  body:
    kind === "turnstile"
      ? { success: false, "error-codes": [...codes], messages: [] }
      : { success: false, "error-codes": [...codes] }
})

/** The success body of a token, the same each time that token is answered. */
const successBody = (kind: SiteverifyKind, challengeTs: string): unknown =>
  kind === "turnstile"
    ? {
        success: true,
        challenge_ts: challengeTs,
        hostname: "localhost",
        "error-codes": [],
        action: "",
        cdata: "",
        metadata: { ephemeral_id: `x:${randomBytes(12).toString("hex")}` }
      }
    : {
        success: true,
        challenge_ts: challengeTs,
        hostname: "localhost",
        credit: false,
        "error-codes": []
      }

/** A token's first success: the answer it got and the idempotency key it carried. */
interface Success {
  readonly body: unknown
  readonly idempotencyKey: string | undefined
}

interface Tokens {
  /** When each token was solved (challenge_ts); the tokens the peer accepts. */
  readonly issued: Map<string, string>
  /** The account's sitekeys beyond the credentials' own. */
  readonly sitekeys: ReadonlySet<string>
  readonly singleUse: boolean
  /** Each token's first success. */
  readonly succeeded: Map<string, Success>
}

const field = (request: SiteverifyRequest, name: string): string | undefined => {
  const value = request.body?.[name]
  return typeof value === "string" && value !== "" ? value : undefined
}

/** Turnstile: form data or JSON; `bad-request` (400) for a body it cannot read. */
const verifyTurnstile = (
  request: SiteverifyRequest,
  good: SiteverifyCredentials,
  tokens: Tokens
): Answer => {
  const fail = (code: string, status = 200) => failure("turnstile", status, [code])
  const readable =
    request.contentType === "application/x-www-form-urlencoded" ||
    request.contentType === "application/json"
  if (!readable || request.body === undefined) return fail("bad-request", 400)
  const key: unknown = request.body.idempotency_key
  if (key !== undefined && (typeof key !== "string" || !UUID.test(key)))
    return fail("bad-request", 400)
  const secret = field(request, "secret")
  if (secret === undefined) return fail("missing-input-secret")
  if (secret !== good.secret) return fail("invalid-input-secret")
  const token = field(request, "response")
  if (token === undefined) return fail("missing-input-response")
  const challengeTs = tokens.issued.get(token)
  if (token.length > TURNSTILE_MAX_TOKEN || challengeTs === undefined)
    return fail("invalid-input-response")
  const first = tokens.succeeded.get(token)
  if (first === undefined) {
    const body = successBody("turnstile", challengeTs)
    tokens.succeeded.set(token, { body, idempotencyKey: key })
    return { status: 200, body }
  }
  if (!tokens.singleUse) return { status: 200, body: first.body }
  // Cloudflare's idempotent retry: the same key as the first success gets that success again.
  if (key !== undefined && key === first.idempotencyKey) return { status: 200, body: first.body }
  return fail("timeout-or-duplicate")
}

/** hCaptcha: form data only; one code for a token unknown or used before. */
const verifyHcaptcha = (
  request: SiteverifyRequest,
  good: SiteverifyCredentials,
  tokens: Tokens
): Answer => {
  const fail = (code: string, status = 200) => failure("hcaptcha", status, [code])
  if (request.contentType !== "application/x-www-form-urlencoded" || request.body === undefined)
    return fail("bad-request", 400)
  const secret = field(request, "secret")
  if (secret === undefined) return fail("missing-input-secret")
  if (secret !== good.secret) return fail("invalid-input-secret")
  const token = field(request, "response")
  if (token === undefined) return fail("missing-input-response")
  const sitekey = field(request, "sitekey")
  if (sitekey !== undefined && sitekey !== good.sitekey && !tokens.sitekeys.has(sitekey))
    return fail("sitekey-secret-mismatch")
  const challengeTs = tokens.issued.get(token)
  if (challengeTs === undefined) return fail("invalid-or-already-seen-response")
  const first = tokens.succeeded.get(token)
  if (first === undefined) {
    const body = successBody("hcaptcha", challengeTs)
    tokens.succeeded.set(token, { body, idempotencyKey: undefined })
    return { status: 200, body }
  }
  return tokens.singleUse
    ? fail("invalid-or-already-seen-response")
    : { status: 200, body: first.body }
}

const answerFor = (
  behaviour: SiteverifyBehaviour,
  kind: SiteverifyKind,
  request: SiteverifyRequest,
  good: SiteverifyCredentials,
  tokens: Tokens
): Answer => {
  if (typeof behaviour !== "string") return failure(kind, behaviour.status, behaviour.codes)
  switch (behaviour) {
    case "correct":
      return kind === "turnstile"
        ? verifyTurnstile(request, good, tokens)
        : verifyHcaptcha(request, good, tokens)
    case "rateLimited":
      return failure(kind, 429, ["rate-limited"])
    case "serverError":
      return failure(kind, 500, ["internal-error"])
    case "nonJson":
    case "hang":
      return behaviour
  }
}

const mediaType = (contentType: string): string =>
  contentType.split(";")[0]?.trim().toLowerCase() ?? ""

const parseBody = (type: string, raw: string): Record<string, unknown> | undefined => {
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

export const startSiteverifyPeer = async (
  options: SiteverifyPeerOptions
): Promise<SiteverifyPeer> => {
  const {
    kind,
    behaviour: initial = "correct",
    singleUse = true,
    sitekeys = [],
    ...overrides
  } = options
  const good: SiteverifyCredentials = { ...siteverifyDefaults[kind], ...overrides }
  const verifyPath = PATHS[kind]
  let issued = 0
  const tokens: Tokens = {
    issued: new Map([[good.token, new Date().toISOString()]]),
    sitekeys: new Set(sitekeys),
    singleUse,
    succeeded: new Map()
  }
  let behaviour: SiteverifyBehaviour = initial
  const queued: SiteverifyBehaviour[] = []
  const requests: SiteverifyRequest[] = []
  let held: Held | undefined

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.once("end", () => {
      const path = new URL(req.url ?? "/", "http://peer").pathname
      const rawBody = Buffer.concat(chunks).toString("utf8")
      const contentType = mediaType(req.headers["content-type"] ?? "")
      const request: SiteverifyRequest = {
        method: req.method ?? "",
        path,
        headers: flattenHeaders(req.headers),
        contentType,
        rawBody,
        body: parseBody(contentType, rawBody)
      }
      requests.push(request)
      const hold = held
      held = undefined
      hold?.arrived()
      const reply = () => {
        const answer: Answer =
          path !== verifyPath
            ? failure(kind, 404, ["not-found"])
            : req.method !== "POST"
              ? { ...failure(kind, 405, ["method-not-allowed"]), allow: "POST" }
              : answerFor(queued.shift() ?? behaviour, kind, request, good, tokens)
        if (answer === "hang") return // the socket is destroyed by close()
        if (answer === "nonJson") {
          res.writeHead(200, { "content-type": "text/html; charset=utf-8" })
          return void res.end("<!doctype html><title>Maintenance</title><p>Back soon.</p>")
        }
        res.writeHead(answer.status, {
          "content-type": "application/json",
          ...(answer.allow === undefined ? {} : { allow: answer.allow })
        })
        res.end(JSON.stringify(answer.body))
      }
      if (hold === undefined) reply()
      else void hold.released.then(reply)
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === "string") {
    throw new Error("siteverify peer has no port")
  }
  const url = `http://127.0.0.1:${address.port}`
  let closed: Promise<void> | undefined

  return {
    kind,
    url,
    verifyUrl: url + verifyPath,
    credentials: good,
    requests,
    get idempotencyKeys(): ReadonlyMap<string, string | undefined> {
      return new Map(
        kind === "turnstile"
          ? [...tokens.succeeded].map(([token, first]) => [token, first.idempotencyKey])
          : []
      )
    },
    newToken: () => {
      const token = `${good.token}-${++issued}`
      tokens.issued.set(token, new Date().toISOString())
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
