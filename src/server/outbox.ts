/**
 * Embedded mode's mail sink (contract §1): an SMTP server inside the process, on
 * loopback, that the real SMTP layer delivers to and that saves each message as
 * `<timestamp>-<id>.eml` in the outbox; and the reading side of that outbox for
 * GET /outbox.
 */
import { randomBytes } from "node:crypto"
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type AddressObject, simpleParser } from "mailparser"
import { SMTPServer } from "smtp-server"
import type { OutboxMail } from "../pages/site"

export class OutboxUnavailable extends Data.TaggedError("OutboxUnavailable")<{
  readonly dir: string
  readonly cause: unknown
}> {}

/** `2026-05-04T10-11-12-345Z-0123abcd.eml`: sorts by time, safe on every file system. */
const fileName = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-[0-9a-f]{8}\.eml$/

const newFileName = (): string =>
  `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}.eml`

const maxMessageBytes = 10 * 1024 * 1024

const smtpReply = (responseCode: number, message: string) =>
  Object.assign(new Error(message), { responseCode })

/**
 * Starts the capturing SMTP server on 127.0.0.1 (a free port) for the scope's lifetime.
 * Plain SMTP without authentication: it only listens on loopback (contract §5).
 */
export const captureMail = (options: {
  readonly dir: string
  readonly onSaved: (path: string) => void
}) =>
  Effect.gen(function* () {
    const { dir, onSaved } = options
    yield* Effect.tryPromise({
      try: () => mkdir(dir, { recursive: true }),
      catch: (cause) => new OutboxUnavailable({ dir, cause })
    })
    const save = (message: Buffer): Promise<string> => {
      const path = join(dir, newFileName())
      return writeFile(path, message, { flag: "wx" }).then(() => path)
    }
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["AUTH", "STARTTLS"],
      disableReverseLookup: true,
      size: maxMessageBytes,
      logger: false,
      banner: "contact-form-backend embedded outbox",
      onData(stream, _session, callback) {
        const chunks: Array<Buffer> = []
        stream.on("data", (chunk: Buffer) => chunks.push(chunk))
        stream.on("end", () => {
          if (stream.sizeExceeded) return callback(smtpReply(552, "Message too large"))
          save(Buffer.concat(chunks)).then(
            (path) => {
              onSaved(path)
              callback(null, "Saved to the outbox")
            },
            () => callback(smtpReply(451, "Cannot write to the outbox"))
          )
        })
      }
    })
    // A client's protocol error is the client's problem; it must not crash the server.
    smtp.on("error", () => {})
    yield* Effect.acquireRelease(
      // Any free loopback port: failing to get one is not something a setting can fix.
      Effect.callback<void>((resume) => {
        smtp.server.once("error", (cause) => resume(Effect.die(cause)))
        smtp.listen(0, "127.0.0.1", () => resume(Effect.void))
      }),
      () => Effect.callback<void>((resume) => smtp.close(() => resume(Effect.void)))
    )
    const address = smtp.server.address()
    return { port: typeof address === "object" && address !== null ? address.port : 0 }
  })

// ---------------------------------------------------------------------------------------
// Reading the outbox

const addresses = (value: AddressObject | ReadonlyArray<AddressObject> | undefined): string =>
  value === undefined ? "" : "text" in value ? value.text : value.map((a) => a.text).join(", ")

const parse = (file: string, raw: Buffer) =>
  Effect.tryPromise(() => simpleParser(raw)).pipe(
    Effect.map(
      (mail): OutboxMail => ({
        file,
        date: mail.date,
        subject: mail.subject ?? "",
        from: addresses(mail.from),
        replyTo: addresses(mail.replyTo),
        to: addresses(mail.to),
        text: mail.text ?? ""
      })
    )
  )

const errorCode = (cause: unknown): unknown =>
  typeof cause === "object" && cause !== null && "code" in cause ? cause.code : undefined

/** The newest `limit` mails, newest first; an outbox deleted meanwhile is an empty one. */
export const listOutbox = (dir: string, limit = 100) =>
  Effect.tryPromise({
    try: () => readdir(dir),
    catch: (cause) => new OutboxUnavailable({ dir, cause })
  }).pipe(
    Effect.catchIf(
      (error) => errorCode(error.cause) === "ENOENT",
      () => Effect.succeed([])
    ),
    Effect.flatMap((files) =>
      Effect.forEach(
        files
          .filter((f) => fileName.test(f))
          .sort()
          .reverse()
          .slice(0, limit),
        (file) => readMail(dir, file),
        { concurrency: 8 }
      )
    ),
    Effect.map((mails) => mails.flatMap(Option.toArray))
  )

/** One mail by its file name; none for a name that is not an outbox file or is gone. */
export const readMail = (dir: string, file: string) =>
  fileName.test(file)
    ? Effect.tryPromise(() => readFile(join(dir, file))).pipe(
        Effect.flatMap((raw) => parse(file, raw)),
        Effect.option
      )
    : Effect.succeed(Option.none<OutboxMail>())
