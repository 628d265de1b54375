/**
 * Every connection the server accepts gets its answer, and every submission its outcome
 * (contract §7a), over raw sockets: a client that ends its side right after the request
 * (as `nc` does); bytes that cannot be parsed right after a valid POST; a submission whose
 * client left before SIGTERM (a process of its own, the relay holding its reply to DATA);
 * and an answer written before the body arrived, which closes its connection at once
 * instead of reading a trickling body for the whole request bound.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { answerLinger } from "../src/server/connections"
import { firstAnswer, rawConnect, settlesWithin } from "./support/raw-http"
import { listeningUrl, spawnServer, startServer, type TestServer, tempDir } from "./support/server"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"
import { relayOnlyEnv } from "./support/world"

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

  it("bytes that cannot be parsed right after a valid POST: its own answer (200), one mail, then the connection closes; alone, a bare 400", async () => {
    const before = savedMails(server).length
    const sentBefore = outcomes(server.logs).filter((o) => o === "sent").length
    const client = await rawConnect(server.url)
    client.socket.write(`${contactPost(host)}NOT AN HTTP REQUEST\r\n\r\n`)
    expect(await settlesWithin(client.ended, 10_000)).toBe(true)
    const answer = firstAnswer(client.received())
    expect(answer?.status).toBe(200)
    expect(JSON.parse(answer?.body ?? "null")).toEqual({ ok: true })
    expect(answer?.headers.connection).toBe("close")
    // Nothing after it: no 400 written behind the real answer.
    expect(client.received().indexOf("HTTP/1.1", 1)).toBe(-1)
    await vi.waitFor(() => expect(savedMails(server).length).toBe(before + 1))
    expect(outcomes(server.logs).filter((o) => o === "sent")).toHaveLength(sentBefore + 1)
    // With no request waiting for its answer, such bytes get Node's own bare 400, as before.
    const bare = await rawConnect(server.url)
    bare.socket.write("NOT AN HTTP REQUEST\r\n\r\n")
    await bare.closed
    expect(bare.received()).toBe("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
  })
})

describe("an answer written before the body arrived closes its connection", () => {
  let smtp: SmtpPeer
  let server: TestServer
  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls" })
    server = await startServer({
      ...relayOnlyEnv(smtp),
      MAX_BODY_BYTES: "100000"
    })
  })
  afterAll(async () => {
    await server?.close()
    await smtp?.close()
  })

  /**
   * Sends `head`, then one body byte every 100 ms for as long as the connection lasts, and
   * says whether the server ended its side within 2 s of the answer (Node alone reads such a
   * body until the request bound, 30 s) and how long it kept reading after that.
   */
  const trickle = async (head: string) => {
    const client = await rawConnect(server.url, { allowHalfOpen: true })
    client.socket.write(head)
    const timer = setInterval(() => {
      if (client.socket.writable) client.socket.write("x")
    }, 100)
    try {
      await client.waitFor(/\r\n\r\n/)
      const ended = await settlesWithin(client.ended, 2_000)
      const closed = await settlesWithin(client.closed, answerLinger + 3_000)
      const lingered = ended && closed ? (await client.closed) - (await client.ended) : Number.NaN
      return { answer: firstAnswer(client.received()), ended, closed, lingered }
    } finally {
      clearInterval(timer)
      client.socket.destroy()
    }
  }

  /** Ended at once, then still read for the linger (a timer never fires early), then closed. */
  const expectLingeringClose = (result: Awaited<ReturnType<typeof trickle>>) => {
    expect(result.ended).toBe(true)
    expect(result.closed).toBe(true)
    expect(result.lingered).toBeGreaterThanOrEqual(answerLinger - 50)
  }

  it("413 for a declared body over MAX_BODY_BYTES: the answer, Connection: close, the end at once, closed after the linger", async () => {
    const host = new URL(server.url).host
    const result = await trickle(
      `POST /contact HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        "Accept: application/json\r\nContent-Length: 1000000\r\n\r\nemail="
    )
    const { answer } = result
    expect(answer?.status).toBe(413)
    expect(JSON.parse(answer?.body ?? "null")).toMatchObject({ error: "payload_too_large" })
    expect(answer?.headers.connection).toBe("close")
    expectLingeringClose(result)
  })

  it("GET /healthz with a body: 200 ok, then the same close", async () => {
    const host = new URL(server.url).host
    const result = await trickle(
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 100000\r\n\r\nx`
    )
    const { answer } = result
    expect([answer?.status, answer?.body]).toEqual([200, "ok"])
    expect(answer?.headers.connection).toBe("close")
    expectLingeringClose(result)
  })
})

describe("SIGTERM while a submission's client has already left", () => {
  it("the submission still ends in its outcome: the relay gets one mail, one `sent` line, exit 0", async () => {
    const smtp = await startSmtpPeer({ tls: "starttls" })
    try {
      const server = spawnServer({
        PORT: "0",
        ...relayOnlyEnv(smtp)
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
