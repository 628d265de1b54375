/**
 * The server's own queue (contract §7): the spool directory and its retry loop, and the
 * SQS consumer, in real server processes (src/server.ts, as `npm start` runs it) against a
 * STARTTLS + AUTH relay and moto. An item survives `kill -9`, and one killed after the
 * relay had it is sent again marked a possible duplicate; two servers on one directory
 * send each item once, both sending; an item past SPOOL_MAX_AGE_HOURS gets its attempt and
 * goes to dead/ only if it fails, and the README's redrive command brings it back; a
 * subdirectory removed while the server runs is made again.
 */
import { execFileSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  writeFileSync
} from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest"
import { type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import { formBody, urlencoded } from "./support/events"
import { secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { type ChildServer, listeningUrl, repoRoot, spawnServer, tempDir } from "./support/server"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"
import { itemV1, spoolFile } from "./support/spool"
import { worldEnv } from "./support/world"

const suite = await secretsPeerOrSkip()

const smtpUser = "spool-smtp-user"
const smtpPassword = "spool-pw-71c0e2aa"
const visitor = {
  email: "zoe.quillfeather@example.org",
  subject: "Zebra umbrella order",
  body: "Please call me back about the zebra umbrellas."
}

const item = (ageHours = 0) => itemV1(visitor, ageHours)

const files = (dir: string) =>
  existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith(".")) : []

describe.skipIf(suite.skip)("the server's queue: the spool directory and the SQS consumer", () => {
  let smtp: SmtpPeer
  let captcha: CaptchaPeer
  const smtpSecret = uniqueSecretId("smtp")
  const captchaSecret = uniqueSecretId("captcha")
  const servers: Array<ChildServer> = []

  const start = async (overrides: Record<string, string>) => {
    const server = spawnServer(
      worldEnv(
        suite.peer(),
        { smtp, captcha, smtpSecret, captchaSecret },
        {
          CAPTCHA_PROVIDER: "none",
          PORT: "0",
          MAIL_TIMEOUT_MS: "2000",
          RATE_LIMIT_PER_MINUTE: "0",
          ...overrides
        }
      )
    )
    servers.push(server)
    return { server, url: await listeningUrl(server) }
  }
  const stop = async (server: ChildServer, signal: NodeJS.Signals = "SIGTERM") => {
    server.child.kill(signal)
    return server.exited
  }

  beforeAll(async () => {
    smtp = await startSmtpPeer({ tls: "starttls", auth: { user: smtpUser, pass: smtpPassword } })
    captcha = await startCaptchaPeer()
    await suite
      .peer()
      .createSecret(smtpSecret, { SMTP_USERNAME: smtpUser, SMTP_PASSWORD: smtpPassword })
  })
  beforeEach(() => smtp.reset())
  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill("SIGKILL")
    await Promise.all([smtp?.close(), captcha?.close(), suite.close()])
  })

  it("an item spooled, the server killed with SIGKILL, a new one started: delivered once, its file removed", async () => {
    const spool = tempDir("cfb-spool-")
    smtp.setFaults({ mailFrom: { code: 454, message: "Try again later" } })
    const first = await start({ SPOOL_DIR: spool, SPOOL_RETRY_SECONDS: "3600" })
    const answer = await fetch(`${first.url}contact`, {
      method: "POST",
      headers: urlencoded,
      body: formBody(visitor),
      redirect: "manual"
    })
    expect(answer.status).toBe(303)
    const [spooled] = files(spool).filter((f) => f.endsWith(".json"))
    expect(spooled).toMatch(/^\d+-[0-9a-f-]{36}\.json$/)
    // Readable by the server's user alone: it holds the visitor's message.
    expect(statSync(spool).mode & 0o777).toBe(0o700)
    expect(statSync(join(spool, spooled ?? "")).mode & 0o777).toBe(0o600)
    expect(await stop(first.server, "SIGKILL")).toBe("SIGKILL")

    smtp.setFaults({})
    const second = await start({ SPOOL_DIR: spool, SPOOL_RETRY_SECONDS: "1" })
    const [mail] = await smtp.waitForMails(1, 15_000)
    expect(mail?.headers.get("x-contact-submission-id")).toBe(
      spooled?.slice(spooled.indexOf("-") + 1, -5)
    )
    expect(mail?.text).toContain("Delivered late: received ")
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    expect(smtp.mails).toHaveLength(1)
    expect(files(spool).filter((f) => f.endsWith(".json"))).toEqual([])
    expect(files(join(spool, "claimed"))).toEqual([])
    expect(await stop(second.server)).toBe(0)
  })

  it("the relay has the message and drops (contract §7a): spooled marked, then one marked copy, same id", async () => {
    const spool = tempDir("cfb-spool-")
    smtp.setFaults({ acceptThenDrop: { times: 1 } })
    const server = await start({
      SPOOL_DIR: spool,
      SPOOL_RETRY_SECONDS: "1",
      UNKNOWN_RETRY_MINUTES: "0"
    })
    const answer = await fetch(`${server.url}contact`, {
      method: "POST",
      headers: urlencoded,
      body: formBody(visitor),
      redirect: "manual"
    })
    expect(answer.status).toBe(303)
    const [first, second] = await smtp.waitForMails(2, 15_000)
    expect(second?.headers.get("x-contact-submission-id")).toBe(
      first?.headers.get("x-contact-submission-id")
    )
    expect(first?.headers.has("x-contact-possible-duplicate")).toBe(false)
    expect(String(second?.headers.get("x-contact-possible-duplicate"))).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(second?.text).toContain("Possible duplicate: an attempt at ")
    await vi.waitFor(() => expect(files(spool).filter((f) => f.endsWith(".json"))).toEqual([]))
    expect(smtp.mails).toHaveLength(2)
    expect(await stop(server.server)).toBe(0)
  })

  it("kill -9 after the relay has the mail, before its file is deleted (row 10): the next server sends it marked, same id; 2 copies", async () => {
    const spool = tempDir("cfb-spool-")
    // Small bounds, so that the next server takes the claim back soon: it does so once it
    // has seen it for 4 × (2 × 250 + 1500 + 4 × 250) ms = 12 s.
    const settings = {
      SPOOL_DIR: spool,
      SPOOL_RETRY_SECONDS: "1",
      UNKNOWN_RETRY_MINUTES: "0",
      SECRETS_TIMEOUT_MS: "250",
      MAIL_TIMEOUT_MS: "1500",
      QUEUE_TIMEOUT_MS: "250"
    }
    const first = await start(settings)
    const hold = smtp.holdNextData()
    const spooled = item()
    spoolFile(spool, spooled)
    await hold.reached
    expect(await stop(first.server, "SIGKILL")).toBe("SIGKILL")
    hold.release()
    await smtp.waitForMails(1, 5_000)
    expect(files(join(spool, "claimed"))).toHaveLength(1)

    const second = await start(settings)
    const [unmarked, marked] = await smtp.waitForMails(2, 30_000)
    for (const mail of [unmarked, marked]) {
      expect(mail?.headers.get("x-contact-submission-id")).toBe(spooled.id)
    }
    expect(unmarked?.headers.has("x-contact-possible-duplicate")).toBe(false)
    expect(String(marked?.headers.get("x-contact-possible-duplicate"))).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(marked?.text).toContain("Possible duplicate: an attempt at ")
    await vi.waitFor(() => {
      expect(files(spool).filter((f) => f.endsWith(".json"))).toEqual([])
      expect(files(join(spool, "claimed"))).toEqual([])
    })
    expect(smtp.mails).toHaveLength(2)
    expect(await stop(second.server)).toBe(0)
  }, 60_000)

  it("two servers on one SPOOL_DIR send each item exactly once, both taking part", async () => {
    const spool = tempDir("cfb-spool-")
    const items = Array.from({ length: 12 }, () => item())
    // MAIL_TIMEOUT_MS well past the hold below: a quarter of it is the relay's socket timeout.
    const settings = { SPOOL_DIR: spool, SPOOL_RETRY_SECONDS: "1", MAIL_TIMEOUT_MS: "40000" }
    // Both polling before any item appears, so that they race for every one.
    const [a, b] = await Promise.all([start(settings), start(settings)])
    // Whichever sends first is held at DATA until the other has sent one: both take part.
    const hold = smtp.holdNextData()
    const temporary = (each: (typeof items)[number]) => join(spool, `.${each.name}.tmp`)
    for (const each of items) writeFileSync(temporary(each), each.json, { mode: 0o600 })
    for (const each of items) renameSync(temporary(each), join(spool, each.name))
    await hold.reached
    await smtp.waitForMails(1, 10_000)
    hold.release()
    await smtp.waitForMails(items.length, 20_000)
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    const ids = smtp.mails.map((m) => String(m.headers.get("x-contact-submission-id")))
    expect(ids.sort()).toEqual(items.map((i) => i.id).sort())
    expect(files(spool).filter((f) => f.endsWith(".json"))).toEqual([])
    const sent = (server: ChildServer) =>
      server.stdout.filter((l) => l.includes('"outcome":"redelivered"')).length
    const [byA, byB] = [sent(a.server), sent(b.server)]
    expect(byA).toBeGreaterThan(0)
    expect(byB).toBeGreaterThan(0)
    expect(byA + byB).toBe(items.length)
    expect([await stop(a.server), await stop(b.server)]).toEqual([0, 0])
  })

  it("an item older than SPOOL_MAX_AGE_HOURS gets its attempt: sent when the relay takes it, never buried unsent", async () => {
    const spool = tempDir("cfb-spool-")
    const old = item(80)
    const fresh = item(0)
    const server = await start({
      SPOOL_DIR: spool,
      SPOOL_RETRY_SECONDS: "1",
      SPOOL_MAX_AGE_HOURS: "72"
    })
    spoolFile(spool, old)
    spoolFile(spool, fresh)
    const mails = await smtp.waitForMails(2, 15_000)
    expect(mails.map((m) => m.headers.get("x-contact-submission-id")).sort()).toEqual(
      [old.id, fresh.id].sort()
    )
    await vi.waitFor(() => expect(files(spool).filter((f) => f.endsWith(".json"))).toEqual([]))
    expect(files(join(spool, "dead"))).toEqual([])
    expect(await stop(server.server)).toBe(0)
  })

  it("an old item is buried once its attempt fails; the README's redrive command brings it back, and it is sent, not buried again on arrival", async () => {
    const spool = tempDir("cfb-spool-")
    smtp.setFaults({ mailFrom: { code: 454, message: "Try again later" } })
    const server = await start({
      SPOOL_DIR: spool,
      SPOOL_RETRY_SECONDS: "1",
      SPOOL_MAX_AGE_HOURS: "72"
    })
    const old = item(80)
    spoolFile(spool, old)
    await vi.waitFor(() => expect(files(join(spool, "dead"))).toEqual([old.name]), {
      timeout: 15_000
    })
    // Attempted first: the relay saw it, and the attempt's line says why it failed.
    expect(smtp.stats.mailCommands).toBeGreaterThan(0)
    const lines = server.server.stdout
    expect(
      lines.some(
        (l) =>
          l.includes('"outcome":"redelivery_failed"') &&
          l.includes('"reason":"smtp_reply_454"') &&
          l.includes(old.id)
      )
    ).toBe(true)
    expect(lines.some((l) => l.includes('"reason":"too_old"'))).toBe(true)

    smtp.setFaults({})
    const redrive = 'mv "$SPOOL_DIR"/dead/*.json "$SPOOL_DIR"/'
    expect(readFileSync(join(repoRoot, "README.md"), "utf8")).toContain(redrive)
    execFileSync("sh", ["-c", redrive], { env: { PATH: process.env.PATH ?? "", SPOOL_DIR: spool } })
    const [mail] = await smtp.waitForMails(1, 15_000)
    expect(mail?.headers.get("x-contact-submission-id")).toBe(old.id)
    await vi.waitFor(() => expect(files(spool).filter((f) => f.endsWith(".json"))).toEqual([]))
    expect(files(join(spool, "dead"))).toEqual([])
    expect(smtp.mails).toHaveLength(1)
    expect(await stop(server.server)).toBe(0)
  })

  it.each(["claimed", "dead"])(
    "%s/ removed while the server runs: made again (0700) by the next pass, which delivers; an error line counts SpoolFailed",
    async (sub) => {
      const spool = tempDir("cfb-spool-")
      const server = await start({ SPOOL_DIR: spool, SPOOL_RETRY_SECONDS: "1" })
      rmdirSync(join(spool, sub))
      const fresh = item()
      spoolFile(spool, fresh)
      const [mail] = await smtp.waitForMails(1, 15_000)
      expect(mail?.headers.get("x-contact-submission-id")).toBe(fresh.id)
      expect(statSync(join(spool, sub)).mode & 0o777).toBe(0o700)
      await vi.waitFor(() =>
        expect(
          server.server.stdout.some(
            (l) =>
              l.includes('"msg":"spool directory recreated"') &&
              l.includes(`"directory":"${sub}"`) &&
              l.includes('"SpoolFailed":1')
          )
        ).toBe(true)
      )
      await vi.waitFor(() => expect(files(spool).filter((f) => f.endsWith(".json"))).toEqual([]))
      expect(smtp.mails).toHaveLength(1)
      expect(await stop(server.server)).toBe(0)
    }
  )

  it("with QUEUE_URL the server consumes the queue and delivers what it holds; the queue is left empty", async () => {
    const queueUrl = await suite.peer().createQueue(`server-${randomUUID().slice(0, 8)}`)
    const queued = item()
    await suite.peer().sendToQueue(queueUrl, queued.json)
    const deletes = suite.peer().calls("DeleteMessage")
    const server = await start({ QUEUE_URL: queueUrl })
    const [mail] = await smtp.waitForMails(1, 15_000)
    expect(mail?.headers.get("x-contact-submission-id")).toBe(queued.id)
    // Deleted once delivered. A message received and not deleted is only hidden (SQS's
    // 30 s visibility timeout): an empty receive would prove nothing, the count of hidden
    // ones does.
    await vi.waitFor(() => expect(suite.peer().calls("DeleteMessage")).toBe(deletes + 1), {
      timeout: 5_000
    })
    expect(await suite.peer().queueDepth(queueUrl)).toBe(0)
    expect(await stop(server.server)).toBe(0)
  })

  it("QUEUE_CONSUMER=off leaves the queue to its other consumer", async () => {
    const queueUrl = await suite.peer().createQueue(`server-${randomUUID().slice(0, 8)}`)
    await suite.peer().sendToQueue(queueUrl, item().json)
    const server = await start({ QUEUE_URL: queueUrl, QUEUE_CONSUMER: "off" })
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(smtp.mails).toHaveLength(0)
    expect(await suite.peer().queuedMessages(queueUrl)).toHaveLength(1)
    expect(await stop(server.server)).toBe(0)
  })
})
