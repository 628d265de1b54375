/**
 * Load: 200 concurrent valid submissions to the Node server (src/server/app.ts, production
 * mode, in a child process of its own) with a real SMTP peer (STARTTLS): exactly 200 mails
 * arrive, each with its own content; and after a forced collection the server's heap is
 * within 20% of what it was before the load (measured after a warm-up batch, not cold).
 * Each visitor comes from an address of its own (loopback is a /8), as 200 visitors would:
 * the server's rate limit and per-address connection cap stay on, and none is refused.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import http from "node:http"
import { createInterface } from "node:readline"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { childEnv, repoRoot } from "./support/server"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"

const CONCURRENCY = 200

interface LoadServer {
  readonly url: string
  /** A forced full collection in the server, then its heap used and submissions sent. */
  heap(): Promise<{ readonly bytes: number; readonly sent: number }>
  close(): Promise<void>
}

const startLoadServer = (env: Record<string, string>): Promise<LoadServer> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ["--expose-gc", "--import", "tsx", "test/support/load-server.ts"],
      {
        cwd: repoRoot,
        env: childEnv(env),
        stdio: ["pipe", "pipe", "pipe"]
      }
    )
    let stderr = ""
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    const exited = new Promise<void>((done) => child.once("exit", () => done()))
    void exited.then(() => reject(new Error(`load server exited: ${stderr}`)))
    const waiting: Array<(line: string) => void> = []
    if (child.stdout === null || child.stdin === null) throw new Error("no pipes")
    const stdin = child.stdin
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.startsWith("URL ")) {
        resolve({
          url: line.slice(4),
          heap: () =>
            new Promise((answer) => {
              waiting.push((reply) => {
                const [, bytes = "0", , sent = "0"] = reply.split(" ")
                answer({ bytes: Number(bytes), sent: Number(sent) })
              })
              stdin.write("heap\n")
            }),
          close: () => {
            stdin.end()
            return exited
          }
        })
      } else if (line.startsWith("HEAP ")) waiting.shift()?.(line)
    })
  })

describe("load: 200 concurrent submissions to the Node server", () => {
  let smtp: SmtpPeer
  let server: LoadServer
  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls" })
    server = await startLoadServer({
      MAIL_FROM: "Web contact form <noreply@example.com>",
      MAIL_TO: "Site Owner <owner@example.com>",
      SUCCESS_URL: "https://www.example.com/thanks",
      FALLBACK_EMAIL: "owner@example.com",
      AWS_REGION: "eu-west-1",
      CAPTCHA_PROVIDER: "none",
      SMTP_URL: smtp.url,
      SMTP_TLS_CA_FILE: smtp.caFile,
      // A relay without authentication, still over STARTTLS (no Secrets Manager here).
      SMTP_SECRET_ID: "",
      PORT: "0",
      HOST: "127.0.0.1"
    })
  })
  afterAll(async () => {
    await server?.close()
    await smtp?.close()
  })

  /** `n` submissions at once, each with its own token; resolves with the tokens and statuses. */
  const batch = async (n: number) => {
    const run = randomUUID().slice(0, 8)
    const tokens = Array.from({ length: n }, (_, i) => `load-${run}-${i}`)
    const statuses = await Promise.all(
      tokens.map((token, i) =>
        post(
          `127.0.7.${1 + i}`,
          new URLSearchParams({
            name: `Visitor ${i} “Müller”`,
            email: `visitor${i}@example.org`,
            subject: `Subject ${token}`,
            message: `Message ${token}\n\nwritten by visitor ${i}.`
          }).toString()
        )
      )
    )
    return { tokens, statuses }
  }

  /** A JSON-mode form post from `localAddress`, resolving with the status. */
  const post = (localAddress: string, body: string) =>
    new Promise<number>((resolve, reject) => {
      const url = new URL("contact", server.url)
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          localAddress,
          agent: false,
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            accept: "application/json"
          }
        },
        (response) => {
          response.resume()
          response.on("end", () => resolve(response.statusCode ?? 0))
        }
      )
      request.on("error", reject)
      request.end(body)
    })

  it("delivers exactly 200 mails, each its own, and the heap comes back within 20%", async () => {
    // Warm-up: the same load once, so that the baseline is a warm process, not a cold one.
    const warm = await batch(CONCURRENCY)
    expect(warm.statuses.filter((s) => s !== 200)).toEqual([])
    smtp.reset()
    const before = await server.heap()

    const { statuses, tokens } = await batch(CONCURRENCY)
    // No 429 among them: the rate limit is on (production's default) and counts each one's own.
    expect(statuses.filter((s) => s === 429)).toEqual([])
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    // The server answers after the relay accepted each mail: all 200 are here, no more.
    expect(smtp.mails).toHaveLength(CONCURRENCY)
    const byToken = new Map(
      smtp.mails.map((mail) => [/Subject (load-\S+)/.exec(mail.subject ?? "")?.[1], mail])
    )
    expect(byToken.size).toBe(CONCURRENCY)
    for (const [i, token] of tokens.entries()) {
      const mail = byToken.get(token)
      expect(mail, token).toBeDefined()
      // Each mail carries its own submission, never another's.
      expect(mail?.text).toContain(`Message ${token}\n\nwritten by visitor ${i}.`)
      expect(mail?.replyTo?.value).toEqual([
        { address: `visitor${i}@example.org`, name: `Visitor ${i} “Müller”` }
      ])
      expect(mail?.envelope.rcptTo).toEqual(["owner@example.com"])
    }

    const after = await server.heap()
    expect(after.sent - before.sent).toBe(CONCURRENCY)
    console.info(
      `load: heap ${(before.bytes / 2 ** 20).toFixed(1)} MiB before, ${(after.bytes / 2 ** 20).toFixed(1)} MiB after ${CONCURRENCY} concurrent submissions`
    )
    expect(after.bytes).toBeLessThanOrEqual(before.bytes * 1.2)
  })
})
