// Instant protocol peers for the cold and secrets figures, identical for every variant:
//
// - SMTP: a raw node:net responder that greets at once (smtp-server waits 100 ms before its
//   greeting, a constant that would dwarf what we measure). It speaks ESMTP with STARTTLS
//   (node:tls, a self-signed certificate for 127.0.0.1 trusted via SMTP_TLS_CA_FILE) and
//   AUTH PLAIN/LOGIN after the upgrade, so the apps run their production path: smtp://
//   must upgrade, credentials come from the SMTP secret, and both secrets get fetched.
// - Captcha: a FriendlyCaptcha v2 siteverify endpoint answering success at once.
// - Secrets Manager: an in-process fake of the JSON 1.1 protocol (POST /, X-Amz-Target)
//   that answers GetSecretValue at once and counts the calls; moto_server is too slow
//   to start and to answer for a cold-start figure, and counting works the same. The same
//   server answers SES v2's SendEmail (POST /v2/email/outbound-emails) for the `ses` figure.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http"
import { createServer as createNetServer, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createSecureContext, type SecureContext, TLSSocket } from "node:tls"
import { generate } from "selfsigned"

export const secretValues: Record<string, Record<string, string>> = {
  "smtp-ses-credentials": { SMTP_USERNAME: "bench-user", SMTP_PASSWORD: "bench-password" },
  "friendlycaptcha-data": {
    FRIENDLYCAPTCHA_SITEKEY: "bench-sitekey",
    FRIENDLYCAPTCHA_API_KEY: "bench-api-key"
  }
}

export interface Peers {
  /** The environment that points an app at these peers (no production config). */
  readonly env: Record<string, string>
  readonly counts: {
    getSecretValue: number
    captchaVerifications: number
    mailsAccepted: number
    authentications: number
  }
  resetCounts(): void
  close(): Promise<void>
}

const listen = (server: Server | ReturnType<typeof createNetServer>): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      if (address === null || typeof address === "string") reject(new Error("no port"))
      else resolve(address.port)
    })
  })

const readAll = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString("utf8")
}

// One SMTP session. Lines are handled one at a time; the client is not told about
// PIPELINING, so it waits for each reply anyway.
const smtpSession = (raw: Socket, tls: SecureContext, counts: Peers["counts"]) => {
  let socket: Socket = raw
  let secure = false
  let buffer = ""
  let inData = false
  let authStep: "none" | "plain" | "login-user" | "login-pass" = "none"
  const reply = (text: string) => socket.write(`${text}\r\n`)
  const onLine = (line: string) => {
    if (authStep !== "none") {
      if (authStep === "login-user") {
        authStep = "login-pass"
        reply("334 UGFzc3dvcmQ6")
      } else {
        authStep = "none"
        counts.authentications++
        reply("235 2.7.0 Authentication successful")
      }
      return
    }
    const verb = line.slice(0, line.indexOf(" ") === -1 ? line.length : line.indexOf(" "))
    switch (verb.toUpperCase()) {
      case "EHLO":
        // One write per reply: split writes meet Nagle and delayed ACKs (40 ms stalls).
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
        if (mechanism.toUpperCase() === "PLAIN" && initial) {
          counts.authentications++
          return reply("235 2.7.0 Authentication successful")
        }
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
        socket.end()
        return
      default:
        return reply("502 5.5.2 Command not implemented")
    }
  }
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString("latin1")
    for (;;) {
      if (inData) {
        const end = buffer.startsWith(".\r\n") ? 0 : buffer.indexOf("\r\n.\r\n")
        if (end === -1) return
        buffer = buffer.slice(end + (end === 0 ? 3 : 5))
        inData = false
        counts.mailsAccepted++
        reply("250 2.0.0 Ok: queued")
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

export const startPeers = async (): Promise<Peers> => {
  const counts = {
    getSecretValue: 0,
    captchaVerifications: 0,
    mailsAccepted: 0,
    authentications: 0
  }
  const dir = mkdtempSync(join(tmpdir(), "cfb-bench-"))
  const pems = await generate([{ name: "commonName", value: "127.0.0.1" }], {
    keyType: "ec",
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }
    ]
  })
  const caFile = join(dir, "smtp-ca.pem")
  writeFileSync(caFile, pems.cert)
  const tls = createSecureContext({ key: pems.private, cert: pems.cert })

  const smtp = createNetServer((socket) => smtpSession(socket, tls, counts))
  const captcha = createHttpServer(async (req, res) => {
    await readAll(req)
    counts.captchaVerifications++
    res.writeHead(200, { "content-type": "application/json" })
    res.end('{"success":true,"data":{"challenge":{"timestamp":"2026-11-27T00:00:00Z"}}}')
  })
  const secrets = createHttpServer(async (req, res) => {
    const body = await readAll(req)
    const target = req.headers["x-amz-target"]
    const answer = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1" })
      res.end(JSON.stringify(payload))
    }
    if (req.method === "POST" && req.url === "/v2/email/outbound-emails") {
      counts.mailsAccepted++
      res.writeHead(200, { "content-type": "application/json" })
      return res.end(JSON.stringify({ MessageId: `bench-${counts.mailsAccepted}` }))
    }
    if (target !== "secretsmanager.GetSecretValue")
      return answer(400, { __type: "InvalidRequestException", message: `unsupported ${target}` })
    counts.getSecretValue++
    const id = (JSON.parse(body) as { SecretId?: string }).SecretId ?? ""
    const value = secretValues[id]
    if (value === undefined)
      return answer(400, { __type: "ResourceNotFoundException", message: "not found" })
    answer(200, {
      ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}-AbCdEf`,
      Name: id,
      SecretString: JSON.stringify(value),
      VersionId: "00000000-0000-4000-8000-000000000000",
      VersionStages: ["AWSCURRENT"],
      CreatedDate: 1_790_000_000
    })
  })
  const [smtpPort, captchaPort, secretsPort] = await Promise.all([
    listen(smtp),
    listen(captcha),
    listen(secrets)
  ])
  const sockets = new Set<Socket>()
  smtp.on("connection", (s: Socket) => {
    sockets.add(s)
    s.on("close", () => sockets.delete(s))
  })
  return {
    env: {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${secretsPort}`,
      AWS_ENDPOINT_URL_SESV2: `http://127.0.0.1:${secretsPort}`,
      CAPTCHA_PROVIDER: "friendlycaptcha-v2",
      CAPTCHA_VERIFY_URL: `http://127.0.0.1:${captchaPort}/api/v2/captcha/siteverify`,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      SMTP_TLS_CA_FILE: caFile,
      SMTP_SECRET_ID: "smtp-ses-credentials",
      CAPTCHA_SECRET_ID: "friendlycaptcha-data"
    },
    counts,
    resetCounts: () => {
      counts.getSecretValue = 0
      counts.captchaVerifications = 0
      counts.mailsAccepted = 0
      counts.authentications = 0
    },
    close: async () => {
      for (const s of sockets) s.destroy()
      captcha.closeAllConnections()
      secrets.closeAllConnections()
      await Promise.all(
        [smtp, captcha, secrets].map(
          (server) => new Promise<void>((resolve) => server.close(() => resolve()))
        )
      )
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
