/**
 * POST /contact on Node's http server: a thin adapter over the edge (`respond` in
 * src/http/respond.ts), the same one the Lambda adapter uses. The server's pages go through
 * Effect's HTTP router (src/server/routes.ts); submissions skip it, because its
 * request and response objects cost more than the whole flow (README, Performance).
 */
import { randomUUID } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import {
  addressOf,
  type BodyUnreadable,
  type EdgeRequest,
  PayloadTooLarge,
  type Resource,
  unreadable
} from "../http/request"
import { type AppServices, respond } from "../http/respond"

/** The body, refused as soon as it passes `maxBytes` (declared or streamed). */
const readBody = (request: IncomingMessage, maxBytes: number) =>
  Effect.callback<Uint8Array, PayloadTooLarge | BodyUnreadable>((resume) => {
    // Its client left before the body was read (while the server was starting, say): no
    // event will ever come.
    if (request.destroyed) return resume(Effect.fail(unreadable()))
    if (Number(request.headers["content-length"] ?? "0") > maxBytes) {
      // Read and drop the rest while the answer goes out; its connection then closes
      // (src/server/exchanges.ts).
      request.resume()
      return resume(Effect.fail(new PayloadTooLarge()))
    }
    const chunks: Array<Buffer> = []
    let size = 0
    const cleanup = () => {
      request.off("data", onData).off("end", onEnd).off("error", onError)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBytes) return void chunks.push(chunk)
      cleanup()
      request.resume()
      resume(Effect.fail(new PayloadTooLarge()))
    }
    const onEnd = () => {
      cleanup()
      resume(Effect.succeed(Buffer.concat(chunks)))
    }
    const onError = () => {
      cleanup()
      resume(Effect.fail(unreadable()))
    }
    request.on("data", onData).on("end", onEnd).on("error", onError)
    return Effect.sync(cleanup)
  })

const headersOf = (request: IncomingMessage): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value
  }
  return headers
}

/**
 * The listener for POST/OPTIONS/… of one form's address, over a runtime built once, and
 * `settled`: the answers still being made, whether or not their client is still connected
 * (contract §7a: a submission in flight ends in its outcome when the process stops too).
 */
export const contactHandler = (services: Context.Context<AppServices>) => {
  const run = Effect.runPromiseWith(services)
  const inFlight = new Set<Promise<void>>()
  const settled = Effect.promise(async () => {
    while (inFlight.size > 0) await Promise.allSettled(inFlight)
  })
  const listener = (
    request: IncomingMessage,
    response: ServerResponse,
    address: { readonly form: string; readonly resource: Resource }
  ): void => {
    const edge: EdgeRequest = {
      method: request.method ?? "GET",
      ...address,
      headers: headersOf(request),
      requestId: randomUUID(),
      body: (maxBytes) => readBody(request, maxBytes),
      peer: request.socket.remoteAddress
    }
    const answered = run(respond(edge)).then(
      (answer) => {
        response.writeHead(answer.status, answer.headers).end(answer.body)
      },
      // Only an interruption (the process stopping) gets here: respond never fails.
      () => {
        if (!response.headersSent) response.writeHead(503, { "cache-control": "no-store" })
        response.end()
      }
    )
    inFlight.add(answered)
    void answered.finally(() => inFlight.delete(answered))
  }
  return Object.assign(listener, { settled })
}

type Listener = (request: IncomingMessage, response: ServerResponse) => void
type FormListener = (
  request: IncomingMessage,
  response: ServerResponse,
  address: { readonly form: string; readonly resource: Resource }
) => void

/**
 * /contact (the default form) and /f/<id> (contract §10), and their ALTCHA challenges
 * (`/altcha`, `/f/<id>/altcha`), to the edge, everything else
 * to the pages. A request target in absolute form (`POST http://host/contact`) is routed by
 * its path, as RFC 9112 asks, and the pages see the path alone.
 */
export const routeContact =
  (contact: FormListener, pages: Listener): Listener =>
  (request, response) => {
    const target = request.url ?? "/"
    const url = new URL(target, "http://localhost")
    const address = addressOf(url.pathname)
    if (address !== undefined) return contact(request, response, address)
    if (!target.startsWith("/")) request.url = `${url.pathname}${url.search}`
    pages(request, response)
  }
