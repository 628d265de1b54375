/**
 * The abuse limits' variables (SPEC section 9): how many POSTs one client address may send
 * in any 60 seconds, and how many proxies in front may be trusted to name the client.
 */
import * as Config from "effect/Config"
import * as Either from "effect/Either"
import { invalid, parsed } from "./readers"

/** A whole number from 0 to `max`; 0 is allowed (it means "off" or "none"). */
const wholeNumber = (name: string, fallback: number, max: number) =>
  parsed(name, (raw) =>
    /^\d+$/.test(raw) && Number(raw) <= max
      ? Either.right(Number(raw))
      : invalid(`must be a whole number from 0 to ${max}`)
  ).pipe(Config.withDefault(fallback))

export const limitVariables = Config.all({
  // 10 a minute is more than any visitor sends by hand, correcting and resending included.
  ratePerMinute: wholeNumber("RATE_LIMIT_PER_MINUTE", 10, 10_000),
  trustProxyHops: wholeNumber("TRUST_PROXY_HOPS", 0, 10)
})
