/** Loopback hosts: where plain SMTP may go (contract §5) and the server's own names. */
import { isIP } from "node:net"

/** The names a browser on this machine uses for it, as URL hosts. */
export const loopbackNames = ["127.0.0.1", "localhost", "[::1]"] as const

const names: ReadonlySet<string> = new Set(loopbackNames)

/** A URL host (IPv6 in brackets) that never leaves this machine. */
export const isLoopback = (host: string): boolean =>
  names.has(host) || (isIP(host) === 4 && host.startsWith("127."))
