/**
 * A Standard Webhooks receiver (contract §11's `webhook` channel) on 127.0.0.1, port 0: POST
 * JSON to its path, each request verified with the `standardwebhooks` package as a real
 * receiver would (`webhook-id`, `webhook-timestamp` within five minutes of now,
 * `webhook-signature: v1,<base64 HMAC-SHA256>` over `<id>.<timestamp>.<body>`).
 *
 * Answers: 204 for a verified JSON body (again for a repeated `webhook-id`: acted on once, as
 * a receiver deduplicating by id does), 415 for a body that is not `application/json`, 401
 * for a signature that does not verify, 400 for a verified body that is not JSON, 404 for
 * another path, 405 for another method. Scripted behaviours: see channel-peers.ts.
 */
import { randomBytes } from "node:crypto"
import { Webhook } from "standardwebhooks"
import { ChannelPeerBase, type PeerAnswer, type PeerRequest } from "./channel-peers"

export interface WebhookDelivery {
  /** `webhook-id`. */
  readonly id: string | undefined
  /** `webhook-timestamp`, seconds since the epoch; undefined when not an integer. */
  readonly timestamp: number | undefined
  readonly signatureValid: boolean
  /** Why the signature did not verify (the package's message). */
  readonly reason: string | undefined
  /** The parsed JSON body; undefined when it is not JSON. */
  readonly body: unknown
  readonly raw: string
  readonly headers: Readonly<Record<string, string>>
  /**
   * Acted on: verified, JSON, and its behaviour `ok`, `hang` or `drop` (the last two
   * received without an answer the sender sees). False for `status` and `redirect`.
   */
  readonly accepted: boolean
  /** Accepted, and its `webhook-id` had been accepted before. */
  readonly duplicate: boolean
}

export interface WebhookReceiverOptions {
  /** `whsec_` and base64; a fresh one by default. */
  readonly secret?: string
  /** The receiver's path; `/hooks/contact` by default. */
  readonly path?: string
}

/** A secret in the form Standard Webhooks gives one: `whsec_` and 32 random bytes in base64. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString("base64")}`

/** The three headers a sender signs a message with, for tests that play the sender. */
export const signWebhook = (
  secret: string,
  message: { readonly id: string; readonly timestamp: Date; readonly body: string }
): Record<string, string> => ({
  "webhook-id": message.id,
  "webhook-timestamp": String(Math.floor(message.timestamp.getTime() / 1000)),
  "webhook-signature": new Webhook(secret).sign(message.id, message.timestamp, message.body)
})

const JSON_TYPE = /^application\/json\s*(;|$)/i

export class WebhookReceiver extends ChannelPeerBase {
  readonly secret: string
  readonly path: string
  readonly #verifier: Webhook
  readonly #received: WebhookDelivery[] = []

  private constructor(options: WebhookReceiverOptions) {
    super()
    this.secret = options.secret ?? newWebhookSecret()
    this.path = options.path ?? "/hooks/contact"
    this.#verifier = new Webhook(this.secret)
  }

  static async start(options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(options)
    await receiver.listen()
    return receiver
  }

  get url(): string {
    return `${this.origin}${this.path}`
  }

  /** Every POST to the path whose body was read (not `refuse`d), verified or not. */
  get received(): ReadonlyArray<WebhookDelivery> {
    return this.#received
  }

  /** The distinct `webhook-id`s acted on, in order of first acceptance. */
  delivered(): ReadonlyArray<string> {
    return [
      ...new Set(this.#received.flatMap((each) => (each.accepted && each.id ? [each.id] : [])))
    ]
  }

  protected act(request: PeerRequest): PeerAnswer {
    if (request.pathname !== this.path) return { status: 404 }
    if (request.method !== "POST") return { status: 405, headers: { allow: "POST" } }
    const delivery = this.#record(request, true)
    if (!JSON_TYPE.test(request.headers["content-type"] ?? "")) return { status: 415 }
    if (!delivery.signatureValid) return { status: 401 }
    if (delivery.body === undefined) return { status: 400 }
    return { status: 204 }
  }

  protected override observe(request: PeerRequest): void {
    if (request.pathname === this.path && request.method === "POST") this.#record(request, false)
  }

  protected statusAnswer(status: number, headers: Readonly<Record<string, string>>): PeerAnswer {
    return { status, headers }
  }

  #record(request: PeerRequest, acting: boolean): WebhookDelivery {
    const id = request.headers["webhook-id"]
    const stamp = request.headers["webhook-timestamp"]
    let reason: string | undefined
    try {
      this.#verifier.verify(request.raw, { ...request.headers }, { jsonParse: false })
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error)
    }
    let body: unknown
    try {
      body = JSON.parse(request.raw)
    } catch {
      body = undefined
    }
    const accepted =
      acting &&
      reason === undefined &&
      body !== undefined &&
      JSON_TYPE.test(request.headers["content-type"] ?? "")
    const delivery: WebhookDelivery = {
      id,
      timestamp: stamp !== undefined && /^\d+$/.test(stamp) ? Number(stamp) : undefined,
      signatureValid: reason === undefined,
      reason,
      body,
      raw: request.raw,
      headers: request.headers,
      accepted,
      duplicate: accepted && this.#received.some((each) => each.accepted && each.id === id)
    }
    this.#received.push(delivery)
    return delivery
  }
}

export const startWebhookReceiver = (options?: WebhookReceiverOptions): Promise<WebhookReceiver> =>
  WebhookReceiver.start(options)
