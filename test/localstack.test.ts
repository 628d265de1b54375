/**
 * The LocalStack suite: for machines with a container runtime and a LocalStack auth token
 * (`LOCALSTACK_AUTH_TOKEN`). It starts LocalStack with testcontainers, creates the secrets
 * and the Lambda function from dist/lambda.zip, invokes it with @aws-sdk/client-lambda and
 * asserts the answer and the mail received by this suite's SMTP peer. Elsewhere it is
 * skipped with a printed reason; what can be checked without Docker is checked below.
 */
import { execFileSync } from "node:child_process"
import { pathToFileURL } from "node:url"
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager"
import AdmZip from "adm-zip"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { lambdaNode, zipPath } from "./support/bundle"
import { startCaptchaPeer } from "./support/captcha-peer"
import { baseEnv } from "./support/doubles"
import { formBody, httpApiEvent } from "./support/events"
import {
  caPathInZip,
  createFunctionInput,
  functionName,
  lambdaArchitecture,
  runtimes,
  zipWithCa
} from "./support/localstack"
import { startSmtpPeer } from "./support/smtp-peer"

const dockerAvailable = (): boolean => {
  try {
    execFileSync("docker", ["info"], { stdio: "ignore", timeout: 10_000 })
    return true
  } catch {
    return false
  }
}

const missing = [
  ...(process.env.LOCALSTACK_AUTH_TOKEN ? [] : ["LOCALSTACK_AUTH_TOKEN is not set"]),
  ...(dockerAvailable() ? [] : ["no container runtime answers `docker info`"])
]
if (missing.length > 0) console.warn(`[skip] LocalStack suite: ${missing.join("; ")}`)

describe("what the LocalStack suite sends (checked without Docker)", () => {
  it("CreateFunction input: handler, runtime, architecture, environment", () => {
    const input = createFunctionInput(new Uint8Array([1]), "nodejs24.x", {
      MAIL_TO: "owner@example.com"
    })
    expect(input).toMatchObject({
      FunctionName: functionName,
      Handler: "index.handler",
      Runtime: "nodejs24.x",
      Architectures: [lambdaArchitecture],
      Environment: {
        Variables: { MAIL_TO: "owner@example.com", SMTP_TLS_CA_FILE: `/var/task/${caPathInZip}` }
      }
    })
    expect(runtimes).toEqual(["nodejs24.x", "nodejs22.x"])
  })

  it("the zip holds index.mjs exporting handler and redeliver (and the test CA next to it)", async () => {
    const { caFile } = await import("./support/certs").then((m) => m.makeTestCertificate())
    const zip = new AdmZip(zipWithCa(zipPath, caFile))
    const names = zip.getEntries().map((e) => e.entryName)
    expect(names).toContain("index.mjs")
    expect(names).toContain(caPathInZip)
    // Import the zipped module in a fresh process, as Lambda would, and look at its exports.
    const dir = await import("node:fs/promises").then((fs) => fs.mkdtemp("/tmp/cfb-zip-"))
    zip.extractAllTo(dir, true)
    const exports = execFileSync(
      lambdaNode,
      [
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(pathToFileURL(`${dir}/index.mjs`).href)}); console.log(typeof m.handler, typeof m.redeliver)`
      ],
      {
        env: { PATH: process.env.PATH ?? "", ...baseEnv, CAPTCHA_PROVIDER: "none" },
        encoding: "utf8"
      }
    )
    expect(exports.trim()).toBe("function function")
  })
})

describe.skipIf(missing.length > 0)("LocalStack: the zip deployed as a Lambda function", () => {
  // Imported here, not at the top: testcontainers 12 crashes at import on Node 20, and
  // machines without Docker must reach the skip without loading it at all.
  let stop: () => Promise<void> = async () => {}
  let endpoint = ""
  const peersHost = "host.docker.internal"

  beforeAll(async () => {
    const { GenericContainer, Wait } = await import("testcontainers")
    const container = await new GenericContainer("localstack/localstack-pro:latest")
      .withEnvironment({
        LOCALSTACK_AUTH_TOKEN: process.env.LOCALSTACK_AUTH_TOKEN ?? "",
        SERVICES: "lambda,secretsmanager,iam,logs",
        LAMBDA_DOCKER_FLAGS: `--add-host=${peersHost}:host-gateway`
      })
      .withBindMounts([{ source: "/var/run/docker.sock", target: "/var/run/docker.sock" }])
      .withExposedPorts(4566)
      .withWaitStrategy(Wait.forHttp("/_localstack/health", 4566))
      .withStartupTimeout(180_000)
      .start()
    endpoint = `http://${container.getHost()}:${container.getMappedPort(4566)}`
    stop = async () => {
      await container.stop()
    }
  }, 240_000)
  afterAll(() => stop())

  it("invoked with an HTTP API event → 303, and the mail arrives over STARTTLS with AUTH", async () => {
    const { CreateFunctionCommand, InvokeCommand, LambdaClient, waitUntilFunctionActiveV2 } =
      await import("@aws-sdk/client-lambda")
    const aws = {
      region: "us-east-1",
      endpoint,
      credentials: { accessKeyId: "test", secretAccessKey: "test" }
    }
    const smtp = await startSmtpPeer({
      tls: "starttls",
      auth: { user: "u", pass: "p" },
      host: "0.0.0.0"
    })
    const captcha = await startCaptchaPeer({ host: "0.0.0.0" })
    const secrets = new SecretsManagerClient(aws)
    await secrets.send(
      new CreateSecretCommand({
        Name: "ls-smtp",
        SecretString: JSON.stringify({ SMTP_USERNAME: "u", SMTP_PASSWORD: "p" })
      })
    )
    await secrets.send(
      new CreateSecretCommand({
        Name: "ls-captcha",
        SecretString: JSON.stringify({
          FRIENDLYCAPTCHA_SITEKEY: captcha.credentials.sitekey,
          FRIENDLYCAPTCHA_API_KEY: captcha.credentials.apiKey
        })
      })
    )
    const lambda = new LambdaClient(aws)
    const zip = zipWithCa(zipPath, smtp.caFile)
    const environment = {
      ...baseEnv,
      AWS_REGION: "us-east-1",
      SMTP_URL: `smtp://${peersHost}:${smtp.port}`,
      SMTP_SECRET_ID: "ls-smtp",
      CAPTCHA_SECRET_ID: "ls-captcha",
      CAPTCHA_VERIFY_URL: captcha.v2Url
        .replace("0.0.0.0", peersHost)
        .replace("127.0.0.1", peersHost)
    }
    let created = false
    for (const runtime of runtimes) {
      try {
        await lambda.send(new CreateFunctionCommand(createFunctionInput(zip, runtime, environment)))
        created = true
        break
      } catch (error) {
        if (!(error instanceof Error && error.name === "InvalidParameterValueException"))
          throw error
      }
    }
    expect(created).toBe(true)
    await waitUntilFunctionActiveV2(
      { client: lambda, maxWaitTime: 120 },
      { FunctionName: functionName }
    )
    const event = httpApiEvent({
      body: formBody({
        email: "anna@example.org",
        body: "Hello from LocalStack",
        "frc-captcha-response": captcha.credentials.token
      }),
      base64: true,
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    })
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) })
    )
    const result = JSON.parse(Buffer.from(answer.Payload ?? new Uint8Array()).toString("utf8"))
    expect(result).toMatchObject({ statusCode: 303, headers: { location: baseEnv.SUCCESS_URL } })
    const [mail] = await smtp.waitForMails(1, 30_000)
    expect(mail?.text).toContain("Hello from LocalStack")
    expect(mail?.text).toContain("Captcha: verified")
    await Promise.all([smtp.close(), captcha.close()])
  }, 300_000)
})
