/**
 * A consumer never holds more items than it can send within their visibility (contract §7a, row 11): two real server processes consuming one SQS queue (moto) whose visibility
 * timeout is 5 s, against a relay whose content filter takes 1.5 s a mail. Eight items take
 * 12 s to send one by one: a consumer that keeps the queue's 5 s lets the other server
 * receive and send the rest again. Copies are counted at the relay once both servers
 * stopped (SIGTERM waits for the item in hand), so a late copy cannot hide.
 */
import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import { queuedItem } from "./support/items"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { type ChildServer, listeningUrl, spawnServer } from "./support/server"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"
import { worldEnv } from "./support/world"

const suite = await secretsPeerOrSkip()

const smtpUser = "consumer-smtp-user"
const smtpPassword = "consumer-pw-5e2a9c04"

describe.skipIf(suite.skip)("the server's SQS consumer and the visibility timeout", () => {
  let smtp: SmtpPeer
  let captcha: CaptchaPeer
  const smtpSecret = uniqueSecretId("smtp")
  const captchaSecret = uniqueSecretId("captcha")
  const servers: Array<ChildServer> = []

  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls", auth: { user: smtpUser, pass: smtpPassword } })
    captcha = await startCaptchaPeer()
    await suite
      .peer()
      .createSecret(smtpSecret, { SMTP_USERNAME: smtpUser, SMTP_PASSWORD: smtpPassword })
  })
  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill("SIGKILL")
    await Promise.all([smtp?.close(), captcha?.close(), suite.close()])
  })

  it("two servers, a 5 s visibility, 1.5 s a mail: eight items, eight mails", async () => {
    const queueUrl = await suite
      .peer()
      .createQueue(`consumer-${randomUUID().slice(0, 8)}`, { VisibilityTimeout: "5" })
    const items = Array.from({ length: 8 }, () => queuedItem())
    for (const each of items) await suite.peer().sendToQueue(queueUrl, each.json)
    smtp.setFaults({ slowAccept: { ms: 1_500 } })
    const start = async () => {
      const server = spawnServer(
        worldEnv(
          suite.peer(),
          { smtp, captcha, smtpSecret, captchaSecret },
          { CAPTCHA_PROVIDER: "none", PORT: "0", QUEUE_URL: queueUrl, MAIL_TIMEOUT_MS: "4000" }
        )
      )
      servers.push(server)
      await listeningUrl(server)
      return server
    }
    const [a, b] = await Promise.all([start(), start()])
    const delivered = () =>
      [a, b].flatMap((s) => s.stdout).filter((l) => l.includes('"outcome":"redelivered"')).length
    await vi.waitFor(() => expect(delivered()).toBeGreaterThanOrEqual(items.length), {
      timeout: 30_000,
      interval: 200
    })
    await vi.waitFor(async () => expect(await suite.peer().queueDepth(queueUrl)).toBe(0), {
      timeout: 10_000
    })
    for (const server of [a, b]) server.child.kill("SIGTERM")
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0])
    // A standard queue: each server said at start what a lost answer can do.
    for (const server of [a, b]) {
      expect(server.stdout.filter((l) => l.includes("standard queue"))).toHaveLength(1)
    }
    const ids = smtp.mails.map((m) => String(m.headers.get("x-contact-submission-id")))
    expect(ids.sort()).toEqual(items.map((i) => i.id).sort())
  }, 60_000)
})
