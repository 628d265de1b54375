/**
 * Client addresses as the rate limit counts them (contract §9): written one way each
 * (an IPv4-mapped IPv6 address is the IPv4 address), and an IPv6 address by its /64, which
 * is what one subscriber is given. Nothing here is logged or kept beyond its window.
 */
import { isIPv4, isIPv6 } from "node:net"

/** What an address that is not one counts as: all such requests share one count. */
const unknownAddress = "unknown"

/** The eight 16-bit groups of a valid IPv6 address (without a zone). */
const groupsOf = (address: string): ReadonlyArray<number> => {
  let text = address
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1]
  if (dotted !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.split(".").map(Number)
    text = `${text.slice(0, -dotted.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = "", tail] = text.split("::")
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)))
  const left = parse(head)
  const right = tail === undefined ? [] : parse(tail)
  return [...left, ...Array(8 - left.length - right.length).fill(0), ...right]
}

/**
 * One spelling per address: `::ffff:203.0.113.7` is `203.0.113.7`, an IPv6 address as its
 * eight groups in lower case; a port (`1.2.3.4:5678`, `[2001:db8::1]:443`), brackets and a zone
 * (`%eth0`) are dropped. Anything else is `unknown`.
 */
export const normalizeAddress = (raw: string | undefined): string => {
  let text = (raw ?? "").trim()
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(text)
  if (bracketed !== null) text = bracketed[1] ?? ""
  else if (/^[\d.]+:\d+$/.test(text)) text = text.slice(0, text.indexOf(":"))
  text = text.split("%")[0] ?? ""
  if (isIPv4(text)) return text
  if (!isIPv6(text)) return unknownAddress
  const groups = groupsOf(text)
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6] ?? 0, groups[7] ?? 0].flatMap((g) => [g >> 8, g & 0xff]).join(".")
  }
  return groups.map((g) => g.toString(16)).join(":")
}

/** What one count is kept under: the address itself for IPv4, the /64 for IPv6. */
export const addressBucket = (address: string): string =>
  address.includes(":")
    ? `${groupsOf(address)
        .slice(0, 4)
        .map((g) => g.toString(16))
        .join(":")}::/64`
    : address
