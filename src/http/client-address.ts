/**
 * The client's address (contract §9), the one rule of both runtimes: the peer that
 * connected, unless TRUST_PROXY_HOPS proxies in front append to `X-Forwarded-For`, and
 * then the entry that many places from its right end. Entries further left are whatever
 * the client wrote itself, and are never believed.
 */
import { normalizeAddress } from "../domain/address"

export const clientAddress = (
  peer: string | undefined,
  forwardedFor: string | undefined,
  trustedHops: number
): string => {
  if (trustedHops === 0) return normalizeAddress(peer)
  const entries = (forwardedFor ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
  // Fewer entries than proxies: the request skipped one; the farthest entry is still the
  // best that was appended by a trusted proxy (or the peer, when there is none).
  const entry = entries.length === 0 ? peer : entries[Math.max(0, entries.length - trustedHops)]
  return normalizeAddress(entry)
}
