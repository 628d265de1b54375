/**
 * The abuse limits' variables (contract §9): how many POSTs one client address may send
 * in any 60 seconds, and how many proxies in front may be trusted to name the client.
 */
import { all } from "./env"
import { wholeNumber } from "./readers"

export const limitVariables = all({
  // 0: no limit, and no proxy. 10 a minute is more than any visitor sends by hand,
  // correcting and resending included.
  ratePerMinute: wholeNumber("RATE_LIMIT_PER_MINUTE", 10, 0, 10_000),
  trustProxyHops: wholeNumber("TRUST_PROXY_HOPS", 0, 0, 10)
})
