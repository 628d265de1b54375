/**
 * What a shared claim's record says (./shared-claims.ts, contract §9), as the store keeps
 * it: the first outcome of an accepted submission, the verdict of a released one, the
 * captcha's refusal of a refused one. Strings in, checked by Schema on the way out.
 */
import * as Schema from "effect/Schema"
import { type ChannelKind, channelKinds } from "../domain/channels"
import {
  type Accepted,
  AlreadyReceived,
  CaptchaMisconfigured,
  CaptchaRejected,
  type CaptchaVerdict,
  type Duplicate,
  type InFlight
} from "../domain/errors"
import { Verdict } from "../domain/item"

/** What a request that takes a submission over knows of the attempt before it. */
export interface Recovery {
  /** That attempt's captcha verdict: it failed after the verdict, so the captcha is not asked again. */
  readonly verdict?: CaptchaVerdict
  /** That attempt was left by a process that is gone, at this ISO time: its mail may have gone. */
  readonly earlierAttemptAt?: string
  /** The channels that attempt delivered to (contract §11): never sent again. */
  readonly delivered?: ReadonlyArray<ChannelKind>
}

export type Guarded = Accepted | Duplicate | InFlight

/** How far a failed first request got: the captcha's verdict (and the channels it delivered to), or its refusal. */
export interface Reached {
  readonly verdict?: CaptchaVerdict
  readonly refusal?: Refusal
  readonly delivered?: ReadonlyArray<ChannelKind>
}

/** A captcha's answer that refused the submission: a repeat of it gets the same. */
export type Refusal = CaptchaRejected | AlreadyReceived | CaptchaMisconfigured

const Outcome = Schema.Union([
  Schema.Struct({ _tag: Schema.Literal("Sent"), id: Schema.String, captcha: Verdict }),
  Schema.Struct({
    _tag: Schema.Literals(["Queued", "Kept", "Unknown"]),
    id: Schema.String,
    captcha: Verdict,
    reason: Schema.String
  })
])
export const decodeOutcome = Schema.decodeUnknownOption(Schema.fromJsonString(Outcome))
export const decodeVerdict = Schema.decodeUnknownOption(Schema.fromJsonString(Verdict))
export const decodeDelivered = Schema.decodeUnknownOption(
  Schema.fromJsonString(Schema.Array(Schema.Literals(channelKinds)))
)
const StoredRefusal = Schema.Struct({
  _tag: Schema.Literals(["CaptchaRejected", "AlreadyReceived", "CaptchaMisconfigured"]),
  reason: Schema.optional(Schema.String),
  status: Schema.optional(Schema.Number),
  code: Schema.optional(Schema.String)
})
export const decodeRefusal = Schema.decodeUnknownOption(Schema.fromJsonString(StoredRefusal))

export const refusalOf = (stored: typeof StoredRefusal.Type): Refusal => {
  switch (stored._tag) {
    case "CaptchaRejected":
      return new CaptchaRejected({ reason: stored.reason ?? "" })
    case "AlreadyReceived":
      return new AlreadyReceived({ reason: stored.reason ?? "" })
    case "CaptchaMisconfigured":
      return new CaptchaMisconfigured({ status: stored.status, code: stored.code ?? "" })
  }
}

/** How a failed first request settles its record: what a repeat does with it. */
export const settlement = (reached: Reached): Record<string, string> =>
  reached.verdict !== undefined
    ? {
        state: "released",
        verdict: JSON.stringify(reached.verdict),
        ...(reached.delivered === undefined || reached.delivered.length === 0
          ? {}
          : { delivered: JSON.stringify(reached.delivered) })
      }
    : reached.refusal !== undefined
      ? { state: "refused", refusal: JSON.stringify(encodeRefusal(reached.refusal)) }
      : { state: "released" }

/** A refusal as plain data: its tag and fields (an error's own JSON would lose the tag). */
const encodeRefusal = (refusal: Refusal): typeof StoredRefusal.Type => {
  switch (refusal._tag) {
    case "CaptchaRejected":
    case "AlreadyReceived":
      return { _tag: refusal._tag, reason: refusal.reason }
    case "CaptchaMisconfigured":
      return {
        _tag: refusal._tag,
        code: refusal.code,
        ...(refusal.status === undefined ? {} : { status: refusal.status })
      }
  }
}
