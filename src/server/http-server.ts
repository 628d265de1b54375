/**
 * Node's http server as the application runs it (contract §7a and §9): the bounds and
 * the connection caps (./connections.ts), what each connection is owed (./exchanges.ts), an
 * answer for a client that half-closed after its request, and every request answered from
 * the server's first moment: those that arrive before the application is ready wait for it.
 */
import { createServer, type IncomingMessage } from "node:http"
import { capConnections, serverBounds } from "./connections"
import { type AnswerServer, ServerAnswer, watchExchanges } from "./exchanges"

type Listener = (request: IncomingMessage, response: ServerAnswer) => void

export interface NodeServer {
  readonly server: AnswerServer
  /** The application is ready: the requests that waited are served, then every new one. */
  serve(listener: Listener): void
  /** Start-up stopped before `serve`: the requests that waited get 503 and close. */
  refuseWaiting(): void
  /** Stopping: each answer still owed closes its connection once sent. */
  drain(): void
}

export const nodeServer = (options: {
  readonly maxConnections: number
  readonly perAddress: boolean
}): NodeServer => {
  const server = createServer<typeof IncomingMessage, typeof ServerAnswer>({
    ...serverBounds,
    ServerResponse: ServerAnswer
  })
  // HTTP/1.1 lets a client end its side once the request is sent (`nc` does at the end of
  // its input). Node's default then ends the connection at once, before the answer exists;
  // with this it sends the answer, then closes. Node's types do not declare the flag.
  Object.assign(server, { httpAllowHalfOpen: true })
  const exchanges = watchExchanges(server)
  capConnections(server, { ...options, owesAnswer: exchanges.owesAnswer })

  // The server listens before the services are built (embedded mode's configuration needs
  // the port it got), so a connection can arrive first: its request waits here.
  let listener: Listener | undefined
  const waiting: Array<readonly [IncomingMessage, ServerAnswer]> = []
  server.on("request", (request, response) => {
    // A request behind the last answer of a closing connection: no one could read its
    // answer, so it is not run at all (a submission would be sent unanswered).
    if (request.socket.writableEnded) return void request.socket.destroy()
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
        response.closeAfter()
        response.writeHead(503, { "cache-control": "no-store", "retry-after": "5" }).end()
      }
    },
    drain: exchanges.closeAll
  }
}
