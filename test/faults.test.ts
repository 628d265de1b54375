/**
 * The fault matrix (README, Reliability): the BUILT bundle in a fresh Node process per
 * group of scenarios sharing a configuration, against real peers that misbehave on cue:
 * smtp-server (STARTTLS, AUTH), moto behind a fault-injecting proxy, the captcha peer.
 * Each scenario asserts the answer, how many mails arrived (exactly one where the contract
 * promises delivery, none where it promises refusal), that the answer came within its
 * bound, and the one log line saying how it ended; no log line of any group carries a
 * secret or anything the visitor wrote.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type BundleProcess, startBundle } from "./support/bundle"
import { type CaptchaBehaviour, type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import { browser, formBody, httpApiEvent, json, urlencoded } from "./support/events"
import { expectLoggedOnce, expectNoLeak, type LogLine, timed } from "./support/reliability"
import {
  type SecretsFault,
  type SecretsPeer,
  secretsPeerOrSkip,
  uniqueSecretId
} from "./support/secrets-peer"
import { closedPort } from "./support/server"
import {
  expectNothingSent,
  type SmtpFaults,
  type SmtpPeer,
  type SmtpStats,
  startSmtpPeer
} from "./support/smtp-peer"
import { type PeerWorld, worldEnv } from "./support/world"

const suite = await secretsPeerOrSkip()

// Small timeouts keep the matrix fast; each bound below is its timeout plus SLACK_MS.
const MAIL_TIMEOUT_MS = 2_500
const CAPTCHA_TIMEOUT_MS = 800
// Above the SDK's first throttling backoff (up to 1 s), so one throttle can clear in time.
const SECRETS_TIMEOUT_MS = 2_000
/**
 * Beyond a timeout: the process, captcha, secrets and SMTP round trips of a busy 2-core
 * machine running other suites. Which timeout ended a request is proved by its log reason.
 */
const SLACK_MS = 2_000

const smtpUser = "ses-smtp-user"
const passwords = { initial: "smtp-pw-4b1d9e0f", rotated: "smtp-pw-c27a55e1" }
const visitor = {
  name: "Zoë Quillfeather",
  email: "zoe.quillfeather@example.org",
  subject: "Zebra umbrella order",
  body: "Hello,\n\nplease call me back about the zebra umbrellas."
}
/** The sourceIp of every event in test/support/events.ts. */
const visitorIp = "203.0.113.7"

type Version = "v1" | "v2"
const tokenField = { v1: "frc-captcha-solution", v2: "frc-captcha-response" } as const

interface World {
  readonly smtp: SmtpPeer
  readonly captcha: CaptchaPeer
  readonly smtpSecret: string
  readonly captchaSecret: string
  /** What moto holds and the relay accepts right now. */
  password: string
}

/** Peers and the two secrets in moto (the captcha secret holds the keys of both versions). */
const startWorld = async (): Promise<World> => {
  const smtp = await startSmtpPeer({
    tls: "starttls",
    auth: { user: smtpUser, pass: passwords.initial }
  })
  const captcha = await startCaptchaPeer()
  const world: World = {
    smtp,
    captcha,
    smtpSecret: uniqueSecretId("smtp"),
    captchaSecret: uniqueSecretId("captcha"),
    password: passwords.initial
  }
  await createSecrets(world)
  return world
}

const createSecrets = async (
  world: Pick<World, "captcha" | "smtpSecret" | "captchaSecret" | "password">
) => {
  await suite
    .peer()
    .createSecret(world.smtpSecret, { SMTP_USERNAME: smtpUser, SMTP_PASSWORD: world.password })
  await suite.peer().createSecret(world.captchaSecret, {
    FRIENDLYCAPTCHA_SITEKEY: world.captcha.credentials.sitekey,
    FRIENDLYCAPTCHA_API_KEY: world.captcha.credentials.apiKey,
    FRIENDLYCAPTCHA_SECRET: world.captcha.credentials.secret
  })
}

const envFor = (world: PeerWorld, overrides: Record<string, string> = {}): Record<string, string> =>
  worldEnv(suite.peer(), world, {
    MAIL_TIMEOUT_MS: String(MAIL_TIMEOUT_MS),
    CAPTCHA_TIMEOUT_MS: String(CAPTCHA_TIMEOUT_MS),
    SECRETS_TIMEOUT_MS: String(SECRETS_TIMEOUT_MS),
    ...overrides
  })

/** What no log line may ever contain. */
const forbidden = (world: Pick<World, "captcha">): ReadonlyArray<string> => [
  passwords.initial,
  passwords.rotated,
  world.captcha.credentials.apiKey,
  world.captcha.credentials.secret,
  visitor.name,
  visitor.email,
  visitor.subject,
  visitor.body,
  "zebra umbrellas",
  visitorIp
]

/** The visitor's form with a fresh token: the same one again would be a repeat (contract §9). */
const fieldsFor = (world: Pick<World, "captcha">, version: Version = "v2") => [
  ...Object.entries(visitor),
  [tokenField[version], world.captcha.newToken()] as const
]

/** A browser's form post (HTML answers), base64 as HTTP API sends it. */
const htmlPost = (fields: ReadonlyArray<readonly [string, string]>) =>
  httpApiEvent({ body: formBody(fields), base64: true, headers: { ...urlencoded, ...browser } })

const jsonPost = (fields: ReadonlyArray<readonly [string, string]>) =>
  httpApiEvent({ body: JSON.stringify(Object.fromEntries(fields)), headers: json })

interface Run {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
  readonly ms: number
  /** The log lines this request wrote. */
  readonly lines: ReadonlyArray<LogLine>
}

const run = async (bundle: BundleProcess, event: unknown): Promise<Run> => {
  const from = bundle.logs.length
  const { value, ms } = await timed(() => bundle.invoke(event))
  return {
    status: value.statusCode,
    headers: value.headers,
    body: value.body,
    ms,
    lines: bundle.logs.slice(from)
  }
}

/** 303 to the success page and exactly one mail, the visitor's, to the owner only. */
const expectDelivered = (answer: Run, smtp: SmtpPeer) => {
  expect([answer.status, answer.headers.location]).toEqual([303, "https://www.example.com/thanks"])
  expect(smtp.mails).toHaveLength(1)
  const [mail] = smtp.mails
  expect(mail?.envelope.rcptTo).toEqual(["owner@example.com"])
  expect(mail?.replyTo?.value).toEqual([{ name: visitor.name, address: visitor.email }])
  expect(mail?.text).toContain("please call me back about the zebra umbrellas.")
}

/** The 500 page: what went wrong, the fallback contact, and what the visitor wrote. */
const expectFallbackPage = (answer: Run, smtp: SmtpPeer) => {
  expect(answer.status).toBe(500)
  expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8")
  expect(answer.body).toContain("Something went wrong")
  expect(answer.body).toContain('href="mailto:owner@example.com?subject=Zebra%20umbrella%20order')
  expect(answer.body).toContain("please call me back about the zebra umbrellas.")
  expect(smtp.mails).toHaveLength(0)
}

/** contract §7a's unknown page: probably arrived; the fallback and the text; a plain mailto. */
const expectUnknownPage = (answer: Run) => {
  expect(answer.status).toBe(500)
  expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8")
  expect(answer.body).toContain("Your message has probably reached us")
  expect(answer.body).not.toContain("Something went wrong")
  expect(answer.body).toContain('href="mailto:owner@example.com"')
  expect(answer.body).toContain("please call me back about the zebra umbrellas.")
}

const closeBundle = async (bundle: BundleProcess | undefined, world: Pick<World, "captcha">) => {
  if (bundle === undefined) return
  expectNoLeak(bundle.logs, forbidden(world))
  expectNoLeak([bundle.stderr()], forbidden(world))
  expect(await bundle.close()).toBe(0)
}

describe.skipIf(suite.skip)("fault matrix: the built bundle against misbehaving peers", () => {
  afterAll(() => suite.close())

  // -------------------------------------------------------------------------------------
  describe("SMTP relay faults", () => {
    let world: World
    let bundle: BundleProcess
    beforeAll(async () => {
      world = await startWorld()
      bundle = await startBundle(envFor(world))
      // Warm: both secrets cached, so each scenario counts only its own secret reads.
      expectDelivered(await run(bundle, htmlPost(fieldsFor(world))), world.smtp)
    })
    afterAll(async () => {
      await closeBundle(bundle, world)
      await Promise.all([world?.smtp.close(), world?.captcha.close()])
    })
    beforeEach(() => {
      world.smtp.reset()
      world.smtp.setCredentials(smtpUser, world.password)
      world.captcha.reset()
      suite.peer().resetCounts()
    })

    const smtpSecretReads = () => suite.peer().getSecretValueCalls(world.smtpSecret)
    const bound = MAIL_TIMEOUT_MS + SLACK_MS

    it.each<[string, SmtpFaults, Partial<SmtpStats>]>([
      ["421 to MAIL FROM, once", { mailFrom: { code: 421, times: 1 } }, { mailCommands: 2 }],
      ["451 to MAIL FROM, once", { mailFrom: { code: 451, times: 1 } }, { mailCommands: 2 }],
      ["451 at the end of DATA, once", { dataEnd: { code: 451, times: 1 } }, { mailCommands: 2 }],
      // SES answers 454 for throttling and for a temporary authentication failure.
      ["454 to MAIL FROM, once", { mailFrom: { code: 454, times: 1 } }, { mailCommands: 2 }],
      [
        "454 to AUTH, once",
        { auth: { code: 454, message: "Temporary authentication failure", times: 1 } },
        { authAttempts: 2, mailCommands: 1 }
      ],
      [
        "the connection dropped after the greeting, once",
        { dropAfterGreeting: { times: 1 } },
        { connections: 2, mailCommands: 1 }
      ],
      [
        "a hang after the greeting, once (a step timeout, then a retry)",
        { hang: { at: "afterGreeting", times: 1 } },
        { connections: 2, mailCommands: 1 }
      ]
    ])("%s → retried, delivered exactly once", async (_, faults, stats) => {
      world.smtp.setFaults(faults)
      const answer = await run(bundle, htmlPost(fieldsFor(world)))
      expectDelivered(answer, world.smtp)
      expect(world.smtp.stats).toMatchObject(stats)
      expect(answer.ms).toBeLessThan(bound)
      // A transient reply is not an authentication failure: the secret is not fetched again.
      expect(smtpSecretReads()).toBe(0)
      expectLoggedOnce(answer.lines, { outcome: "sent", level: "info" })
    })

    it.each<[string, SmtpFaults, string, Partial<SmtpStats>]>([
      [
        "454 to MAIL FROM, every time",
        { mailFrom: { code: 454, message: "Throttling failure: Maximum sending rate exceeded" } },
        "smtp_reply_454",
        { connections: 3, mailCommands: 3 }
      ],
      [
        "454 to AUTH, every time",
        { auth: { code: 454, message: "Temporary authentication failure" } },
        "smtp_reply_454",
        { connections: 3, authAttempts: 3, mailCommands: 0 }
      ],
      [
        "554 at the end of DATA (never retried)",
        { dataEnd: { code: 554, message: "Message rejected" } },
        "smtp_rejected_554",
        { connections: 1, mailCommands: 1 }
      ],
      [
        "550 to MAIL FROM (never retried)",
        { mailFrom: { code: 550, message: "Mailbox unavailable" } },
        "smtp_rejected_550",
        { connections: 1, mailCommands: 1 }
      ],
      [
        "the connection dropped after the greeting, every time",
        { dropAfterGreeting: true },
        "smtp_connection",
        { connections: 3, mailCommands: 0 }
      ]
    ])("%s → the 500 page, no mail", async (_, faults, reason, stats) => {
      world.smtp.setFaults(faults)
      const answer = await run(bundle, htmlPost(fieldsFor(world)))
      expectFallbackPage(answer, world.smtp)
      expect(world.smtp.stats).toMatchObject(stats)
      expect(answer.ms).toBeLessThan(bound)
      expect(smtpSecretReads()).toBe(0)
      expectLoggedOnce(answer.lines, { outcome: "delivery_failed", reason, level: "error" })
    })

    it("the relay hangs after the greeting → the 500 page within MAIL_TIMEOUT_MS", async () => {
      world.smtp.setFaults({ hang: "afterGreeting" })
      const answer = await run(bundle, htmlPost(fieldsFor(world)))
      expectFallbackPage(answer, world.smtp)
      // Not before the deadline (each step has 1 s, and the attempts are retried) ...
      expect(answer.ms).toBeGreaterThanOrEqual(MAIL_TIMEOUT_MS - 50)
      // ... and not much after it.
      expect(answer.ms).toBeLessThan(bound)
      expect(world.smtp.stats.connections).toBeGreaterThanOrEqual(2)
      expectLoggedOnce(answer.lines, {
        outcome: "delivery_failed",
        reason: "smtp_timeout",
        level: "error"
      })
    })

    // contract §7a: past the end of DATA a relay may have the message. Without a reply
    // it is never sent again within the request; without a queue the visitor is told it
    // has probably arrived.
    it("the relay answers `.` after a step's share of MAIL_TIMEOUT_MS (a content filter) → one copy, sent", async () => {
      world.smtp.setFaults({ slowAccept: { ms: 1_500 } })
      const answer = await run(bundle, htmlPost(fieldsFor(world)))
      expectDelivered(answer, world.smtp)
      expect(answer.ms).toBeGreaterThanOrEqual(1_500)
      expect(world.smtp.stats).toMatchObject({ connections: 1, mailCommands: 1 })
      expectLoggedOnce(answer.lines, { outcome: "sent", level: "info" })
    })

    it.each<[string, SmtpFaults, number, string]>([
      [
        "has the message, then the connection drops before its 250",
        { acceptThenDrop: true },
        1,
        "smtp_unknown_connection"
      ],
      [
        "drops the connection once the whole message was written",
        { dropMidBody: true },
        0,
        "smtp_unknown_connection"
      ],
      [
        "hangs after DATA (the message sent, no reply)",
        { hang: "afterData" },
        0,
        "smtp_unknown_timeout"
      ],
      ["hangs mid-body (the whole message written)", { hang: "midBody" }, 0, "smtp_unknown_timeout"]
    ])(
      "the relay %s → unknown: never sent again, the page says it has probably arrived",
      async (_, faults, copies, reason) => {
        world.smtp.setFaults(faults)
        const answer = await run(bundle, htmlPost(fieldsFor(world)))
        expectUnknownPage(answer)
        expect(world.smtp.mails).toHaveLength(copies)
        expect(world.smtp.stats).toMatchObject({ connections: 1, mailCommands: 1 })
        if (reason === "smtp_unknown_timeout") {
          // The wait for the reply lasts the whole MAIL_TIMEOUT_MS, not a step's share.
          expect(answer.ms).toBeGreaterThanOrEqual(MAIL_TIMEOUT_MS - 50)
        }
        expect(answer.ms).toBeLessThan(bound)
        expectLoggedOnce(answer.lines, { outcome: "delivery_unknown", reason, level: "error" })
      }
    )

    it("535 after the secret was rotated in moto → fetched again once, delivered", async () => {
      await suite.peer().putSecretValue(world.smtpSecret, {
        SMTP_USERNAME: smtpUser,
        SMTP_PASSWORD: passwords.rotated
      })
      world.password = passwords.rotated
      world.smtp.setCredentials(smtpUser, passwords.rotated)
      const answer = await run(bundle, htmlPost(fieldsFor(world)))
      expectDelivered(answer, world.smtp)
      expect(world.smtp.stats).toMatchObject({ authAttempts: 2, authFailures: 1 })
      expect(smtpSecretReads()).toBe(1)
      expect(answer.ms).toBeLessThan(bound)
      expectLoggedOnce(answer.lines, { outcome: "sent", level: "info" })
      // The fresh secret is cached: the next submission authenticates at once.
      world.smtp.reset()
      world.smtp.setCredentials(smtpUser, world.password)
      expectDelivered(await run(bundle, htmlPost(fieldsFor(world))), world.smtp)
      expect(world.smtp.stats).toMatchObject({ authAttempts: 1, authFailures: 0 })
      expect(smtpSecretReads()).toBe(1)
    })

    it("535 that a fresh secret does not cure → one refresh only, then the 500 page", async () => {
      world.smtp.setCredentials(smtpUser, "a-password-nobody-has")
      const answer = await run(bundle, htmlPost(fieldsFor(world)))
      expectFallbackPage(answer, world.smtp)
      expect(world.smtp.stats).toMatchObject({ authAttempts: 2, authFailures: 2, mailCommands: 0 })
      expect(smtpSecretReads()).toBe(1)
      expect(answer.ms).toBeLessThan(bound)
      expectLoggedOnce(answer.lines, {
        outcome: "delivery_failed",
        reason: "smtp_auth_535",
        level: "error"
      })
    })
  })

  describe("SMTP relay unreachable", () => {
    it("nothing listens on SMTP_URL's port → retried, then the 500 page", async () => {
      const world = await startWorld()
      const bundle = await startBundle(
        envFor(world, { SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` })
      )
      try {
        const answer = await run(bundle, htmlPost(fieldsFor(world)))
        expectFallbackPage(answer, world.smtp)
        expect(answer.ms).toBeLessThan(MAIL_TIMEOUT_MS + SLACK_MS)
        expectLoggedOnce(answer.lines, {
          outcome: "delivery_failed",
          // nodemailer: ECONNREFUSED is a socket error (ESOCKET), retried like a drop.
          reason: "smtp_socket",
          level: "error"
        })
      } finally {
        await closeBundle(bundle, world)
        await Promise.all([world.smtp.close(), world.captcha.close()])
      }
    })
  })

  // -------------------------------------------------------------------------------------
  describe("Secrets Manager faults (a process per scenario: the cache is per process)", () => {
    let peers: Pick<World, "smtp" | "captcha">
    beforeAll(async () => {
      peers = {
        smtp: await startSmtpPeer({
          tls: "starttls",
          auth: { user: smtpUser, pass: passwords.initial }
        }),
        captcha: await startCaptchaPeer()
      }
    })
    afterAll(async () => {
      suite.peer().setFault(undefined)
      await Promise.all([peers?.smtp.close(), peers?.captcha.close()])
    })
    beforeEach(() => {
      peers.smtp.reset()
      peers.captcha.reset()
      suite.peer().resetCounts()
      suite.peer().setFault(undefined)
    })

    /** Fresh secret ids in moto, a bundle over them, and `f` with both. */
    const scenario = async (
      prepare: (ids: { smtp: string; captcha: string }) => Promise<void>,
      f: (bundle: BundleProcess, ids: { smtp: string; captcha: string }) => Promise<void>
    ) => {
      const ids = { smtp: uniqueSecretId("smtp"), captcha: uniqueSecretId("captcha") }
      await createSecrets({
        captcha: peers.captcha,
        smtpSecret: ids.smtp,
        captchaSecret: ids.captcha,
        password: passwords.initial
      })
      await prepare(ids)
      const bundle = await startBundle(
        envFor({ ...peers, smtpSecret: ids.smtp, captchaSecret: ids.captcha })
      )
      try {
        await f(bundle, ids)
      } finally {
        suite.peer().setFault(undefined)
        await closeBundle(bundle, peers)
      }
    }
    const reads = (id: string) => suite.peer().getSecretValueCalls(id)
    const fault = (secretId: string, f: Omit<SecretsFault, "secretId">) =>
      suite.peer().setFault({ ...f, secretId })
    const bound = SECRETS_TIMEOUT_MS + SLACK_MS

    it.each<[string, Omit<SecretsFault, "secretId">, string, number]>([
      ["throttled, every time", { kind: "throttle" }, "secret_smtp_throttled", 2],
      ["5xx, every time", { kind: "internal" }, "secret_smtp_unavailable", 2],
      ["an HTML page instead of JSON", { kind: "malformed" }, "secret_smtp_unavailable", 1],
      ["no answer at all", { kind: "hang" }, "secret_smtp_timeout", 1]
    ])("SMTP secret: %s → bounded retries, then the 500 page", async (_, f, reason, calls) => {
      await scenario(
        async (ids) => fault(ids.smtp, f),
        async (bundle, ids) => {
          const answer = await run(bundle, htmlPost(fieldsFor(peers)))
          expectFallbackPage(answer, peers.smtp)
          expect(peers.smtp.stats.connections).toBe(0)
          // Two attempts at most (the SDK's maxAttempts), all within SECRETS_TIMEOUT_MS.
          expect(reads(ids.smtp)).toBe(calls)
          expect(answer.ms).toBeLessThan(bound)
          expectLoggedOnce(answer.lines, { outcome: "delivery_failed", reason, level: "error" })
        }
      )
    })

    it.each<[string, Omit<SecretsFault, "secretId">]>([
      ["throttled once", { kind: "throttle", times: 1 }],
      ["5xx once", { kind: "internal", times: 1 }]
    ])("SMTP secret: %s → the SDK's retry gets it, delivered", async (_, f) => {
      await scenario(
        async (ids) => fault(ids.smtp, f),
        async (bundle, ids) => {
          const answer = await run(bundle, htmlPost(fieldsFor(peers)))
          expectDelivered(answer, peers.smtp)
          expect(reads(ids.smtp)).toBe(2)
          expect(answer.ms).toBeLessThan(bound)
          expectLoggedOnce(answer.lines, { outcome: "sent", level: "info" })
        }
      )
    })

    it("SMTP secret throttled through one request, then clear → 500, then delivered (a failure is not cached)", async () => {
      await scenario(
        async (ids) => fault(ids.smtp, { kind: "throttle", times: 2 }),
        async (bundle, ids) => {
          const first = await run(bundle, htmlPost(fieldsFor(peers)))
          expectFallbackPage(first, peers.smtp)
          const second = await run(bundle, htmlPost(fieldsFor(peers)))
          expectDelivered(second, peers.smtp)
          expect(reads(ids.smtp)).toBe(3)
          expectLoggedOnce(second.lines, { outcome: "sent", level: "info" })
        }
      )
    })

    it.each<[string, (peer: SecretsPeer, id: string) => Promise<void>, string]>([
      ["deleted", (peer, id) => peer.deleteSecret(id), "secret_smtp_missing"],
      [
        "not JSON (cut short)",
        (peer, id) =>
          peer.putSecretValue(
            id,
            `{"SMTP_USERNAME":"${smtpUser}","SMTP_PASSWORD":"${passwords.rotated}"`
          ),
        "secret_smtp_malformed"
      ],
      [
        "JSON without the password",
        (peer, id) => peer.putSecretValue(id, { SMTP_USERNAME: smtpUser }),
        "secret_smtp_malformed"
      ],
      [
        "JSON with the password as a number",
        (peer, id) => peer.putSecretValue(id, { SMTP_USERNAME: smtpUser, SMTP_PASSWORD: 4711 }),
        "secret_smtp_malformed"
      ]
    ])("SMTP secret %s → the 500 page, the reason logged", async (_, spoil, reason) => {
      await scenario(
        (ids) => spoil(suite.peer(), ids.smtp),
        async (bundle) => {
          const answer = await run(bundle, jsonPost(fieldsFor(peers)))
          expect(answer.status).toBe(500)
          expect(JSON.parse(answer.body)).toMatchObject({
            ok: false,
            error: "delivery_failed",
            fallback: { email: "owner@example.com" }
          })
          expect(peers.smtp.stats.connections).toBe(0)
          expect(answer.ms).toBeLessThan(bound)
          expectLoggedOnce(answer.lines, { outcome: "delivery_failed", reason, level: "error" })
          // Neither the page nor the log repeats what the secret held.
          expect(answer.body).not.toContain(passwords.rotated)
        }
      )
    })

    it.each<[string, (ids: { captcha: string }) => Promise<void>]>([
      ["throttled", async (ids) => fault(ids.captcha, { kind: "throttle" })],
      ["deleted", (ids) => suite.peer().deleteSecret(ids.captcha)],
      ["not JSON", (ids) => suite.peer().putSecretValue(ids.captcha, "FRIENDLYCAPTCHA_SITEKEY=x")]
    ])("captcha secret %s → fail open: delivered, marked unverified", async (_, spoil) => {
      await scenario(spoil, async (bundle) => {
        const answer = await run(bundle, htmlPost(fieldsFor(peers)))
        expectDelivered(answer, peers.smtp)
        const [mail] = peers.smtp.mails
        expect(mail?.subject).toBe(`[Contact] [unverified] ${visitor.subject}`)
        expect(mail?.text).toContain("Captcha: NOT verified (secret_unavailable)")
        expect(peers.captcha.requests).toHaveLength(0)
        expect(answer.ms).toBeLessThan(bound)
        expectLoggedOnce(answer.lines, { outcome: "sent", level: "warn" })
        expect(answer.lines.at(-1)).toMatchObject({ captcha: "unverified:secret_unavailable" })
      })
    })
  })

  // -------------------------------------------------------------------------------------
  type Expected =
    | { readonly kind: "verified" }
    | { readonly kind: "rejected"; readonly code: string }
    | { readonly kind: "alreadyReceived"; readonly code: string }
    | { readonly kind: "misconfigured"; readonly status: number; readonly code: string }
    | { readonly kind: "failOpen"; readonly reason: string }

  const rejected = (code: string): Expected => ({ kind: "rejected", code })
  const misconfigured = (status: number, code: string): Expected => ({
    kind: "misconfigured",
    status,
    code
  })
  const failOpen = (reason: string): Expected => ({ kind: "failOpen", reason })
  const error = (status: number, code: string): CaptchaBehaviour => ({
    kind: "error",
    status,
    code
  })

  /** contract §4 for every documented error code of each version, and the outages. */
  const captchaTable = (version: Version): ReadonlyArray<[string, CaptchaBehaviour, Expected]> => {
    const codes: ReadonlyArray<[number, string]> =
      version === "v1"
        ? [
            [200, "solution_invalid"],
            [200, "solution_timeout_or_duplicate"],
            [400, "secret_missing"],
            [400, "solution_missing"],
            [400, "bad_request"],
            [401, "secret_invalid"]
          ]
        : [
            [200, "response_invalid"],
            [200, "response_timeout"],
            [200, "response_duplicate"],
            [400, "sitekey_invalid"],
            [400, "response_missing"],
            [400, "bad_request"],
            [401, "auth_required"],
            [401, "auth_invalid"]
          ]
    return [
      ["correct token, keys and sitekey", "correct", { kind: "verified" }],
      ...codes.map(([status, code]): [string, CaptchaBehaviour, Expected] => [
        `${status} ${code}`,
        error(status, code),
        status !== 200
          ? misconfigured(status, code)
          : // contract §9: the token was used (or, v1, has expired): a repeat, not a bot.
            code === "response_duplicate" || code === "solution_timeout_or_duplicate"
            ? { kind: "alreadyReceived", code }
            : rejected(code)
      ]),
      ["403 forbidden", "forbidden", misconfigured(403, "forbidden")],
      ["429 rate limited", "rateLimited", failOpen("http_429")],
      ["500", "serverError", failOpen("http_500")],
      ["502", { kind: "serverError", status: 502 }, failOpen("http_502")],
      ["503", { kind: "serverError", status: 503 }, failOpen("http_503")],
      ["an HTML page instead of JSON", "nonJson", failOpen("invalid_response")],
      ["no answer within CAPTCHA_TIMEOUT_MS", "hang", failOpen("timeout")]
    ]
  }

  describe.each<Version>(["v2", "v1"])("captcha API %s", (version) => {
    let world: World
    let bundle: BundleProcess
    beforeAll(async () => {
      world = await startWorld()
      bundle = await startBundle(
        envFor(world, {
          CAPTCHA_PROVIDER: `friendlycaptcha-${version}`,
          CAPTCHA_VERIFY_URL: version === "v1" ? world.captcha.v1Url : world.captcha.v2Url
        })
      )
    })
    afterAll(async () => {
      await closeBundle(bundle, world)
      await Promise.all([world?.smtp.close(), world?.captcha.close()])
    })
    beforeEach(() => {
      world.smtp.reset()
      world.captcha.reset()
    })
    const bound = CAPTCHA_TIMEOUT_MS + SLACK_MS

    it.each(captchaTable(version))("%s → contract §4", async (_, behaviour, expected) => {
      world.captcha.setBehaviour(behaviour)
      const answer = await run(bundle, jsonPost(fieldsFor(world, version)))
      expect(answer.ms).toBeLessThan(bound)
      expect(world.captcha.requests).toHaveLength(1)
      expect(world.captcha.requests[0]?.version).toBe(version)
      const body: unknown = JSON.parse(answer.body)
      switch (expected.kind) {
        case "verified":
        case "failOpen": {
          expect([answer.status, body]).toEqual([200, { ok: true }])
          expect(world.smtp.mails).toHaveLength(1)
          const [mail] = world.smtp.mails
          const verified = expected.kind === "verified"
          expect(mail?.subject).toBe(
            `[Contact] ${verified ? "" : "[unverified] "}${visitor.subject}`
          )
          expect(mail?.text?.trimEnd().split("\n").at(-1)).toBe(
            verified ? "Captcha: verified" : `Captcha: NOT verified (${expected.reason})`
          )
          expectLoggedOnce(answer.lines, { outcome: "sent", level: verified ? "info" : "warn" })
          expect(answer.lines.at(-1)?.captcha).toBe(
            verified ? "verified" : `unverified:${expected.reason}`
          )
          break
        }
        case "alreadyReceived":
          expect([answer.status, body]).toEqual([
            409,
            {
              ok: false,
              error: "already_received",
              fallback: {
                email: "owner@example.com",
                mailto: expect.stringMatching(/^mailto:owner@example\.com\?subject=Zebra/)
              }
            }
          ])
          await expectNothingSent(world.smtp)
          expectLoggedOnce(answer.lines, {
            outcome: "already_received",
            reason: `captcha_${expected.code}`,
            level: "info"
          })
          break
        case "rejected":
          expect([answer.status, body]).toEqual([400, { ok: false, error: "captcha_failed" }])
          await expectNothingSent(world.smtp)
          expectLoggedOnce(answer.lines, {
            outcome: "captcha_failed",
            reason: `captcha_${expected.code}`,
            level: "info"
          })
          break
        case "misconfigured":
          expect(answer.status).toBe(500)
          expect(body).toMatchObject({ ok: false, error: "delivery_failed" })
          await expectNothingSent(world.smtp)
          expectLoggedOnce(answer.lines, {
            outcome: "delivery_failed",
            reason: `captcha_config_http_${expected.status}_${expected.code}`,
            level: "error"
          })
          break
      }
    })

    it.each<[string, string | undefined, string]>([
      ["missing", undefined, "captcha_missing"],
      ["empty", "", "captcha_missing"],
      ["the widget's placeholder", ".UNSTARTED", "captcha_placeholder"],
      ["sent in the other version's field only", "other", "captcha_missing"],
      // Junk a black-box probe sent (issue 18): never worth a call, never an `error` line.
      ["a space", " ", "captcha_missing"],
      ["a tab", "\t", "captcha_missing"],
      ["two words", "a b", "captcha_malformed"],
      ["a control character", "abc\u0000def", "captcha_malformed"],
      ["60 KB of A", "A".repeat(60_000), "captcha_malformed"]
    ])("token %s → 400 captcha_failed; the API is not called", async (_, token, reason) => {
      const other = version === "v1" ? tokenField.v2 : tokenField.v1
      const fields: Array<readonly [string, string]> = [...Object.entries(visitor)]
      if (token === "other") fields.push([other, world.captcha.credentials.token])
      else if (token !== undefined) fields.push([tokenField[version], token])
      const answer = await run(bundle, jsonPost(fields))
      expect([answer.status, JSON.parse(answer.body)]).toEqual([
        400,
        { ok: false, error: "captcha_failed" }
      ])
      expect(world.captcha.requests).toHaveLength(0)
      expect(world.smtp.stats.connections).toBe(0)
      expectLoggedOnce(answer.lines, { outcome: "captcha_failed", reason, level: "info" })
    })
  })

  describe("captcha API unreachable", () => {
    it("nothing listens on CAPTCHA_VERIFY_URL → fail open: delivered, marked unreachable", async () => {
      const world = await startWorld()
      const bundle = await startBundle(
        envFor(world, {
          CAPTCHA_VERIFY_URL: `http://127.0.0.1:${await closedPort()}/api/v2/captcha/siteverify`
        })
      )
      try {
        const answer = await run(bundle, htmlPost(fieldsFor(world)))
        expectDelivered(answer, world.smtp)
        expect(world.smtp.mails[0]?.text).toContain("Captcha: NOT verified (unreachable)")
        expect(answer.ms).toBeLessThan(CAPTCHA_TIMEOUT_MS + SLACK_MS)
        expectLoggedOnce(answer.lines, { outcome: "sent", level: "warn" })
      } finally {
        await closeBundle(bundle, world)
        await Promise.all([world.smtp.close(), world.captcha.close()])
      }
    })
  })
})
