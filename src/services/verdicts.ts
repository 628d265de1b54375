/**
 * VerdictMemory: the captcha's verdict on a token whose submission was not accepted (a 500
 * that kept nothing), by (form, token), for 10 minutes in this process (contract §9). A
 * visitor who sends again, even with an edited text, then gets a delivery instead of "already
 * received": the provider has spent the token, and asking again would say so. A verdict is
 * forgotten once its submission is accepted, so a token still buys one submission only.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { CaptchaVerdict } from "../domain/errors"
import { LruMap } from "./lru"

export interface VerdictMemoryApi {
  /** The verdict of a token not yet spent on an accepted submission, if still remembered. */
  readonly recall: (form: string, token: string) => Effect.Effect<CaptchaVerdict | undefined>
  readonly remember: (form: string, token: string, verdict: CaptchaVerdict) => Effect.Effect<void>
  /** The token bought an accepted submission: its verdict buys no other. */
  readonly spend: (form: string, token: string) => Effect.Effect<void>
}

export class VerdictMemory extends Context.Service<VerdictMemory, VerdictMemoryApi>()(
  "contact-form/VerdictMemory"
) {}

interface Remembered {
  readonly verdict: CaptchaVerdict
  readonly at: number
}

/** contract §9's numbers, as for the duplicate guard. */
export const VerdictMemoryLive = (
  options: { readonly capacity: number; readonly remember: Duration.Duration } = {
    capacity: 10_000,
    remember: Duration.minutes(10)
  }
) =>
  Layer.sync(VerdictMemory, () => {
    const verdicts = new LruMap<string, Remembered>(options.capacity)
    const rememberMs = Duration.toMillis(options.remember)
    // A token has no NUL (contract §4 refuses control characters in one).
    const key = (form: string, token: string) => `${form}\u0000${token}`
    return VerdictMemory.of({
      recall: (form, token) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const known = verdicts.get(key(form, token))
          return known !== undefined && now - known.at < rememberMs ? known.verdict : undefined
        }),
      remember: (form, token, verdict) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          verdicts.set(key(form, token), { verdict, at: now })
        }),
      spend: (form, token) =>
        Effect.sync(() => {
          verdicts.delete(key(form, token))
        })
    })
  })
