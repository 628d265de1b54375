/**
 * The shared store's variables (contract §9): the DynamoDB table, one call's bound, and how
 * long a duplicate claim holds.
 */
import * as Result from "effect/Result"
import type { StoreConfig } from "./app-config"
import { all, type ValueOf } from "./env"
import { byRule, orNothing, wholeNumber } from "./readers"

/** DynamoDB's rule for a table name. */
const tableName = byRule((raw) =>
  /^[A-Za-z0-9_.-]{3,255}$/.test(raw)
    ? Result.succeed(raw)
    : Result.fail("must be a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ . -)")
)

export const storeVariables = all({
  table: tableName("STORE_TABLE", orNothing),
  timeoutMs: wholeNumber("STORE_TIMEOUT_MS", 500, 1, 10_000),
  // The web function's timeout on Lambda (the stack sets it); a server's request bound.
  claimSeconds: wholeNumber("STORE_CLAIM_SECONDS", 30, 1, 900),
  // How long a repeat waits for the first request's answer on another process.
  waitMs: wholeNumber("STORE_WAIT_MS", 2_000, 0, 60_000)
})

export const storeConfig = (v: ValueOf<typeof storeVariables>): StoreConfig => ({
  table: v.table,
  timeoutMs: v.timeoutMs,
  claimSeconds: v.claimSeconds,
  waitMs: v.waitMs
})
