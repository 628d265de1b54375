/**
 * StoreService: a memory every process of a deployment shares (contract §9): the
 * duplicate guard's claims across processes, and the ALTCHA payloads already used. Records
 * are a partition key, an expiry (epoch seconds: past it a record counts as absent, before
 * anything deletes it) and a few string attributes; never a visitor's text.
 *
 * In memory by default (one process: the server alone, or each Lambda environment on its
 * own); DynamoDB when STORE_TABLE names a table (src/services/dynamodb-store.ts, a chunk
 * loaded only then). Every call is bounded by STORE_TIMEOUT_MS: past it, the store is down.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"

export interface StoreRecord {
  readonly pk: string
  /** Epoch seconds; the record is absent from then on (DynamoDB's TTL attribute `expiresAt`). */
  readonly expiresAt: number
  /** Not `pk` or `expiresAt`: those are the item's own columns in DynamoDB. */
  readonly attributes: Readonly<Record<string, string>>
}

export type StoreProblem = "timeout" | "throttled" | "denied" | "missing_table" | "unavailable"

/** The store did not answer, or refused us: callers fail open or closed, each by its rule. */
export class StoreUnavailable extends Data.TaggedError("StoreUnavailable")<{
  readonly problem: StoreProblem
  readonly cause?: unknown
}> {}

export type ClaimResult =
  | { readonly written: false }
  | { readonly written: true; readonly expired: StoreRecord | undefined }

export interface StoreApi {
  readonly kind: "memory" | "dynamodb"
  /**
   * Writes `record` when no live record holds its key (none, or one past its expiry):
   * `true` when written, `false` when a live one holds the key (not an error).
   */
  readonly putIfAbsent: (record: StoreRecord) => Effect.Effect<boolean, StoreUnavailable>
  /**
   * `putIfAbsent` that also says which record past its expiry it wrote over, if any: a
   * duplicate claim left by a process that is gone (contract §9).
   */
  readonly claim: (record: StoreRecord) => Effect.Effect<ClaimResult, StoreUnavailable>
  /**
   * Replaces the live record of `record.pk` with `record` when each attribute of
   * `expected` has that value in it: `true` when replaced, `false` when absent, expired or
   * different (not an error).
   */
  readonly replaceIf: (
    record: StoreRecord,
    expected: Readonly<Record<string, string>>
  ) => Effect.Effect<boolean, StoreUnavailable>
  /** The live record of `pk`, read consistently; `undefined` when absent or expired. */
  readonly get: (pk: string) => Effect.Effect<StoreRecord | undefined, StoreUnavailable>
}

export class StoreService extends Context.Service<StoreService, StoreApi>()(
  "contact-form/StoreService"
) {}
