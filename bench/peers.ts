// The protocol peers of the figures that run the real bundle (cold, warm real bundle,
// secrets), identical for every variant, started with one network profile
// (harness/profiles.ts): loopback answers at once; realistic puts a latency proxy
// (harness/latency-proxy.ts) in front of each peer and gives each its think times.
//
// - SMTP (harness/smtp-peer.ts): STARTTLS with a self-signed certificate for 127.0.0.1,
//   trusted via SMTP_TLS_CA_FILE, then AUTH PLAIN/LOGIN.
// - Captcha: a siteverify endpoint answering success to any token, in a shape that reads as
//   FriendlyCaptcha v2's and as Turnstile's (`ours-turnstile`).
// - Secrets Manager: an in-process fake of the JSON 1.1 protocol (POST /, X-Amz-Target)
//   that answers GetSecretValue and counts the calls; moto_server is too slow to start and
//   to answer for a cold-start figure, and counting works the same.
// - SES v2: the same fake on its own port (its own proxy) answers SendEmail
//   (POST /v2/email/outbound-emails) for the `ours-ses` variant.
// - DynamoDB: the same fake on a port of its own (its own proxy) answers the JSON 1.0
//   protocol (harness/dynamodb-peer.ts) for the store variants (STORE_TABLE=bench-store):
//   the table lives as long as the peers, across every round of a run, so a duplicate claim
//   or an ALTCHA payload used twice in a run is refused as on AWS.
//
// A figure counts only if every submission reached the relay: `counts.mailsAccepted`
// counts the mails the relay (or SES) answered as taken, and the harness compares it with
// the submissions it made.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from "node:http"
import { createServer as createNetServer, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createSecureContext } from "node:tls"
import { generate } from "selfsigned"
import { type DynamoCounts, dynamodbPeer } from "./harness/dynamodb-peer.js"
import { type LatencyProxy, startLatencyProxy } from "./harness/latency-proxy.js"
import { type Profile, profiles } from "./harness/profiles.js"
import { sleep, smtpSession } from "./harness/smtp-peer.js"

/**
 * The HMAC key of the `altcha-data` secret (48 characters; the app wants at least 32 bytes),
 * with which the harness signs the challenges it solves ahead of a run (harness/altcha.ts).
 */
export const benchAltchaKey = "bench-altcha-hmac-key-0123456789abcdefghijklmnop"

export const secretValues: Record<string, Record<string, string>> = {
  "smtp-ses-credentials": { SMTP_USERNAME: "bench-user", SMTP_PASSWORD: "bench-password" },
  "friendlycaptcha-data": {
    FRIENDLYCAPTCHA_SITEKEY: "bench-sitekey",
    FRIENDLYCAPTCHA_API_KEY: "bench-api-key"
  },
  "turnstile-data": { TURNSTILE_SITEKEY: "bench-sitekey", TURNSTILE_SECRET: "bench-secret" },
  "altcha-data": { ALTCHA_HMAC_SECRET: benchAltchaKey }
}

/** The store variants' table (STORE_TABLE); the only one the DynamoDB fake has. */
export const benchStoreTable = "bench-store"

export interface Peers {
  readonly profile: Profile
  /** The environment that points an app at these peers (no production config). */
  readonly env: Record<string, string>
  readonly counts: {
    getSecretValue: number
    captchaVerifications: number
    mailsAccepted: number
    authentications: number
  } & DynamoCounts
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

/** Starts the peers with a profile's timings (loopback: at once, no proxies). */
export const startPeers = async ({
  profile = profiles.loopback
}: {
  readonly profile?: Profile
} = {}): Promise<Peers> => {
  const counts = {
    getSecretValue: 0,
    captchaVerifications: 0,
    mailsAccepted: 0,
    authentications: 0,
    dynamodbCalls: 0,
    dynamodbWrites: 0
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

  const smtp = createNetServer((socket) => smtpSession(socket, tls, counts, profile.smtp))
  const captcha = createHttpServer(async (req, res) => {
    await readAll(req)
    await sleep(profile.captcha.verifyMs)
    counts.captchaVerifications++
    res.writeHead(200, {
      "content-type": "application/json",
      ...(profile.captcha.connectionClose ? { connection: "close" } : {})
    })
    res.end('{"success":true,"data":{"challenge":{"timestamp":"2026-11-27T00:00:00Z"}}}')
  })
  const dynamodb = dynamodbPeer([benchStoreTable], profile.dynamodb, counts)
  // Secrets Manager, SES v2 and DynamoDB: one fake of the AWS endpoints, listening once for each.
  const aws = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readAll(req)
    const target = req.headers["x-amz-target"]
    if (typeof target === "string" && target.startsWith("DynamoDB_20120810."))
      return dynamodb(target, body, res)
    const answer = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1" })
      res.end(JSON.stringify(payload))
    }
    if (req.method === "POST" && req.url === "/v2/email/outbound-emails") {
      await sleep(profile.ses.sendEmailMs)
      counts.mailsAccepted++
      res.writeHead(200, { "content-type": "application/json" })
      return res.end(JSON.stringify({ MessageId: `bench-${counts.mailsAccepted}` }))
    }
    if (target !== "secretsmanager.GetSecretValue")
      return answer(400, { __type: "InvalidRequestException", message: `unsupported ${target}` })
    await sleep(profile.secretsManager.getSecretValueMs)
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
  }
  const secrets = createHttpServer(aws)
  const ses = createHttpServer(aws)
  const dynamo = createHttpServer(aws)
  const https = [captcha, secrets, ses, dynamo]
  const [smtpPort, captchaPort, secretsPort, sesPort, dynamoPort] = await Promise.all([
    listen(smtp),
    ...https.map(listen)
  ])
  const sockets = new Set<Socket>()
  smtp.on("connection", (s: Socket) => {
    sockets.add(s)
    s.on("close", () => sockets.delete(s))
  })
  // The address the apps use: the peer itself, or a proxy of the profile's round trip.
  const proxies: LatencyProxy[] = []
  const reach = async (port: number | undefined, rttMs: number) => {
    if (port === undefined) throw new Error("a peer did not listen")
    if (rttMs === 0) return port
    const proxy = await startLatencyProxy({ host: "127.0.0.1", port }, rttMs)
    proxies.push(proxy)
    return proxy.port
  }
  const at = {
    smtp: await reach(smtpPort, profile.smtp.rttMs),
    captcha: await reach(captchaPort, profile.captcha.rttMs),
    secrets: await reach(secretsPort, profile.secretsManager.rttMs),
    ses: await reach(sesPort, profile.ses.rttMs),
    dynamodb: await reach(dynamoPort, profile.dynamodb.rttMs)
  }
  return {
    profile,
    env: {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${at.secrets}`,
      AWS_ENDPOINT_URL_SESV2: `http://127.0.0.1:${at.ses}`,
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${at.dynamodb}`,
      CAPTCHA_PROVIDER: "friendlycaptcha-v2",
      CAPTCHA_VERIFY_URL: `http://127.0.0.1:${at.captcha}/api/v2/captcha/siteverify`,
      SMTP_URL: `smtp://127.0.0.1:${at.smtp}`,
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
      counts.dynamodbCalls = 0
      counts.dynamodbWrites = 0
    },
    close: async () => {
      await Promise.all(proxies.map((p) => p.close()))
      for (const s of sockets) s.destroy()
      for (const server of https) server.closeAllConnections()
      await Promise.all(
        [smtp, ...https].map(
          (server) => new Promise<void>((resolve) => server.close(() => resolve()))
        )
      )
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
