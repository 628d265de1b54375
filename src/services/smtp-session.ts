/**
 * One SMTP session over nodemailer's SMTPConnection, in two steps: `openSession` connects,
 * upgrades (STARTTLS) and authenticates; `transmitOn` sends one message and closes. Split so
 * that the flow can open the session while the captcha is being verified (README,
 * Performance): nothing is sent before `transmitOn`, and a session never used is closed.
 * What nodemailer's SMTP transport does in one call, with its error codes unchanged.
 */
import { PassThrough, type Readable } from "node:stream"
import SMTPConnection from "nodemailer/lib/smtp-connection"

/** How one message is sent: its abort signal and its point of no return (contract §7a). */
export interface Transmission {
  readonly signal: AbortSignal
  /** When the delivery's MAIL_TIMEOUT_MS is spent (epoch ms). */
  readonly deadline: number
  /**
   * Called once the whole message and its final `.` are handed to the relay: from then on
   * it may have the message, and the wait for its reply lasts until `deadline`.
   */
  readonly pastNoReturn: () => void
}

export interface Session {
  /** Sends one message, then closes the session; rejects with the session's first error. */
  readonly transmit: (
    envelope: SMTPConnection.Envelope,
    message: Readable,
    how: Transmission
  ) => Promise<SMTPConnection.SentMessageInfo>
  /** Closes it after use or failure, as nodemailer's transport does (again: a no-op). */
  readonly close: () => void
  /** Ends a session never used: QUIT, and the relay hangs up (then `close` is a no-op). */
  readonly quit: () => void
  /** Still open: it has not failed (timed out or been dropped) while it waited to be used. */
  readonly usable: () => boolean
}

/** The delivery's deadline ends the wait for the reply to `.`; the socket's timer only after. */
const afterDeadlineMs = 1_000

const aborted = () => Object.assign(new Error("Aborted"), { code: "EABORT" })

/** nodemailer's own code for a connection the relay closed before we were done. */
const closedByRelay = () =>
  Object.assign(new Error("Connection closed unexpectedly"), { code: "ECONNECTION" })

export const openSession = (
  options: SMTPConnection.Options,
  auth: SMTPConnection.Credentials | undefined,
  signal: AbortSignal
): Promise<Session> =>
  new Promise((resolve, reject) => {
    const connection = new SMTPConnection(options)
    let failure: Error | undefined
    let closing = false
    // Who hears the next failure: the opening promise, then the transmitting one.
    let waiting: ((error: Error) => void) | undefined = reject
    const fail = (error: Error) => {
      failure ??= error
      connection.close()
      const waiter = waiting
      waiting = undefined
      waiter?.(failure)
    }
    const close = () => {
      closing = true
      connection.close()
    }
    // For the session's whole life: an error or a hang-up while it waits for the captcha
    // is the failure of the attempt that uses it.
    connection.on("error", fail)
    connection.once("end", () => {
      if (!closing) fail(closedByRelay())
    })
    const abort = () => fail(aborted())
    signal.addEventListener("abort", abort, { once: true })
    const ready = () => {
      signal.removeEventListener("abort", abort)
      if (failure !== undefined) return
      waiting = undefined
      resolve({
        close,
        usable: () => failure === undefined,
        quit: () => {
          if (closing || failure !== undefined) return
          closing = true
          connection.quit()
        },
        transmit: (envelope, message, { signal: sending, deadline, pastNoReturn }) =>
          new Promise((sent, notSent) => {
            if (failure !== undefined) return notSent(failure)
            const stop = () => fail(aborted())
            sending.addEventListener("abort", stop, { once: true })
            waiting = (error) => {
              sending.removeEventListener("abort", stop)
              notSent(error)
            }
            // The message's last byte read means nodemailer writes the final `.` now: the
            // relay may accept it at any moment. The reply may take what is left of the
            // delivery (a content filter), not a step's share: the socket's idle timeout
            // is moved past the deadline, which then decides (the delivery's own timer).
            const counted = new PassThrough()
            counted.once("end", () => {
              pastNoReturn()
              const socket = connection._socket
              if (socket) socket.setTimeout(Math.max(deadline - Date.now(), 0) + afterDeadlineMs)
            })
            message.once("error", (error) => counted.destroy(error))
            connection.send(envelope, message.pipe(counted), (error, info) => {
              sending.removeEventListener("abort", stop)
              if (failure !== undefined) return
              waiting = undefined
              close()
              if (error) notSent(error)
              else sent(info)
            })
          })
      })
    }
    connection.connect((error) => {
      if (error) return fail(error)
      if (failure !== undefined) return
      // As nodemailer's transport: credentials are offered only where AUTH is advertised.
      if (auth === undefined || !connection.allowsAuth) return ready()
      connection.login(auth, (refused) => (refused ? fail(refused) : ready()))
    })
  })
