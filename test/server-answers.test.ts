/**
 * Every connection the server accepts gets its answer (SPEC section 7a), over raw sockets:
 * a client that ends its side right after the request (as `nc` does).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { firstAnswer, rawConnect } from "./support/raw-http"
import { startServer, type TestServer, tempDir } from "./support/server"

let posts = 0
/** A JSON-mode POST /contact of a new valid form (none a repeat of another), as bytes. */
const contactPost = (host: string) => {
  const form = `email=anna%40example.org&message=Hello%20number%20${++posts}`
  return (
    `POST /contact HTTP/1.1\r\nHost: ${host}\r\n` +
    "Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n" +
    `Content-Length: ${form.length}\r\n\r\n${form}`
  )
}

const savedMails = (server: TestServer) => server.said.filter((l) => l.startsWith("Mail saved"))

describe("embedded mode, over raw sockets", () => {
  let server: TestServer
  let host: string
  beforeAll(async () => {
    server = await startServer({ OUTBOX_DIR: tempDir("cfb-answers-outbox-") })
    host = new URL(server.url).host
  })
  afterAll(() => server?.close())

  it("a client that ends its side right after POST /contact still reads the whole answer, then the server closes", async () => {
    const before = savedMails(server).length
    const client = await rawConnect(server.url)
    client.socket.end(contactPost(host))
    await client.ended
    const answer = firstAnswer(client.received())
    expect(answer?.status).toBe(200)
    expect(JSON.parse(answer?.body ?? "null")).toEqual({ ok: true })
    await vi.waitFor(() => expect(savedMails(server).length).toBe(before + 1))
  })
})
