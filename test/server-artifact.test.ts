/**
 * The Node server artifact as an operator runs it: dist/server/ copied alone into an empty
 * directory (no node_modules anywhere above it) and started there with the Dockerfile's own
 * command, `node index.mjs`, on Node 22 and on Node 24. In embedded mode, and in production
 * mode against real peers: the SMTP peer with STARTTLS and AUTH, the captcha peer, moto for
 * Secrets Manager reached with a container's credentials (as on ECS). Each run checks /healthz (and the Dockerfile's HEALTHCHECK command), a
 * urlencoded POST delivered, and SIGTERM: the submission in flight finishes, then exit 0.
 */

import { execFile } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, relative } from "node:path"
import { simpleParser } from "mailparser"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  artifactDir,
  healthCheckCommand,
  type NodeRuntime,
  nodeRuntimes,
  type RunningArtifact,
  removeArtifact,
  runtimeMissing,
  startArtifact,
  withRuntime
} from "./support/artifact"
import { type CaptchaPeer, startCaptchaPeer } from "./support/captcha-peer"
import {
  type ContainerCredentials,
  startContainerCredentials
} from "./support/container-credentials"
import { inCi, secretsPeerOrSkip, uniqueSecretId } from "./support/secrets-peer"
import { repoRoot } from "./support/server"
import { type SmtpPeer, startSmtpPeer } from "./support/smtp-peer"
import { worldEnv } from "./support/world"

const required = inCi()
const secrets = await secretsPeerOrSkip()

const running: Array<RunningArtifact> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map(removeArtifact))
})

const start = async (runtime: NodeRuntime, env: Record<string, string>) => {
  const artifact = await startArtifact(runtime, env)
  running.push(artifact)
  return artifact
}

/** The image's HEALTHCHECK command, run by `runtime` against `port`: its exit code. */
const healthCheck = (runtime: NodeRuntime, port: number) =>
  new Promise<number>((resolve) => {
    const [binary, ...args] = withRuntime(runtime, healthCheckCommand())
    const child = execFile(binary, args, { env: { PORT: String(port) }, timeout: 10_000 })
    child.once("exit", (code) => resolve(code ?? -1))
  })

const urlencoded = { "content-type": "application/x-www-form-urlencoded" }
const post = (url: string, fields: Record<string, string>) =>
  fetch(`${url}contact`, {
    method: "POST",
    headers: urlencoded,
    body: new URLSearchParams(fields).toString(),
    redirect: "manual"
  })

const expectJsonLines = (artifact: RunningArtifact) => {
  for (const line of artifact.server.stdout) expect(() => JSON.parse(line)).not.toThrow()
}

describe("dist/server/", () => {
  it("holds index.mjs, exactly the chunks the build wrote, ALTCHA's widget file and the disposable domains, nothing else", () => {
    const meta: { outputs: Record<string, unknown> } = JSON.parse(
      readFileSync(join(repoRoot, "dist/server.meta.json"), "utf8")
    )
    const files = (dir: string): Array<string> =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? files(join(dir, entry.name))
          : [relative(artifactDir, join(dir, entry.name))]
      )
    const outputs = Object.keys(meta.outputs).map((path) => relative("dist/server", path))
    expect(outputs).toContain("index.mjs")
    // The widget the server serves at /altcha.js (src/server/altcha-widget.ts), the
    // package's own file byte for byte.
    // And the spam judgement's list (contract §12), beside the chunk that reads it.
    const list = files(artifactDir).filter((f) => f.endsWith("disposable-domains.txt"))
    expect(list).toHaveLength(1)
    expect(readFileSync(join(artifactDir, list[0] ?? ""))).toEqual(
      readFileSync(join(repoRoot, "src/spam/disposable-domains.txt"))
    )
    expect(files(artifactDir).sort()).toEqual([...outputs, "altcha.min.js", ...list].sort())
    const entry = createRequire(import.meta.url).resolve("altcha")
    expect(readFileSync(join(artifactDir, "altcha.min.js"))).toEqual(
      readFileSync(join(dirname(entry), "altcha.min.js"))
    )
  })
})

for (const runtime of nodeRuntimes) {
  const missing = runtimeMissing(runtime)
  if (missing !== undefined) {
    const line = `${runtime.name} unavailable (${missing}); the artifact is not run on it.`
    if (required) throw new Error(`${line} CI is set, so this is a failure, not a skip.`)
    console.warn(`[skip] ${line}`)
  }

  describe.skipIf(missing !== undefined)(`${runtime.name}: node index.mjs, alone`, () => {
    it("embedded mode: /healthz, a form post saved in ./outbox, the health check, SIGTERM → 0", async () => {
      const artifact = await start(runtime, {})
      const { url, server } = artifact
      const health = await fetch(`${url}healthz`)
      expect([health.status, await health.text()]).toEqual([200, "ok"])
      expect(await healthCheck(runtime, artifact.port)).toBe(0)

      const response = await post(url, {
        name: "Müller, Anna",
        email: "anna@example.org",
        subject: "From the artifact",
        message: "Hello\r\n\r\nthere"
      })
      expect(response.status).toBe(303)
      expect(response.headers.get("location")).toBe("/sent")
      // OUTBOX_DIR's default, relative to the working directory: the copy's own outbox/.
      const saved = /^Mail saved: (outbox\/.+\.eml)$/.exec(await server.line(/^Mail saved: /))
      const mail = await simpleParser(readFileSync(join(artifact.dir, saved?.[1] ?? "missing")))
      expect(mail.subject).toBe("[Contact] From the artifact")
      expect(mail.replyTo?.text).toBe('"Müller, Anna" <anna@example.org>')
      expect(mail.text).toContain("Hello\n\nthere\n\n--\nName: Müller, Anna")

      server.child.kill("SIGTERM")
      expect(await server.exited).toBe(0)
      expect(await healthCheck(runtime, artifact.port)).toBe(1)
      expectJsonLines(artifact)
    })

    describe.skipIf(secrets.skip)("production mode against real peers", () => {
      const smtpUser = "ses-smtp-user"
      let smtp: SmtpPeer
      let captcha: CaptchaPeer
      let credentials: ContainerCredentials
      let env: Record<string, string>

      beforeAll(async () => {
        const peer = secrets.peer()
        smtp = await startSmtpPeer({ tls: "starttls", auth: { user: smtpUser, pass: "pw-1" } })
        captcha = await startCaptchaPeer()
        credentials = await startContainerCredentials()
        const world = {
          smtp,
          captcha,
          smtpSecret: uniqueSecretId("smtp"),
          captchaSecret: uniqueSecretId("captcha")
        }
        await peer.createSecret(world.smtpSecret, {
          SMTP_USERNAME: smtpUser,
          SMTP_PASSWORD: "pw-1"
        })
        await peer.createSecret(world.captchaSecret, {
          FRIENDLYCAPTCHA_SITEKEY: captcha.credentials.sitekey,
          FRIENDLYCAPTCHA_API_KEY: captcha.credentials.apiKey
        })
        // A step of the SMTP session may take a quarter of this: the held reply below stays
        // well inside it.
        // No key in the environment: the SDK's chain goes on to the container's endpoint.
        const withKeys = worldEnv(peer, world, {
          CAPTCHA_TIMEOUT_MS: "2000",
          MAIL_TIMEOUT_MS: "8000",
          ...credentials.env
        })
        env = Object.fromEntries(
          Object.entries(withKeys).filter(
            ([name]) => name !== "AWS_ACCESS_KEY_ID" && name !== "AWS_SECRET_ACCESS_KEY"
          )
        )
      })
      afterAll(async () => {
        await Promise.all([smtp?.close(), captcha?.close(), credentials?.close()])
      })

      it("delivers over STARTTLS with AUTH, captcha verified; SIGTERM waits for the submission in flight, then 0", async () => {
        smtp.reset()
        const artifact = await start(runtime, env)
        const { url, server } = artifact
        expect(await (await fetch(`${url}healthz`)).text()).toBe("ok")
        expect(await healthCheck(runtime, artifact.port)).toBe(0)
        expect((await fetch(`${url}outbox`)).status).toBe(404)

        const token = captcha.credentials.token
        const sent = await post(url, {
          email: "anna@example.org",
          subject: "Sent",
          message: "Hello",
          "frc-captcha-response": token
        })
        expect(sent.status).toBe(303)
        expect(sent.headers.get("location")).toBe("https://www.example.com/thanks")
        const [mail] = await smtp.waitForMails(1)
        expect(mail?.subject).toBe("[Contact] Sent")
        expect(mail?.text).toContain("Captcha: verified")
        expect([mail?.secure, mail?.authUser]).toEqual([true, smtpUser])
        expect(credentials.requests.at(-1)).toBe(credentials.env.AWS_CONTAINER_AUTHORIZATION_TOKEN)

        // The relay holds its reply to DATA: the second submission is in flight at SIGTERM.
        const hold = smtp.holdNextData()
        const inFlight = post(url, {
          email: "anna@example.org",
          subject: "In flight",
          message: "Still there?",
          "frc-captcha-response": token
        })
        await hold.reached
        let exited = false
        void server.exited.then(() => {
          exited = true
        })
        server.child.kill("SIGTERM")
        await server.line(/"msg":"stopping"/)
        expect(exited).toBe(false)
        hold.release()
        const answer = await inFlight
        expect(answer.status).toBe(303)
        expect(await server.exited).toBe(0)
        expect(smtp.mails.map((m) => m.subject)).toEqual(["[Contact] Sent", "[Contact] In flight"])
        expect(
          server.stdout.filter((l) => l.includes('"outcome":"sent"')),
          "one sent line per submission"
        ).toHaveLength(2)
        expect(server.stderr.join("\n")).toBe("")
        expectJsonLines(artifact)
      })
    })
  })
}
