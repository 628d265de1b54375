/**
 * SubmissionMemory: the duplicate guard (contract §9). Each accepted submission (sent,
 * queued or kept) is remembered by its key for 10 minutes in this process, at most 10,000
 * keys, the least recently used dropped first. A repeat gets the first one's outcome back;
 * one that comes while the first is in flight waits for it (a Deferred per key); after a
 * failure nothing is remembered, and the repeat runs the flow itself. Time is Effect's Clock.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type { ChannelKind } from "../domain/channels"
import type { Accepted, Duplicate, InFlight } from "../domain/errors"
import { LruMap } from "./lru"

export interface SubmissionMemoryApi {
  /**
   * `first` for the first submission of `key`; for a repeat, what the first one was
   * accepted with, as a Duplicate. `first`'s own failure is not remembered.
   */
  readonly once: <E, R>(
    key: string,
    first: Effect.Effect<Accepted | Duplicate | InFlight, E, R>
  ) => Effect.Effect<Accepted | Duplicate | InFlight, E, R>
  /**
   * The channels an unaccepted submission of `key` did deliver to (contract §11), for as
   * long as an accepted one is remembered: a repeat after a 500 sends only the others.
   */
  readonly delivered: (key: string) => Effect.Effect<ReadonlyArray<ChannelKind>>
  readonly recordDelivered: (
    key: string,
    channels: ReadonlyArray<ChannelKind>
  ) => Effect.Effect<void>
}

export class SubmissionMemory extends Context.Service<SubmissionMemory, SubmissionMemoryApi>()(
  "contact-form/SubmissionMemory"
) {}

/** The first one failed (or was interrupted): the waiting repeat runs the flow instead. */
class Forgotten extends Data.TaggedError("Forgotten") {}

interface Entry {
  readonly outcome: Deferred.Deferred<Accepted, Forgotten>
  /** When the first one was accepted; `undefined` while it is in flight. */
  acceptedAt: number | undefined
}

export interface MemoryOptions {
  readonly capacity: number
  readonly remember: Duration.Duration
}

/** contract §9's numbers. */
const memoryDefaults: MemoryOptions = {
  capacity: 10_000,
  remember: Duration.minutes(10)
}

export const SubmissionMemoryLive = (options: MemoryOptions = memoryDefaults) =>
  Layer.sync(SubmissionMemory, () => {
    const entries = new LruMap<string, Entry>(options.capacity)
    const rememberMs = Duration.toMillis(options.remember)

    /** The entry to wait for, or a fresh one this caller now owns: one step, no yield. */
    const claim = (key: string, now: number) => {
      const known = entries.get(key)
      if (
        known !== undefined &&
        (known.acceptedAt === undefined || now - known.acceptedAt < rememberMs)
      )
        return { first: false, entry: known } as const
      const entry: Entry = {
        outcome: Deferred.makeUnsafe<Accepted, Forgotten>(),
        acceptedAt: undefined
      }
      entries.set(key, entry)
      return { first: true, entry } as const
    }

    /** What the first one was accepted with; none for a failure or a first still in flight elsewhere. */
    const acceptedOf = (
      exit: Exit.Exit<Accepted | Duplicate | InFlight, unknown>
    ): Accepted | undefined => {
      if (!Exit.isSuccess(exit) || exit.value._tag === "InFlight") return undefined
      // A repeat of another process' submission (./shared-claims.ts): its first outcome.
      return exit.value._tag === "Duplicate" ? exit.value.first : exit.value
    }

    const settle = (
      key: string,
      entry: Entry,
      exit: Exit.Exit<Accepted | Duplicate | InFlight, unknown>
    ) => {
      const outcome = acceptedOf(exit)
      return outcome !== undefined
        ? Effect.map(Clock.currentTimeMillis, (now) => {
            entry.acceptedAt = now
            Deferred.doneUnsafe(entry.outcome, Exit.succeed(outcome))
          })
        : Effect.sync(() => {
            // Only its own entry: a newer one may have replaced it after an eviction.
            if (entries.peek(key) === entry) entries.delete(key)
            Deferred.doneUnsafe(entry.outcome, Exit.fail(new Forgotten()))
          })
    }

    // Plain combinators rather than a generator: this runs on every submission.
    const once = <E, R>(
      key: string,
      first: Effect.Effect<Accepted | Duplicate | InFlight, E, R>
    ): Effect.Effect<Accepted | Duplicate | InFlight, E, R> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const claimed = claim(key, now)
        if (claimed.first) {
          return Effect.onExit(first, (exit) => settle(key, claimed.entry, exit))
        }
        return Deferred.await(claimed.entry.outcome).pipe(
          Effect.map((outcome): Duplicate => ({ _tag: "Duplicate", first: outcome })),
          Effect.catchTag("Forgotten", () =>
            Effect.suspend(() => {
              // Its owner removes a failed entry; never wait on one twice, whatever happened.
              if (entries.peek(key) === claimed.entry) entries.delete(key)
              return once(key, first)
            })
          )
        )
      })

    const partial = new LruMap<
      string,
      { readonly channels: ReadonlyArray<ChannelKind>; readonly at: number }
    >(options.capacity)
    const delivered = (key: string) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const known = partial.get(key)
        return known !== undefined && now - known.at < rememberMs ? known.channels : []
      })
    const recordDelivered = (key: string, channels: ReadonlyArray<ChannelKind>) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (channels.length > 0) partial.set(key, { channels, at: now })
      })

    return SubmissionMemory.of({ once, delivered, recordDelivered })
  })
