/**
 * A real SMTP server for integration tests (smtp-server on 127.0.0.1, port 0) with
 * STARTTLS or implicit TLS, AUTH, rotatable credentials and scripted faults. A small
 * front listener accepts every connection first, so a connection can be hung or dropped
 * after the greeting before smtp-server ever sees it.
 */
import { EventEmitter } from "node:events"
import net from "node:net"
import tls from "node:tls"
import { type ParsedMail, simpleParser } from "mailparser"
import { SMTPServer, type SMTPServerSession } from "smtp-server"
import { expect, vi } from "vitest"
import { makeTestCertificate } from "./certs"
import { type Held, type Hold, makeHold } from "./hold"

export type SmtpTlsMode = "starttls" | "implicit" | "none"
export type HangPoint = "afterGreeting" | "afterData" | "midBody"

/** Reply `code` instead of the normal answer: to the first `times` occurrences, or always. */
export interface ReplyFault {
  readonly code: number
  readonly message?: string
  readonly times?: number
}

export interface SmtpFaults {
  readonly mailFrom?: ReplyFault
  readonly auth?: ReplyFault
  readonly dataEnd?: ReplyFault
  /**
   * The message is in (counted in `mails`), and the reply to `.` comes `ms` later: a
   * content filter. Past the end of DATA, the point of no return (contract §7a).
   */
  readonly slowAccept?: { readonly ms: number; readonly times?: number }
  /** The message is in (counted), then the connection drops before the reply to `.`. */
  readonly acceptThenDrop?: boolean | { readonly times: number }
  readonly dropAfterGreeting?: boolean | { readonly times: number }
  readonly dropMidBody?: boolean | { readonly times: number }
  readonly hang?: HangPoint | { readonly at: HangPoint; readonly times?: number }
}

export interface SmtpPeerOptions {
  readonly tls: SmtpTlsMode
  readonly auth?: { readonly user: string; readonly pass: string }
  readonly host?: string
}

export interface ReceivedMail extends ParsedMail {
  readonly envelope: { readonly mailFrom: string; readonly rcptTo: readonly string[] }
  /** The message source exactly as received after DATA. */
  readonly raw: string
  readonly authUser: string | undefined
  readonly secure: boolean
}

export interface SmtpStats {
  connections: number
  authAttempts: number
  authFailures: number
  mailCommands: number
  /** Connections that ended without a single MAIL FROM (opened beside a refused captcha). */
  closedWithoutMail: number
}

export interface SmtpPeer {
  readonly host: string
  readonly port: number
  /** `smtp://host:port` (plain or STARTTLS) or `smtps://host:port` (implicit TLS). */
  readonly url: string
  readonly caFile: string
  readonly mails: readonly ReceivedMail[]
  readonly stats: Readonly<SmtpStats>
  /** Connections accepted since the last `reset()` that are still open. */
  openConnections(): number
  waitForMails(n: number, timeoutMs?: number): Promise<readonly ReceivedMail[]>
  setCredentials(user: string, pass: string): void
  /** Replaces every fault; `setFaults({})` clears them. */
  setFaults(faults: SmtpFaults): void
  /**
   * Holds the reply to the next message's DATA until `release()` (then accepts it as
   * usual): a submission kept in flight on cue. `reached` resolves once that message is in.
   */
  holdNextData(): Hold
  /** Clears mails, stats and faults and restores the initial credentials. */
  reset(): void
  close(): Promise<void>
}

interface Armed<T> {
  readonly value: T
  remaining: number
}

const arm = <T>(value: T, times: number | undefined): Armed<T> => ({
  value,
  remaining: times ?? Number.POSITIVE_INFINITY
})

const armFlag = (flag: boolean | { readonly times: number } | undefined) =>
  flag === undefined || flag === false
    ? undefined
    : arm<true>(true, flag === true ? undefined : flag.times)

/** Uses one occurrence of an armed fault; undefined once it is spent. */
const fire = <T>(armed: Armed<T> | undefined): T | undefined => {
  if (armed === undefined || armed.remaining <= 0) return undefined
  armed.remaining -= 1
  return armed.value
}

interface ArmedFaults {
  readonly mailFrom: Armed<ReplyFault> | undefined
  readonly auth: Armed<ReplyFault> | undefined
  readonly dataEnd: Armed<ReplyFault> | undefined
  readonly slowAccept: Armed<number> | undefined
  readonly acceptThenDrop: Armed<true> | undefined
  readonly dropAfterGreeting: Armed<true> | undefined
  readonly dropMidBody: Armed<true> | undefined
  readonly hang: Armed<HangPoint> | undefined
}

const armAll = (faults: SmtpFaults): ArmedFaults => ({
  mailFrom: faults.mailFrom && arm(faults.mailFrom, faults.mailFrom.times),
  auth: faults.auth && arm(faults.auth, faults.auth.times),
  dataEnd: faults.dataEnd && arm(faults.dataEnd, faults.dataEnd.times),
  slowAccept: faults.slowAccept && arm(faults.slowAccept.ms, faults.slowAccept.times),
  acceptThenDrop: armFlag(faults.acceptThenDrop),
  dropAfterGreeting: armFlag(faults.dropAfterGreeting),
  dropMidBody: armFlag(faults.dropMidBody),
  hang:
    typeof faults.hang === "string"
      ? arm(faults.hang, undefined)
      : faults.hang && arm(faults.hang.at, faults.hang.times)
})

const smtpError = (code: number, message: string) =>
  Object.assign(new Error(message), { responseCode: code })

const ignore = () => {}

export const startSmtpPeer = async (options: SmtpPeerOptions): Promise<SmtpPeer> => {
  const certificate = await makeTestCertificate()
  const bindHost = options.host ?? "127.0.0.1"
  const initial = options.auth
  let credentials = initial
  let faults = armAll({})
  const noStats = (): SmtpStats => ({
    connections: 0,
    authAttempts: 0,
    authFailures: 0,
    mailCommands: 0,
    closedWithoutMail: 0
  })
  const stats = noStats()
  const mailedFrom = new Set<number>()
  const mails: ReceivedMail[] = []
  const events = new EventEmitter()
  const sockets = new Set<net.Socket>()
  /** Client ports of the connections accepted since the last reset and not yet ended. */
  let sinceReset = new Set<number>()
  // A connection ends when its socket closes or, once smtp-server has upgraded it to TLS
  // (whose socket then takes the raw one's events), when smtp-server says it closed.
  const ended = (port: number | undefined) => {
    if (port === undefined || !openPorts.delete(port)) return
    sinceReset.delete(port)
    if (!mailedFrom.delete(port)) stats.closedWithoutMail += 1
  }
  const openPorts = new Set<number>()
  const socketsByPort = new Map<number, net.Socket>()

  let held: Held | undefined

  const hangsAt = (point: HangPoint) => faults.hang?.value === point && fire(faults.hang) === point

  const smtp = new SMTPServer({
    secure: options.tls === "implicit",
    key: certificate.key,
    cert: certificate.cert,
    hideSTARTTLS: options.tls !== "starttls",
    disabledCommands: options.tls === "none" ? ["STARTTLS"] : [],
    // Plain mode accepts AUTH so a test can prove credentials were never sent in clear.
    allowInsecureAuth: options.tls === "none",
    authOptional: options.auth === undefined,
    authMethods: ["PLAIN", "LOGIN"],
    disableReverseLookup: true,
    logger: false,
    banner: "contact-form test peer",
    onClose(session) {
      ended(session.remotePort)
    },
    onAuth(auth, _session, callback) {
      stats.authAttempts += 1
      const fault = fire(faults.auth)
      const valid =
        credentials !== undefined &&
        auth.username === credentials.user &&
        auth.password === credentials.pass
      if (fault !== undefined || !valid) {
        stats.authFailures += 1
        const code = fault?.code ?? 535
        return callback(smtpError(code, fault?.message ?? "Authentication credentials invalid"))
      }
      callback(null, { user: auth.username })
    },
    onMailFrom(_address, session, callback) {
      stats.mailCommands += 1
      mailedFrom.add(session.remotePort)
      if (options.tls === "starttls" && !session.secure) {
        return callback(smtpError(530, "Must issue a STARTTLS command first"))
      }
      const fault = fire(faults.mailFrom)
      if (fault !== undefined) return callback(smtpError(fault.code, fault.message ?? "Try later"))
      callback()
    },
    onData(stream, session, callback) {
      // A hang leaves the callback uncalled: the client never gets its reply.
      if (hangsAt("midBody")) return // never read: backpressure stops the transfer
      if (hangsAt("afterData")) return void stream.resume()
      if (fire(faults.dropMidBody)) {
        stream.once("data", () => socketsByPort.get(session.remotePort)?.destroy())
        return
      }
      const chunks: Buffer[] = []
      stream.on("data", (chunk: Buffer) => chunks.push(chunk))
      const hold = held
      held = undefined
      stream.once("end", async () => {
        if (hold !== undefined) {
          hold.arrived()
          await hold.released
        }
        const fault = fire(faults.dataEnd)
        if (fault !== undefined) {
          return callback(smtpError(fault.code, fault.message ?? "Message rejected"))
        }
        const raw = Buffer.concat(chunks)
        const slow = fire(faults.slowAccept)
        const drop = fire(faults.acceptThenDrop)
        simpleParser(raw).then(
          (parsed) => {
            mails.push(Object.assign(parsed, received(session, raw)))
            events.emit("mail")
            if (drop) return void socketsByPort.get(session.remotePort)?.destroy()
            if (slow === undefined) return callback(null)
            setTimeout(() => callback(null), slow)
          },
          (error: unknown) => callback(smtpError(451, `Peer could not parse the message: ${error}`))
        )
      })
    }
  })
  smtp.on("error", ignore) // a client dropping mid-session is what many tests do on purpose

  const greetThenStall = (socket: net.Socket, drop: boolean) => {
    const greet = (stream: net.Socket) => {
      const greeting = "220 contact-form test peer ESMTP\r\n"
      if (drop) stream.end(greeting)
      else stream.write(greeting)
    }
    if (options.tls !== "implicit") return greet(socket)
    const secure = new tls.TLSSocket(socket, {
      isServer: true,
      secureContext: tls.createSecureContext({ key: certificate.key, cert: certificate.cert })
    })
    secure.on("error", ignore)
    secure.once("secure", () => greet(secure))
  }

  const front = net.createServer((socket) => {
    stats.connections += 1
    sockets.add(socket)
    const port = socket.remotePort
    if (port !== undefined) {
      socketsByPort.set(port, socket)
      openPorts.add(port)
      sinceReset.add(port)
    }
    socket.on("error", ignore)
    socket.once("close", () => {
      sockets.delete(socket)
      if (port !== undefined) socketsByPort.delete(port)
      ended(port)
    })
    if (hangsAt("afterGreeting")) return greetThenStall(socket, false)
    if (fire(faults.dropAfterGreeting)) return greetThenStall(socket, true)
    // smtp-server's own listener: implicit TLS handshake, greeting, session.
    smtp.server.emit("connection", socket)
  })

  await new Promise<void>((resolve, reject) => {
    front.once("error", reject)
    front.listen(0, bindHost, () => resolve())
  })
  const address = front.address()
  if (address === null || typeof address === "string") throw new Error("SMTP peer has no port")
  const host = bindHost === "0.0.0.0" ? "127.0.0.1" : bindHost
  const scheme = options.tls === "implicit" ? "smtps" : "smtp"
  let closed: Promise<void> | undefined

  return {
    host,
    port: address.port,
    url: `${scheme}://${host}:${address.port}`,
    caFile: certificate.caFile,
    mails,
    stats,
    openConnections: () => sinceReset.size,
    waitForMails: (n, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (mails.length < n) return
          done()
          resolve([...mails])
        }
        const timer = setTimeout(() => {
          done()
          reject(
            new Error(`SMTP peer: waited ${timeoutMs} ms for ${n} mail(s), got ${mails.length}`)
          )
        }, timeoutMs)
        const done = () => {
          clearTimeout(timer)
          events.off("mail", check)
        }
        events.on("mail", check)
        check()
      }),
    setCredentials: (user, pass) => {
      credentials = { user, pass }
    },
    setFaults: (next) => {
      faults = armAll(next)
    },
    holdNextData: () => {
      const next = makeHold()
      held = next.held
      return next.hold
    },
    reset: () => {
      mails.length = 0
      Object.assign(stats, noStats())
      sinceReset = new Set()
      faults = armAll({})
      held = undefined
      credentials = initial
    },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        front.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
      return closed
    }
  }
}

const received = (session: SMTPServerSession, raw: Buffer) => ({
  envelope: {
    mailFrom: session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address,
    rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address)
  },
  raw: raw.toString("utf8"),
  authUser: typeof session.user === "string" ? session.user : undefined,
  secure: session.secure
})

/**
 * Nothing was sent (contract §4: a refused captcha sends nothing): no MAIL FROM reached
 * the relay, and the session opened beside the captcha, if one was, is closed unused.
 */
export const expectNothingSent = async (peer: SmtpPeer) => {
  expect(peer.stats.mailCommands).toBe(0)
  expect(peer.stats.connections).toBeLessThanOrEqual(1)
  await vi.waitFor(() => expect(peer.openConnections()).toBe(0), { timeout: 2_000 })
  expect(peer.stats.closedWithoutMail).toBe(peer.stats.connections)
}
