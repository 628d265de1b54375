/**
 * Embedded mode answers only requests addressed to itself (contract §1): a web page that
 * rebinds its own DNS name to 127.0.0.1 would otherwise read the outbox of a developer's
 * machine. Any other `Host` gets 421 Misdirected Request, as Vite's dev server refuses them.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { textHeaders } from "../http/headers"

type Listener = (request: IncomingMessage, response: ServerResponse) => void

export const onlyOwnHosts = (hosts: ReadonlyArray<string>, next: Listener): Listener => {
  const own = new Set(hosts.map((h) => h.toLowerCase()))
  return (request, response) => {
    if (own.has((request.headers.host ?? "").toLowerCase())) return next(request, response)
    response
      .writeHead(421, { ...textHeaders, "content-type": "text/plain; charset=utf-8" })
      .end("Misdirected request: this development server answers its own address only.\n")
  }
}
