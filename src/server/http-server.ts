/**
 * Node's http server as the application runs it (SPEC sections 7a and 9): the bounds and
 * the connection caps (./connections.ts), `drain` for stopping, an answer for a client that
 * half-closed after its request, and every request answered from the server's first
 * moment: those that arrive before the application is ready wait for it.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import { boundedServer, capConnections } from "./connections"

type Listener = (request: IncomingMessage, response: ServerResponse) => void

export interface NodeServer {
  readonly server: Server
  /** The application is ready: the requests that waited are served, then every new one. */
  serve(listener: Listener): void
  /** Start-up stopped before `serve`: the requests that waited get 503 and close. */
  refuseWaiting(): void
  /**
   * Stopping: the answers still in flight close their connection when sent. Without it,
   * `close()` would wait for each of their keep-alive connections to time out (5 s).
   */
  drain(): void
}

export const nodeServer = (options: {
  readonly maxConnections: number
  readonly perAddress: boolean
}): NodeServer => {
  const server = boundedServer()
  // HTTP/1.1 lets a client end its side once the request is sent (`nc` does at the end of
  // its input). Node's default then ends the connection at once, before the answer exists;
  // with this it sends the answer, then closes. Node's types do not declare the flag.
  Object.assign(server, { httpAllowHalfOpen: true })
  capConnections(server, options)
  const inFlight = new Set<ServerResponse>()
  server.on("request", (_request, response) => {
    inFlight.add(response)
    response.once("close", () => inFlight.delete(response))
  })

  // The server listens before the services are built (embedded mode's configuration needs
  // the port it got), so a connection can arrive first: its request waits here.
  let listener: Listener | undefined
  const waiting: Array<readonly [IncomingMessage, ServerResponse]> = []
  server.on("request", (request, response) => {
    if (listener === undefined) waiting.push([request, response])
    else listener(request, response)
  })

  return {
    server,
    serve: (ready) => {
      listener = ready
      for (const [request, response] of waiting.splice(0)) ready(request, response)
    },
    refuseWaiting: () => {
      for (const [, response] of waiting.splice(0)) {
        response
          .writeHead(503, { "cache-control": "no-store", "retry-after": "5", connection: "close" })
          .end()
      }
    },
    drain: () => {
      for (const response of inFlight) {
        if (!response.headersSent) response.setHeader("connection", "close")
      }
    }
  }
}
