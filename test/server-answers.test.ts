/**
 * Every connection the server accepts gets its answer, and every submission its outcome
 * (SPEC section 7a), over raw sockets: a client that ends its side right after the request
 * (as `nc` does); a submission whose client left before SIGTERM (a process of its own, the
 * relay holding its reply to DATA).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { firstAnswer, rawConnect } from "./support/raw-http"
import { listeningUrl, spawnServer, startServer, type TestServer, tempDir } from "./support/server"
import { startSmtpPeer } from "./support/smtp-peer"

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
const outcomes = (lines: ReadonlyArray<string>) =>
  lines.flatMap((line) => {
    const outcome = /"outcome":"([a-z_]+)"/.exec(line)?.[1]
    return outcome === undefined ? [] : [outcome]
  })

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

describe("SIGTERM while a submission's client has already left", () => {
  it("the submission still ends in its outcome: the relay gets one mail, one `sent` line, exit 0", async () => {
    const smtp = await startSmtpPeer({ tls: "starttls" })
    try {
      const server = spawnServer({
        PORT: "0",
        MAIL_FROM: "Web contact form <noreply@example.com>",
        MAIL_TO: "Site Owner <owner@example.com>",
        SUCCESS_URL: "https://www.example.com/thanks",
        FALLBACK_EMAIL: "owner@example.com",
        CAPTCHA_PROVIDER: "none",
        SMTP_URL: smtp.url,
        SMTP_TLS_CA_FILE: smtp.caFile,
        SMTP_SECRET_ID: ""
      })
      const url = await listeningUrl(server)
      let exited = false
      void server.exited.then(() => {
        exited = true
      })
      const hold = smtp.holdNextData()
      const client = await rawConnect(url)
      client.socket.write(contactPost(new URL(url).host))
      await hold.reached
      // A reset: the server's socket is gone at once. (Ending the connection would leave it
      // half-open until the answer, which the server then waits for anyway.)
      client.socket.resetAndDestroy()
      await client.closed
      server.child.kill("SIGTERM")
      await server.line(/"msg":"stopping"/)
      expect(exited).toBe(false)
      hold.release()
      expect(await server.exited).toBe(0)
      expect(smtp.mails).toHaveLength(1)
      expect(outcomes(server.stdout)).toEqual(["sent"])
      // Its answer went nowhere, quietly.
      expect(server.stderr).toEqual([])
    } finally {
      await smtp.close()
    }
  })
})
