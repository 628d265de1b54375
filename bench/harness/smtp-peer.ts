// The bench's SMTP relay (started by bench/peers.ts): a raw node:net responder that greets at
// once (smtp-server waits 100 ms before its greeting, a constant that would dwarf what we
// measure). It speaks ESMTP with STARTTLS (node:tls) and AUTH PLAIN/LOGIN after the upgrade,
// so the apps run their production path: smtp:// must upgrade, credentials come from the
// SMTP secret, and both secrets get fetched. The profile's think times delay the replies to
// AUTH and to the end of DATA; under the realistic profile the relay ends the session after
// each mail.
import type { Socket } from "node:net"
import { type SecureContext, TLSSocket } from "node:tls"
import type { Profile } from "./profiles.js"

export interface SmtpCounts {
  mailsAccepted: number
  authentications: number
}

// A think time of 0 adds no timer: setTimeout(0) alone costs about a millisecond.
export const sleep = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()

// One SMTP session. Lines are handled one at a time; the client is not told about
// PIPELINING, so it waits for each reply anyway.
export const smtpSession = (
  raw: Socket,
  tls: SecureContext,
  counts: SmtpCounts,
  timing: Profile["smtp"]
) => {
  let socket: Socket = raw
  let secure = false
  let buffer = ""
  let inData = false
  let ended = false
  let authStep: "none" | "plain" | "login-user" | "login-pass" = "none"
  // Replies leave in order. One that waits for a think time holds back those after it; a
  // reply with nothing ahead of it is written at once, before STARTTLS swaps the socket.
  let waiting = 0
  let tail: Promise<void> = Promise.resolve()
  const inOrder = (thinkMs: number, action: (target: Socket) => void) => {
    const target = socket
    if (thinkMs === 0 && waiting === 0) return action(target)
    waiting++
    tail = tail
      .then(() => sleep(thinkMs))
      .then(() => {
        waiting--
        if (!target.destroyed) action(target)
      })
  }
  // One write per reply: split writes meet Nagle and delayed ACKs (40 ms stalls).
  const reply = (text: string, thinkMs = 0) =>
    inOrder(thinkMs, (target) => target.write(`${text}\r\n`))
  const authenticated = () =>
    inOrder(timing.authMs, (target) => {
      counts.authentications++
      target.write("235 2.7.0 Authentication successful\r\n")
    })
  const onLine = (line: string) => {
    if (authStep !== "none") {
      if (authStep === "login-user") {
        authStep = "login-pass"
        reply("334 UGFzc3dvcmQ6")
      } else {
        authStep = "none"
        authenticated()
      }
      return
    }
    const verb = line.slice(0, line.indexOf(" ") === -1 ? line.length : line.indexOf(" "))
    switch (verb.toUpperCase()) {
      case "EHLO":
        return reply(
          `250-bench.invalid\r\n250-8BITMIME\r\n250-SIZE 10485760\r\n${secure ? "250 AUTH PLAIN LOGIN" : "250 STARTTLS"}`
        )
      case "HELO":
        return reply("250 bench.invalid")
      case "STARTTLS": {
        if (secure) return reply("503 5.5.1 Already secure")
        reply("220 2.0.0 Ready to start TLS")
        socket.removeListener("data", onData)
        const upgraded = new TLSSocket(socket, { isServer: true, secureContext: tls })
        upgraded.on("data", onData)
        upgraded.on("error", () => upgraded.destroy())
        socket = upgraded
        secure = true
        buffer = ""
        return
      }
      case "AUTH": {
        if (!secure) return reply("530 5.7.0 Must issue a STARTTLS command first")
        const [, mechanism = "", initial] = line.split(" ")
        if (mechanism.toUpperCase() === "PLAIN" && initial) return authenticated()
        if (mechanism.toUpperCase() === "PLAIN") {
          authStep = "plain"
          return reply("334 ")
        }
        if (mechanism.toUpperCase() === "LOGIN") {
          authStep = initial ? "login-pass" : "login-user"
          return reply(initial ? "334 UGFzc3dvcmQ6" : "334 VXNlcm5hbWU6")
        }
        return reply("504 5.5.4 Unrecognized authentication type")
      }
      case "MAIL":
      case "RCPT":
      case "RSET":
      case "NOOP":
        return reply("250 2.0.0 OK")
      case "DATA":
        inData = true
        return reply("354 End data with <CR><LF>.<CR><LF>")
      case "QUIT":
        reply("221 2.0.0 Bye")
        ended = true
        return inOrder(0, (target) => target.end())
      default:
        return reply("502 5.5.2 Command not implemented")
    }
  }
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString("latin1")
    while (!ended) {
      if (inData) {
        const end = buffer.startsWith(".\r\n") ? 0 : buffer.indexOf("\r\n.\r\n")
        if (end === -1) return
        buffer = buffer.slice(end + (end === 0 ? 3 : 5))
        inData = false
        inOrder(timing.endOfDataMs, (target) => {
          counts.mailsAccepted++
          target.write("250 2.0.0 Ok: queued\r\n")
        })
        // The client's QUIT, if it comes before the close, goes unanswered, as with a relay
        // that hangs up after each message.
        if (timing.closeAfterMail) {
          ended = true
          inOrder(0, (target) => target.end())
        }
        continue
      }
      const eol = buffer.indexOf("\r\n")
      if (eol === -1) return
      const line = buffer.slice(0, eol)
      buffer = buffer.slice(eol + 2)
      onLine(line)
    }
  }
  raw.setNoDelay(true)
  raw.on("data", onData)
  raw.on("error", () => raw.destroy())
  reply("220 bench.invalid ESMTP ready")
}
