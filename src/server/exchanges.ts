/**
 * What the server owes each connection, and when it closes one (contract §7a and §9).
 *
 * - A connection is owed an answer while a request it finished sending waits for one; only
 *   then is it kept at MAX_CONNECTIONS (src/server/connections.ts). Idle, sending its
 *   headers, sending a body, or sending the rest of a body already answered: it may go.
 * - An answer written before its request's body arrived (413, 429, …) closes the
 *   connection: `Connection: close`, then the end, and the socket is destroyed
 *   `answerLinger` later, not at once: a client still sending its body would be reset, and
 *   a reset can lose the answer on its way. Node would read and drop such a body for up to
 *   the request bound instead.
 * - Bytes that cannot be parsed after a request that arrived whole: that request still gets
 *   its own answer, then the connection closes. Node's default writes a bare 400 over it and
 *   drops the connection, while the submission goes on and its mail is sent.
 */
import {
  type IncomingMessage,
  type OutgoingHttpHeader,
  type OutgoingHttpHeaders,
  type Server,
  ServerResponse
} from "node:http"
import type { Duplex } from "node:stream"
import { answerLinger } from "./connections"

/** Whether the request's body is still to come (Node marks it complete once it is read). */
const bodyPending = (request: IncomingMessage): boolean =>
  !request.complete &&
  (request.headers["transfer-encoding"] !== undefined ||
    Number(request.headers["content-length"] ?? "0") > 0)

type Headers = OutgoingHttpHeaders | OutgoingHttpHeader[]

/** The server's responses (createServer's `ServerResponse`): one that closes its connection lingers. */
export class ServerAnswer<
  Request extends IncomingMessage = IncomingMessage
> extends ServerResponse<Request> {
  #closing = false

  /**
   * This is the connection's last answer: it closes once this answer is sent. With bytes
   * still coming (the rest of a body, or `unparsable` ones after the request), it lingers.
   */
  closeAfter(unparsable = false): void {
    if (this.#closing) return
    this.#closing = true
    if (!this.headersSent) this.shouldKeepAlive = false
    const { socket } = this.req
    this.once("finish", () => {
      if (socket.destroyed) return
      if (!unparsable && !bodyPending(this.req)) {
        if (!socket.writableEnded) socket.destroySoon()
        return
      }
      // Node ends a `Connection: close` answer's socket and destroys it as soon as the end
      // is flushed (net's destroySoon); the linger replaces that destroy.
      socket.removeListener("finish", socket.destroy)
      if (!socket.writableEnded) socket.end()
      const linger = setTimeout(() => socket.destroy(), answerLinger)
      socket.once("close", () => clearTimeout(linger))
    })
  }

  override writeHead(statusCode: number, reason?: string | Headers, headers?: Headers): this {
    if (bodyPending(this.req)) this.closeAfter()
    if (typeof reason === "string") return super.writeHead(statusCode, reason, headers)
    // Effect's server calls writeHead(status, undefined, headers): the headers come third.
    return super.writeHead(statusCode, reason ?? headers)
  }
}

/** Node's own answers to what it cannot parse or wait for, by its error code; else 400. */
const bareStatus = new Map([
  ["HPE_HEADER_OVERFLOW", "431 Request Header Fields Too Large"],
  ["HPE_CHUNK_EXTENSIONS_OVERFLOW", "413 Payload Too Large"],
  ["ERR_HTTP_REQUEST_TIMEOUT", "408 Request Timeout"]
])

const bareAnswer = (code: string | undefined): string =>
  `HTTP/1.1 ${bareStatus.get(code ?? "") ?? "400 Bad Request"}\r\nConnection: close\r\n\r\n`

export type AnswerServer = Server<typeof IncomingMessage, typeof ServerAnswer>

/** Tracks the answers owed on each connection; `owesAnswer` tells the connection cap. */
export const watchExchanges = (server: AnswerServer) => {
  /** The answers not yet sent, per connection, in the order of their requests. */
  const unsent = new Map<Duplex, Array<ServerAnswer>>()
  /** A connection's list lives as long as it: one queued answer never closes if it dies. */
  const answersOf = (socket: Duplex): Array<ServerAnswer> => {
    const known = unsent.get(socket)
    if (known !== undefined) return known
    const answers: Array<ServerAnswer> = []
    unsent.set(socket, answers)
    socket.once("close", () => unsent.delete(socket))
    return answers
  }
  server.on("request", (request, response) => {
    const answers = answersOf(request.socket)
    answers.push(response)
    response.once("close", () => {
      const at = answers.indexOf(response)
      if (at !== -1) answers.splice(at, 1)
    })
  })
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    const answers = unsent.get(socket) ?? []
    const last = answers.at(-1)
    if (socket.writable && last !== undefined && !bodyPending(last.req))
      return last.closeAfter(true)
    // As Node does: no bare answer once the answer on the wire has begun.
    if (socket.writable && !answers[0]?.headersSent) socket.write(bareAnswer(error.code))
    socket.destroy()
  })
  return {
    owesAnswer: (socket: Duplex): boolean =>
      unsent.get(socket)?.some((answer) => !bodyPending(answer.req)) ?? false,
    /** Stopping: each connection closes after the answers it is owed. */
    closeAll: () => {
      for (const answers of unsent.values()) answers.at(-1)?.closeAfter()
    }
  }
}
