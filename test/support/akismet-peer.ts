/**
 * An Akismet `comment-check` server on 127.0.0.1, port 0: `POST /1.1/comment-check` with
 * form-encoded fields, answered as Akismet documents it. Under `correct` (the default) the
 * request is checked first (the key, the required `blog` and `user_ip`), a refused one
 * answered `invalid` with `X-akismet-debug-help`; then, by Akismet's own test convention, the
 * author `akismet-guaranteed-spam` (or that address) is spam (`true`) and anything else ham
 * (`false`). Other behaviours script an outage. Every request is recorded, fields included.
 */
import http from "node:http"

export type AkismetBehaviour =
  /** Check the request and answer by its author, as above. */
  | "correct"
  /** As `correct`, and a spam answer says `X-akismet-pro-tip: discard`. */
  | "discard"
  /** 200 `invalid` with `X-akismet-debug-help`, whatever was sent. */
  | "invalid"
  /** 200 `true` with an account alert (`X-akismet-alert-code`, `X-akismet-alert-msg`). */
  | "alert"
  /** 500 with a text body. */
  | "serverError"
  /** 200 with a maintenance page. */
  | "nonsense"
  /** Never answers; the socket is destroyed by `close()`. */
  | "hang"

export interface AkismetRequest {
  readonly method: string
  readonly path: string
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>
  readonly contentType: string
  /** The form fields as received. */
  readonly fields: Readonly<Record<string, string>>
}

export interface AkismetPeer {
  /** The base URL, what AKISMET_URL holds: `http://127.0.0.1:PORT`. */
  readonly url: string
  /** The API key that `correct` accepts. */
  readonly key: string
  readonly requests: ReadonlyArray<AkismetRequest>
  setBehaviour(behaviour: AkismetBehaviour): void
  /** Resolves once `count` requests in all have arrived (answered or held). */
  received(count: number): Promise<void>
  reset(): void
  close(): Promise<void>
}

export const GUARANTEED_SPAM_AUTHOR = "akismet-guaranteed-spam"
export const GUARANTEED_SPAM_EMAIL = "akismet-guaranteed-spam@example.com"
export const ALERT = { code: "10003", message: "You must upgrade your Personal subscription." }

const CHECK_PATH = "/1.1/comment-check"

interface Answer {
  readonly status: number
  readonly body: string
  readonly headers?: Readonly<Record<string, string>>
}

const invalid = (help: string): Answer => ({
  status: 200,
  body: "invalid",
  headers: { "X-akismet-debug-help": help }
})

/** Akismet's own checks of a request, in its order, then its verdict. */
const check = (request: AkismetRequest, key: string, discard: boolean): Answer => {
  if (request.contentType !== "application/x-www-form-urlencoded")
    return invalid("We were unable to parse your request: send it form-encoded.")
  const { fields } = request
  for (const required of ["api_key", "blog", "user_ip"]) {
    if ((fields[required] ?? "") === "") return invalid(`Empty "${required}" value`)
  }
  if (fields.api_key !== key) return invalid("Invalid API key. Check your key on akismet.com.")
  const spam =
    fields.comment_author === GUARANTEED_SPAM_AUTHOR ||
    fields.comment_author_email === GUARANTEED_SPAM_EMAIL
  if (!spam) return { status: 200, body: "false" }
  return {
    status: 200,
    body: "true",
    ...(discard ? { headers: { "X-akismet-pro-tip": "discard" } } : {})
  }
}

const answerFor = (
  behaviour: AkismetBehaviour,
  request: AkismetRequest,
  key: string
): Answer | "hang" => {
  if (request.path !== CHECK_PATH) return { status: 404, body: "Not found" }
  if (request.method !== "POST") return { status: 405, body: "Method not allowed" }
  switch (behaviour) {
    case "correct":
      return check(request, key, false)
    case "discard":
      return check(request, key, true)
    case "invalid":
      return invalid("Missing required field: user_ip.")
    case "alert":
      return {
        status: 200,
        body: "true",
        headers: { "X-akismet-alert-code": ALERT.code, "X-akismet-alert-msg": ALERT.message }
      }
    case "serverError":
      return { status: 500, body: "Internal Server Error" }
    case "nonsense":
      return { status: 200, body: "<!doctype html><title>Maintenance</title>" }
    case "hang":
      return "hang"
  }
}

const flattenHeaders = (headers: http.IncomingHttpHeaders): Record<string, string> => {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value
  }
  return flat
}

export const startAkismetPeer = async (
  options: { readonly key?: string; readonly behaviour?: AkismetBehaviour } = {}
): Promise<AkismetPeer> => {
  const key = options.key ?? "akismet-test-key-123"
  const initial = options.behaviour ?? "correct"
  let behaviour = initial
  const requests: AkismetRequest[] = []
  const waiting: Array<{ readonly count: number; readonly resolve: () => void }> = []

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.once("end", () => {
      const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim() ?? ""
      const raw = Buffer.concat(chunks).toString("utf8")
      const request: AkismetRequest = {
        method: req.method ?? "",
        path: new URL(req.url ?? "/", "http://peer").pathname,
        headers: flattenHeaders(req.headers),
        contentType,
        fields:
          contentType === "application/x-www-form-urlencoded"
            ? Object.fromEntries(new URLSearchParams(raw))
            : {}
      }
      requests.push(request)
      for (const waiter of waiting.filter((w) => requests.length >= w.count)) {
        waiting.splice(waiting.indexOf(waiter), 1)
        waiter.resolve()
      }
      const answer = answerFor(behaviour, request, key)
      if (answer === "hang") return // held until close() destroys the socket
      res.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers })
      res.end(answer.body)
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("akismet peer: no port")
  let closed: Promise<void> | undefined

  return {
    url: `http://127.0.0.1:${address.port}`,
    key,
    requests,
    setBehaviour: (next) => {
      behaviour = next
    },
    received: (count) =>
      requests.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiting.push({ count, resolve })
          }),
    reset: () => {
      requests.length = 0
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
