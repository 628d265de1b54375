/**
 * The spool in this process (SPEC sections 7, 7a): its queue and its loops over a file
 * system that a test slows or fails (test/support/spool-fs.ts), each loop with a clock of
 * its own, mail counted at a real STARTTLS + AUTH relay. An item written by the previous
 * version is delivered.
 */
import { copyFileSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { prepareSpool } from "../src/services/spool"
import { tempDir } from "./support/server"
import type { SmtpPeer } from "./support/smtp-peer"
import { spoolWorld, startSpoolRelay } from "./support/spool"

const newSpool = async () => {
  const dir = tempDir("cfb-spool-")
  await Effect.runPromise(prepareSpool(dir))
  return dir
}
const entries = (dir: string) => readdirSync(dir).sort()

describe("the spool's loops, with a relay", () => {
  let relay: SmtpPeer
  beforeAll(async () => {
    relay = await startSpoolRelay()
  })
  beforeEach(() => relay.reset())
  afterAll(() => relay?.close())

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
