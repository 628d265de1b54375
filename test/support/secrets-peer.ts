/**
 * AWS endpoints for the real AWS SDK (Secrets Manager, SQS, SES v2; moto serves every
 * service on one port): moto (`moto_server` on PATH, else the `motoserver/moto` image through
 * testcontainers) behind a small HTTP proxy that counts calls and injects faults. The
 * proxy is what the code under test is pointed at.
 *
 * In a suite:
 *   const secrets = await secretsPeerOrSkip()
 *   describe.skipIf(secrets.skip)("…", () => {
 *     afterAll(() => secrets.close())
 *     it("…", async () => { const peer = secrets.peer(); … })
 *   })
 */

import { type ChildProcess, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { accessSync, constants } from "node:fs"
import http from "node:http"
import { delimiter, join } from "node:path"
import {
  CreateTableCommand,
  DynamoDBClient,
  ScanCommand,
  UpdateTimeToLiveCommand
} from "@aws-sdk/client-dynamodb"
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient
} from "@aws-sdk/client-secrets-manager"
import { CreateEmailIdentityCommand, SESv2Client } from "@aws-sdk/client-sesv2"
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient
} from "@aws-sdk/client-sqs"

/**
 * `error`: any AWS error answer (`status`, `type` as `x-amzn-errortype`); `drop`: the
 * request read, then the connection destroyed without an answer. `lose`: the request done
 * by moto, its answer lost (the connection destroyed instead); `late`: moto's answer held
 * `delayMs` first.
 */
export type SecretsFaultKind =
  | "throttle"
  | "internal"
  | "hang"
  | "malformed"
  | "drop"
  | "error"
  | "lose"
  | "late"

/**
 * A fault for calls of one operation (GetSecretValue unless `operation` says otherwise,
 * e.g. SendMessage): the next `times` of them (or all), optionally of one secret id.
 */
export interface SecretsFault {
  readonly kind: SecretsFaultKind
  /** For `error`: the HTTP status and the AWS error type answered. */
  readonly status?: number
  readonly type?: string
  /** For `late`. */
  readonly delayMs?: number
  readonly times?: number
  readonly secretId?: string
  readonly operation?: string
}

/** A mail moto's SES accepted (`/moto-api/data.json`, `ses.RawMessage`). */
export interface SesMessage {
  readonly source: string
  readonly destinations: ReadonlyArray<string>
  readonly raw: string
}

export interface SentMessage {
  readonly body: string
  readonly delaySeconds?: number
  readonly groupId?: string
  readonly deduplicationId?: string
}

export interface QueuedMessage {
  readonly messageId: string
  readonly body: string
  /** This receive's handle (a consumer's ChangeMessageVisibility or DeleteMessage). */
  readonly receiptHandle: string
}

export interface SecretsPeer {
  /** The counting proxy: hand this to the code under test (`AWS_ENDPOINT_URL_SECRETS_MANAGER`). */
  readonly endpoint: string
  readonly motoEndpoint: string
  readonly backend: "moto_server" | "container"
  readonly region: "us-east-1"
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }
  /**
   * AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and the endpoints of Secrets
   * Manager, SQS, SESv2 and DynamoDB (all the proxy in front of moto).
   */
  readonly env: Readonly<Record<string, string>>
  /** Talks to moto directly (test setup; never counted, never faulted). */
  readonly client: SecretsManagerClient
  /** A client through the proxy, destroyed on close. */
  proxyClient(config?: { readonly maxAttempts?: number }): SecretsManagerClient
  createSecret(id: string, value: object | string): Promise<void>
  putSecretValue(id: string, value: object | string): Promise<void>
  deleteSecret(id: string): Promise<void>
  /** A new DynamoDB table in moto as the stack makes the store's (`pk`, TTL on `expiresAt`). */
  createTable(name: string): Promise<void>
  /** Every item of a table, as moto holds it (expired ones too): `pk`, `expiresAt`, strings. */
  tableItems(name: string): Promise<ReadonlyArray<Readonly<Record<string, string | number>>>>
  /** A new SQS queue in moto; its URL, through the proxy (the SDK sends to the queue URL's host). */
  createQueue(name: string, attributes?: Readonly<Record<string, string>>): Promise<string>
  /** What the queue holds now, left in it (received with a visibility timeout of 0). */
  queuedMessages(url: string): Promise<ReadonlyArray<QueuedMessage>>
  /**
   * Every message the queue holds, hidden ones included (received, not deleted, within
   * their visibility timeout), which `queuedMessages` cannot see.
   */
  queueDepth(url: string): Promise<number>
  /** Puts a message into the queue directly (a redrive, or a garbage item). */
  sendToQueue(url: string, body: string): Promise<void>
  /** A verified SES identity (a domain or an address): moto refuses other senders, as SES does. */
  verifyIdentity(identity: string): Promise<void>
  /** Every mail moto's SES has accepted so far. */
  sesMessages(): Promise<ReadonlyArray<SesMessage>>
  /** Every SendMessage that passed the proxy, as sent (its body and its delay, if any). */
  sentMessages(): ReadonlyArray<SentMessage>
  getSecretValueCalls(secretId?: string): number
  /** Calls through the proxy by operation, e.g. `calls("GetSecretValue")`. */
  calls(operation: string): number
  resetCounts(): void
  setFault(fault: SecretsFault | undefined): void
  close(): Promise<void>
}

export const uniqueSecretId = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`

interface Backend {
  readonly endpoint: string
  readonly kind: SecretsPeer["backend"]
  stop(): Promise<void>
}

class PeerUnavailable extends Error {}

const onPath = (command: string): boolean =>
  (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK)
      return true
    } catch {
      return false
    }
  })

// moto takes port 0 and prints the bound address ("Running on http://127.0.0.1:PORT"). The
// shell keeps moto's pid (exec) and a watcher kills the process group when our stdin
// closes, so moto dies with this process even when it is killed without an exit handler.
const MOTO_SCRIPT = `p=$$; exec 3<&0; (cat <&3 >/dev/null; kill -TERM -$p) &
exec moto_server -H 127.0.0.1 -p 0 </dev/null`

const killGroup = (child: ChildProcess) => {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM")
  } catch {
    // ESRCH: already gone
  }
}

const stopChild = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    killGroup(child)
  })

const startMotoProcess = (): Promise<Backend> =>
  new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", MOTO_SCRIPT], { detached: true, stdio: "pipe" })
    const killOnExit = () => killGroup(child)
    process.once("exit", killOnExit)
    const stop = () => stopChild(child).then(() => void process.off("exit", killOnExit))
    let output = ""
    let settled = false
    const fail = (reason: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void stop()
      reject(new PeerUnavailable(`moto_server ${reason}: ${output.trim().slice(-300)}`))
    }
    const timer = setTimeout(() => fail("did not start within 20 s"), 20_000)
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString("utf8")
      const endpoint = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
      if (endpoint === undefined) return
      // From here on moto logs every request: keep draining the pipes, unread.
      child.stdout.off("data", onOutput).resume()
      child.stderr.off("data", onOutput).resume()
      // The bound port is known; one real request proves it answers.
      fetch(`${endpoint}/moto-api/`).then(
        () => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resolve({ endpoint, kind: "moto_server", stop })
        },
        (error: unknown) => fail(`did not answer (${error})`)
      )
    }
    child.stdout.on("data", onOutput)
    child.stderr.on("data", onOutput)
    child.once("error", (error) => fail(`could not be started (${error.message})`))
    child.once("exit", (code) => fail(`exited with ${code}`))
  })

const startMotoContainer = async (): Promise<Backend> => {
  try {
    // Imported here, not at the top: testcontainers must not load where it is not used.
    const { GenericContainer, Wait } = await import("testcontainers")
    const container = await new GenericContainer("motoserver/moto:latest")
      .withExposedPorts(5000)
      .withWaitStrategy(Wait.forHttp("/moto-api/", 5000))
      .withStartupTimeout(120_000)
      .start()
    const endpoint = `http://${container.getHost()}:${container.getMappedPort(5000)}`
    return { endpoint, kind: "container", stop: () => container.stop().then(() => undefined) }
  } catch (error) {
    throw new PeerUnavailable(`no container runtime (${String(error).split("\n")[0]})`)
  }
}

let shared: { readonly backend: Promise<Backend>; users: number } | undefined

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** The process-wide moto, started on first use and stopped when its last user releases it. */
const acquireBackend = async () => {
  if (shared === undefined) {
    const viaMoto = onPath("moto_server")
      ? startMotoProcess()
      : Promise.reject(new PeerUnavailable("moto_server is not on PATH"))
    const backend = viaMoto.catch((motoError: unknown) =>
      startMotoContainer().catch((containerError: unknown) => {
        throw new PeerUnavailable(`${reason(motoError)}; ${reason(containerError)}`)
      })
    )
    const created = { backend, users: 0 }
    shared = created
    backend.catch(() => {
      if (shared === created) shared = undefined
    })
  }
  const current = shared
  current.users += 1
  let released = false
  const release = async () => {
    if (released) return
    released = true
    current.users -= 1
    if (current.users > 0) return
    if (shared === current) shared = undefined
    await (await current.backend).stop()
  }
  try {
    return { backend: await current.backend, release }
  } catch (error) {
    current.users -= 1
    throw error
  }
}

const json = (status: number, type: string, message: string) => ({
  status,
  type,
  body: JSON.stringify({ __type: type, message })
})

// Shapes as AWS's JSON 1.1 protocol sends them: the SDK reads the error code from
// `x-amzn-errortype` or `__type`. SES v2 (REST-JSON) throttles with a 429 of its own: moto
// emulates no throttling, so it is forged here.
const SES_THROTTLE = json(429, "TooManyRequestsException", "Too many requests")
const FAULT_REPLIES = {
  throttle: json(400, "ThrottlingException", "Rate exceeded"),
  internal: json(500, "InternalServiceError", "An internal error occurred"),
  malformed: { status: 200, type: undefined, body: "<html><body>Bad gateway</body></html>" }
} as const

const secretIdOf = (body: string): string | undefined => {
  try {
    const parsed: unknown = JSON.parse(body)
    if (typeof parsed !== "object" || parsed === null || !("SecretId" in parsed)) return undefined
    return typeof parsed.SecretId === "string" ? parsed.SecretId : undefined
  } catch {
    return undefined
  }
}

const sendMessageOf = (body: string): SentMessage => {
  const parsed: Record<string, unknown> = JSON.parse(body)
  const text = (key: string) => (typeof parsed[key] === "string" ? parsed[key] : undefined)
  const groupId = text("MessageGroupId")
  const deduplicationId = text("MessageDeduplicationId")
  return {
    body: String(parsed.MessageBody),
    ...(typeof parsed.DelaySeconds === "number" ? { delaySeconds: parsed.DelaySeconds } : {}),
    ...(groupId === undefined ? {} : { groupId }),
    ...(deduplicationId === undefined ? {} : { deduplicationId })
  }
}

const makePeer = async (backend: Backend, release: () => Promise<void>): Promise<SecretsPeer> => {
  const region = "us-east-1"
  const credentials = { accessKeyId: "test", secretAccessKey: "test" }
  const operations = new Map<string, number>()
  const reads = new Map<string, number>()
  let fault: (SecretsFault & { remaining: number }) | undefined
  const sent: Array<SentMessage> = []
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1)

  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.once("end", () => {
      const body = Buffer.concat(chunks)
      const target = req.headers["x-amz-target"]
      // "secretsmanager.GetSecretValue", "AmazonSQS.SendMessage": the operation after the dot;
      // SES v2 is REST: its operation is the path.
      const operation =
        typeof target === "string"
          ? target.replace(/^[^.]*\./, "")
          : req.method === "POST" && req.url === "/v2/email/outbound-emails"
            ? "SendEmail"
            : ""
      bump(operations, operation)
      const secretId =
        operation === "GetSecretValue" ? secretIdOf(body.toString("utf8")) : undefined
      if (secretId !== undefined) bump(reads, secretId)
      if (operation === "SendMessage") sent.push(sendMessageOf(body.toString("utf8")))
      if (
        fault !== undefined &&
        operation === (fault.operation ?? "GetSecretValue") &&
        fault.remaining > 0 &&
        (fault.secretId === undefined || fault.secretId === secretId)
      ) {
        fault.remaining -= 1
        if (fault.kind === "hang") return // the socket is destroyed by close()
        if (fault.kind === "drop") return void req.socket.destroy()
        if (fault.kind === "lose" || fault.kind === "late") {
          return forward(req, body, (_answer, send) =>
            fault?.kind === "lose" || fault === undefined
              ? void req.socket.destroy()
              : void setTimeout(send, fault.delayMs ?? 0)
          )
        }
        const reply =
          fault.kind === "error"
            ? json(fault.status ?? 400, fault.type ?? "BadRequestException", "Forged by the proxy")
            : operation === "SendEmail" && fault.kind === "throttle"
              ? SES_THROTTLE
              : FAULT_REPLIES[fault.kind]
        res.writeHead(reply.status, {
          "content-type": "application/x-amz-json-1.1",
          "x-amzn-requestid": randomUUID(),
          ...(reply.type === undefined ? {} : { "x-amzn-errortype": reply.type })
        })
        return void res.end(reply.body)
      }
      forward(req, body, (_, send) => send())
    })

    /** Sends the request to moto; `then` gets moto's answer and a way to pass it on. */
    function forward(
      request: http.IncomingMessage,
      payload: Buffer,
      then: (answer: Buffer, send: () => void) => void
    ) {
      const upstream = http.request(
        new URL(request.url ?? "/", backend.endpoint),
        { method: request.method ?? "POST", headers: request.headers },
        (answer) => {
          const parts: Buffer[] = []
          answer.on("data", (part: Buffer) => parts.push(part))
          answer.once("end", () => {
            const whole = Buffer.concat(parts)
            then(whole, () => {
              res.writeHead(answer.statusCode ?? 502, answer.headers)
              res.end(whole)
            })
          })
        }
      )
      upstream.once("error", () => {
        if (res.headersSent) return void res.destroy()
        res.writeHead(502, { "content-type": "text/plain" })
        res.end("secrets proxy: moto unreachable")
      })
      upstream.end(payload)
    }
  })
  await new Promise<void>((resolve, reject) => {
    proxy.once("error", reject)
    proxy.listen(0, "127.0.0.1", () => resolve())
  })
  const address = proxy.address()
  if (address === null || typeof address === "string") throw new Error("secrets proxy: no port")
  const endpoint = `http://127.0.0.1:${address.port}`
  const clients: SecretsManagerClient[] = []
  const newClient = (url: string, maxAttempts?: number) => {
    const client = new SecretsManagerClient({
      region,
      endpoint: url,
      credentials,
      ...(maxAttempts === undefined ? {} : { maxAttempts })
    })
    clients.push(client)
    return client
  }
  const client = newClient(backend.endpoint)
  const sqs = new SQSClient({ region, endpoint: backend.endpoint, credentials })
  const ses = new SESv2Client({ region, endpoint: backend.endpoint, credentials })
  const dynamodb = new DynamoDBClient({ region, endpoint: backend.endpoint, credentials })
  // The SQS client sends each call to its queue URL's host: the URLs handed out name the
  // proxy, and the test's own calls go to moto directly.
  const viaProxy = (url: string) => `${endpoint}${new URL(url).pathname}`
  const direct = (url: string) => `${backend.endpoint}${new URL(url).pathname}`
  const asString = (value: object | string) =>
    typeof value === "string" ? value : JSON.stringify(value)
  let closed: Promise<void> | undefined

  return {
    endpoint,
    motoEndpoint: backend.endpoint,
    backend: backend.kind,
    region,
    credentials,
    env: {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
      AWS_ENDPOINT_URL_SQS: endpoint,
      AWS_ENDPOINT_URL_SESV2: endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint
    },
    client,
    proxyClient: (config = {}) => newClient(endpoint, config.maxAttempts),
    createSecret: async (id, value) => {
      await client.send(new CreateSecretCommand({ Name: id, SecretString: asString(value) }))
    },
    putSecretValue: async (id, value) => {
      await client.send(new PutSecretValueCommand({ SecretId: id, SecretString: asString(value) }))
    },
    deleteSecret: async (id) => {
      await client.send(new DeleteSecretCommand({ SecretId: id, ForceDeleteWithoutRecovery: true }))
    },
    createTable: async (name) => {
      // The store's table as the stack makes it: partition key `pk`, TTL on `expiresAt`
      // (moto keeps items past their TTL: the store checks `expiresAt` itself).
      await dynamodb.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST"
        })
      )
      await dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true }
        })
      )
    },
    tableItems: async (name) => {
      const answer = await dynamodb.send(new ScanCommand({ TableName: name, ConsistentRead: true }))
      return (answer.Items ?? []).map((item) =>
        Object.fromEntries(
          Object.entries(item).map(([k, v]) => [k, v.N !== undefined ? Number(v.N) : (v.S ?? "")])
        )
      )
    },
    createQueue: async (name, attributes) => {
      const created = await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          ...(attributes === undefined ? {} : { Attributes: attributes })
        })
      )
      if (created.QueueUrl === undefined) throw new Error("moto created no queue")
      return viaProxy(created.QueueUrl)
    },
    queuedMessages: async (url) => {
      const answer = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: direct(url),
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0
        })
      )
      return (answer.Messages ?? []).map((m) => ({
        messageId: m.MessageId ?? "",
        body: m.Body ?? "",
        receiptHandle: m.ReceiptHandle ?? ""
      }))
    },
    queueDepth: async (url) => {
      const answer = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: direct(url),
          AttributeNames: [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed"
          ]
        })
      )
      return Object.values(answer.Attributes ?? {}).reduce((sum, n) => sum + Number(n), 0)
    },
    sendToQueue: async (url, body) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: direct(url), MessageBody: body }))
    },
    verifyIdentity: async (identity) => {
      await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: identity }))
    },
    sesMessages: async () => {
      const data: unknown = await (await fetch(`${backend.endpoint}/moto-api/data.json`)).json()
      const records = (data as { ses?: { RawMessage?: ReadonlyArray<Record<string, unknown>> } })
        .ses?.RawMessage
      return (records ?? []).map((r) => ({
        source: String(r.source),
        destinations: Array.isArray(r.destinations) ? r.destinations.map(String) : [],
        raw: String(r.raw_data)
      }))
    },
    sentMessages: () => [...sent],
    getSecretValueCalls: (secretId) =>
      secretId === undefined ? (operations.get("GetSecretValue") ?? 0) : (reads.get(secretId) ?? 0),
    calls: (operation) => operations.get(operation) ?? 0,
    resetCounts: () => {
      operations.clear()
      reads.clear()
      sent.length = 0
    },
    setFault: (next) => {
      fault =
        next === undefined
          ? undefined
          : { ...next, remaining: next.times ?? Number.POSITIVE_INFINITY }
    },
    close: () => {
      closed ??= (async () => {
        for (const each of clients) each.destroy()
        sqs.destroy()
        ses.destroy()
        await new Promise<void>((resolve) => {
          proxy.close(() => resolve())
          proxy.closeAllConnections()
        })
        await release()
      })()
      return closed
    }
  }
}

export const resolveSecretsPeer = async (): Promise<{ peer: SecretsPeer } | { skip: string }> => {
  let acquired: Awaited<ReturnType<typeof acquireBackend>>
  try {
    acquired = await acquireBackend()
  } catch (error) {
    if (!(error instanceof PeerUnavailable)) throw error
    return { skip: error.message }
  }
  try {
    return { peer: await makePeer(acquired.backend, acquired.release) }
  } catch (error) {
    await acquired.release()
    throw error
  }
}

export interface SecretsSuite {
  /** True when no peer could be started outside CI: the suite is to be skipped. */
  readonly skip: boolean
  /** The peer; throws when `skip` is true (only reached by a test that was not skipped). */
  peer(): SecretsPeer
  close(): Promise<void>
}

/** CI is set (to anything but "", "0" or "false"): a missing peer is a failure, not a skip. */
export const inCi = () => !["", "0", "false"].includes((process.env.CI ?? "").toLowerCase())

/** In CI a missing peer fails the suite; elsewhere it is skipped with one line saying why. */
export const secretsPeerOrSkip = async (): Promise<SecretsSuite> => {
  const resolved = await resolveSecretsPeer()
  if ("peer" in resolved) {
    const { peer } = resolved
    return { skip: false, peer: () => peer, close: () => peer.close() }
  }
  const line =
    `Secrets Manager peer unavailable (${resolved.skip}). ` +
    `Install moto with: pip install "moto[server]" (or start Docker for motoserver/moto).`
  if (inCi()) throw new Error(`${line} CI is set, so this is a failure, not a skip.`)
  console.warn(`[skip] ${line}`)
  return {
    skip: true,
    peer: () => {
      throw new Error(line)
    },
    close: async () => {}
  }
}
