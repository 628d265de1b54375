/**
 * The spool in this process (contract §7, §7a): its queue and its loops over a file
 * system that a test slows or fails (test/support/spool-fs.ts), each loop with a clock of
 * its own, mail counted at a real STARTTLS + AUTH relay. A write abandoned at
 * QUEUE_TIMEOUT_MS never appears, one renamed is answered queued; a full disk leaves no
 * temporary file; a claim is stale by the reclaiming server's own observation, so a clock 11
 * minutes ahead sends nothing twice; every rename and delete is followed by a directory
 * fsync; `done` on a missing file and a pass that cannot list the spool are errors counted
 * in SpoolFailed; no temporary file outlives its write for long; an item written by the
 * previous version is delivered.
 */
import { randomUUID } from "node:crypto"
import { copyFileSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { afterAll, beforeAll, beforeEach, vi } from "vitest"
import { type QueueItem, queueItem } from "../src/domain/item"
import { prepareSpool } from "../src/services/spool"
import { testConfig } from "./support/doubles"
import { tempDir } from "./support/server"
import type { SmtpPeer } from "./support/smtp-peer"
import { itemV1, spoolEnqueue, spoolFile, spoolWorld, startSpoolRelay } from "./support/spool"
import { readdirFailing, recordingFs, syncHeld, writesFailing } from "./support/spool-fs"

const visitor = {
  email: "zoe.quillfeather@example.org",
  subject: "Zebra umbrella order",
  body: "Please call me back about the zebra umbrellas."
}

const queued = (): QueueItem =>
  queueItem({
    id: randomUUID(),
    form: "default",
    receivedAt: new Date(),
    reason: "smtp_reply_454",
    permanent: false,
    contact: { ...visitor, language: "en", extras: [] },
    captcha: { _tag: "Disabled" }
  })

const newSpool = async () => {
  const dir = tempDir("cfb-spool-")
  await Effect.runPromise(prepareSpool(dir))
  return dir
}
const entries = (dir: string) => readdirSync(dir).sort()
const temporaryFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".tmp"))
const spoolFailedLines = (logs: ReadonlyArray<Record<string, unknown>>) =>
  logs.filter((l) => l.level === "error" && l.SpoolFailed === 1)

describe("a spool write and QUEUE_TIMEOUT_MS (row 5: a disk that takes seconds per fsync)", () => {
  const timeoutMs = 200

  it.effect(
    "the temporary file still being fsynced at the timeout: abandoned, answered timeout, and the item never appears",
    () =>
      Effect.gen(function* () {
        const dir = yield* Effect.promise(newSpool)
        const config = testConfig({ SPOOL_DIR: dir, QUEUE_TIMEOUT_MS: String(timeoutMs) })
        const { files, hold } = syncHeld("temporary")
        const enqueue = yield* Effect.forkChild(spoolEnqueue(config, queued(), files))
        yield* Effect.promise(() => hold.reached)
        yield* TestClock.adjust(Duration.millis(timeoutMs))
        const answer = yield* Effect.flip(Fiber.join(enqueue))
        expect(answer).toMatchObject({ _tag: "QueueUnavailable", problem: "timeout" })
        // The disk finishes the fsync the write had begun: the file goes, never renamed.
        hold.release()
        yield* Effect.promise(() =>
          vi.waitFor(() => expect(temporaryFiles(dir)).toEqual([]), { timeout: 5_000 })
        )
        expect(entries(dir)).toEqual(["claimed", "dead"])
      })
  )

  it.effect(
    "renamed before the timeout: the directory's fsync is waited for, and the answer is queued",
    () =>
      Effect.gen(function* () {
        const dir = yield* Effect.promise(newSpool)
        const config = testConfig({ SPOOL_DIR: dir, QUEUE_TIMEOUT_MS: String(timeoutMs) })
        const { files, hold } = syncHeld("directory")
        const item = queued()
        const enqueue = yield* Effect.forkChild(spoolEnqueue(config, item, files))
        yield* Effect.promise(() => hold.reached)
        yield* TestClock.adjust(Duration.millis(timeoutMs * 10))
        hold.release()
        expect(yield* Fiber.await(enqueue)).toEqual(Exit.void)
        expect(entries(dir)).toEqual([
          `${Date.parse(item.receivedAt)}-${item.id}.json`,
          "claimed",
          "dead"
        ])
      })
  )

  it.effect(
    "a full disk (ENOSPC): answered unavailable, its cause kept, and no temporary file left",
    () =>
      Effect.gen(function* () {
        const dir = yield* Effect.promise(newSpool)
        const config = testConfig({ SPOOL_DIR: dir })
        const failure = yield* Effect.flip(spoolEnqueue(config, queued(), writesFailing("ENOSPC")))
        expect(failure).toMatchObject({
          _tag: "QueueUnavailable",
          problem: "unavailable",
          cause: { _tag: "SpoolUnavailable", step: "write", cause: { code: "ENOSPC" } }
        })
        expect(entries(dir)).toEqual(["claimed", "dead"])
      })
  )
})

describe("the spool's loops, with a relay", () => {
  let relay: SmtpPeer
  beforeAll(async () => {
    relay = await startSpoolRelay()
  })
  beforeEach(() => relay.reset())
  afterAll(() => relay?.close())

  const ids = () => relay.mails.map((m) => String(m.headers.get("x-contact-submission-id")))

  it("two servers on one spool, one clock 11 minutes ahead (row 8): the item one claimed is not taken by the other; 1 mail", async () => {
    const dir = await newSpool()
    const world = spoolWorld(relay, dir, { MAIL_TIMEOUT_MS: "20000" })
    const behind = await world.loop()
    const ahead = await world.loop({ clockAheadMs: 11 * 60_000 })
    const item = itemV1(visitor)
    spoolFile(dir, item)
    const hold = relay.holdNextData()
    const sending = behind.pass()
    await hold.reached
    await ahead.pass()
    await ahead.pass()
    hold.release()
    await sending
    await ahead.pass()
    expect(ids()).toEqual([item.id])
    expect(entries(dir)).toEqual(["claimed", "dead"])
    expect(entries(join(dir, "claimed"))).toEqual([])
    expect(world.logs.filter((l) => l.level === "error")).toEqual([])
    await world.dispose()
  })

  it("a claim left by a server that died is taken back once this server has seen it for the stale age, whatever time its name carries", async () => {
    const dir = await newSpool()
    const world = spoolWorld(relay, dir, { MAIL_TIMEOUT_MS: "5000" })
    const loop = await world.loop()
    const item = itemV1(visitor)
    // Claimed by a server whose clock was an hour ahead, killed before it sent anything.
    writeFileSync(join(dir, "claimed", `${item.name}.${Date.now() + 3_600_000}.json`), item.json)
    await loop.pass()
    expect(relay.mails).toHaveLength(0)
    // 4 × (2 × SECRETS_TIMEOUT_MS + MAIL_TIMEOUT_MS + 4 × QUEUE_TIMEOUT_MS) = 92 s.
    loop.advance(92_000 + 1)
    await loop.pass()
    expect(ids()).toEqual([item.id])
    expect(entries(join(dir, "claimed"))).toEqual([])
    await world.dispose()
  })

  it("the attempt's time is in the claimed file before DATA (row 10), and a definite failure takes it out again when the item is released", async () => {
    const dir = await newSpool()
    const world = spoolWorld(relay, dir, { MAIL_TIMEOUT_MS: "20000" })
    const loop = await world.loop()
    const item = itemV1(visitor)
    spoolFile(dir, item)
    relay.setFaults({ dataEnd: { code: 451, message: "Try again later" } })
    const hold = relay.holdNextData()
    const sending = loop.pass()
    await hold.reached
    const [claimed] = readdirSync(join(dir, "claimed"))
    const during = JSON.parse(readFileSync(join(dir, "claimed", claimed ?? ""), "utf8"))
    expect(during).toMatchObject({ v: 3, id: item.id, attemptAt: expect.stringMatching(/^\d{4}-/) })
    hold.release()
    await sending
    const after = JSON.parse(readFileSync(join(dir, item.name), "utf8"))
    expect(after).not.toHaveProperty("attemptAt")
    expect(after).not.toHaveProperty("unknownAt")
    expect(relay.mails).toHaveLength(0)
    await world.dispose()
  })

  it("`done` finding its file gone (another server took the claim back) is an error counted in SpoolFailed", async () => {
    const dir = await newSpool()
    const world = spoolWorld(relay, dir, { MAIL_TIMEOUT_MS: "20000" })
    const loop = await world.loop()
    spoolFile(dir, itemV1(visitor))
    const hold = relay.holdNextData()
    const sending = loop.pass()
    await hold.reached
    const [claimed] = readdirSync(join(dir, "claimed"))
    rmSync(join(dir, "claimed", claimed ?? ""))
    hold.release()
    await sending
    expect(relay.mails).toHaveLength(1)
    expect(spoolFailedLines(world.logs)).toEqual([
      expect.objectContaining({ msg: "spool failed", step: "done", code: "ENOENT" })
    ])
    await world.dispose()
  })

  it("a pass that cannot list the spool is an error counted in SpoolFailed, never a warning alone", async () => {
    const dir = await newSpool()
    const world = spoolWorld(relay, dir)
    const loop = await world.loop({ files: readdirFailing("EIO", (path) => path === dir) })
    await loop.pass()
    expect(spoolFailedLines(world.logs)).toContainEqual(
      expect.objectContaining({
        msg: "spool failed",
        reason: "spool_io",
        step: "list",
        code: "EIO"
      })
    )
    await world.dispose()
  })

  it("temporary files nobody renamed are removed once this server has seen them for the stale age; a young one stays", async () => {
    const dir = await newSpool()
    const world = spoolWorld(relay, dir)
    const loop = await world.loop()
    const abandoned = [join(dir, ".a.json.1.tmp"), join(dir, "claimed", ".b.json.2.tmp")]
    for (const path of abandoned) writeFileSync(path, "")
    await loop.pass()
    const young = join(dir, ".c.json.3.tmp")
    writeFileSync(young, "")
    loop.advance(4 * (2 * 3_000 + 10_000 + 4 * 3_000) + 1)
    await loop.pass()
    expect(temporaryFiles(dir)).toEqual([".c.json.3.tmp"])
    expect(temporaryFiles(join(dir, "claimed"))).toEqual([])
    await world.dispose()
  })

  it("every rename and delete is followed by an fsync of each directory it changed", async () => {
    const dir = await newSpool()
    const { files, journal } = recordingFs()
    const world = spoolWorld(relay, dir, { SPOOL_MAX_AGE_HOURS: "72", MAIL_TIMEOUT_MS: "3000" })
    const loop = await world.loop({ files })
    // Written; then failing (back to waiting), then sent (deleted).
    expect(await world.enqueue(queued(), files)).toEqual(Exit.void)
    relay.setFaults({ mailFrom: { code: 454 } })
    await loop.pass()
    relay.setFaults({})
    loop.advance(60_000)
    await loop.pass()
    // Too old and failing: buried.
    relay.setFaults({ mailFrom: { code: 454 } })
    spoolFile(dir, itemV1(visitor, 80))
    await loop.pass()
    relay.setFaults({})
    // A dead server's claim taken back and sent; a dead/ file past SPOOL_DEAD_DAYS pruned.
    const left = itemV1(visitor)
    writeFileSync(join(dir, "claimed", `${left.name}.${Date.now()}.json`), left.json)
    const expired = itemV1(visitor, 24 * 20)
    writeFileSync(join(dir, "dead", expired.name), expired.json)
    const twentyDaysAgo = (Date.now() - 20 * 86_400_000) / 1_000
    utimesSync(join(dir, "dead", expired.name), twentyDaysAgo, twentyDaysAgo)
    await loop.pass()
    loop.advance(4 * (2 * 3_000 + 3_000 + 4 * 3_000) + 1)
    await loop.pass()

    const unsynced = journal.flatMap((entry, i) => {
      const [op, ...paths] = entry.split(" ")
      if (op === "fsync") return []
      const next = journal.slice(i + 1)
      const end = next.findIndex((e) => !e.startsWith("fsync "))
      const synced = new Set(next.slice(0, end === -1 ? undefined : end).map((e) => e.slice(6)))
      return paths.map(dirname).some((d) => !synced.has(d)) ? [entry] : []
    })
    expect(unsynced).toEqual([])
    const where = (path: string) => path.slice(dir.length) || "/"
    const kinds = new Set(
      journal.map((entry) => {
        const [op, ...paths] = entry.split(" ")
        return [op, ...paths.map((p) => where(dirname(p)))].join(" ")
      })
    )
    for (const kind of [
      "rename / /", // written
      "rename / /claimed", // claimed
      "rename /claimed /claimed", // rewritten (the attempt's time)
      "rename /claimed /", // released, taken back
      "rename /claimed /dead", // buried
      "rm /claimed", // done
      "rm /dead" // pruned
    ]) {
      expect(kinds).toContain(kind)
    }
    expect(relay.mails).toHaveLength(2)
    await world.dispose()
  })

  it("an item file exactly as the previous version's spool wrote it (v: 1, test/fixtures) is delivered", async () => {
    // Made by main's own code at 92698e6 (queueItem, then encodeItem, which escaped U+FFFF
    // then), named as its spool named files; never edited since.
    const dir = await newSpool()
    const fixtures = join(import.meta.dirname, "fixtures")
    const [name] = readdirSync(fixtures).filter((f) => f.endsWith(".json"))
    copyFileSync(join(fixtures, name ?? ""), join(dir, name ?? ""))
    const stored = JSON.parse(readFileSync(join(dir, name ?? ""), "utf8"))
    expect(stored.v).toBe(1)
    // Its age is not this test's subject (row 9: an old item gets its attempt anyway).
    const world = spoolWorld(relay, dir, { SPOOL_MAX_AGE_HOURS: String(24 * 365) })
    const loop = await world.loop()
    await loop.pass()
    const [mail] = relay.mails
    expect(mail?.headers.get("x-contact-submission-id")).toBe(stored.id)
    expect(mail?.subject).toContain("Zebra umbrella order ☂")
    expect(mail?.text).toContain("Two of them, 🦓 striped.")
    expect(mail?.text).toContain("+49 30 1234567")
    expect(mail?.text).toContain(`Delivered late: received ${stored.receivedAt}`)
    expect(relay.mails).toHaveLength(1)
    expect(entries(dir)).toEqual(["claimed", "dead"])
    await world.dispose()
  })
})
