/**
 * The queue's variables (contract §7): SQS on both runtimes, or a spool directory on
 * the server; with neither, a failed delivery is answered with the fallback page alone.
 */
import { resolve } from "node:path"
import type { QueueConfig } from "./app-config"
import { all, type ValueOf } from "./env"
import { httpUrl, oneOf, orDefault, orNothing, positiveInt, text } from "./readers"

export const queueVariables = all({
  url: httpUrl("QUEUE_URL", orNothing),
  consumer: oneOf("QUEUE_CONSUMER", ["on", "off"] as const, orDefault("on")),
  timeoutMs: positiveInt("QUEUE_TIMEOUT_MS", 3_000, 30_000),
  spoolDir: text("SPOOL_DIR", orNothing),
  retrySeconds: positiveInt("SPOOL_RETRY_SECONDS", 60, 86_400),
  maxAgeHours: positiveInt("SPOOL_MAX_AGE_HOURS", 72, 24 * 365),
  deadDays: positiveInt("SPOOL_DEAD_DAYS", 14, 3_650)
})

type QueueVariables = ValueOf<typeof queueVariables>

/** Where the code runs: the spool directory is the server's alone. */
export type Runtime = "lambda" | "server"

export const queueProblems = (q: QueueVariables, runtime: Runtime): ReadonlyArray<string> => [
  ...(q.spoolDir !== undefined && runtime === "lambda"
    ? ["SPOOL_DIR: the server's only; on Lambda, QUEUE_URL names the queue"]
    : []),
  ...(q.spoolDir !== undefined && q.url !== undefined
    ? ["SPOOL_DIR: not together with QUEUE_URL (one queue, SQS or the spool directory)"]
    : [])
]

export const queueConfig = (q: QueueVariables, cwd: string): QueueConfig =>
  q.url !== undefined
    ? { kind: "sqs", url: q.url, timeoutMs: q.timeoutMs, consume: q.consumer === "on" }
    : q.spoolDir !== undefined
      ? {
          kind: "spool",
          dir: resolve(cwd, q.spoolDir),
          timeoutMs: q.timeoutMs,
          retrySeconds: q.retrySeconds,
          maxAgeHours: q.maxAgeHours,
          deadDays: q.deadDays
        }
      : { kind: "none" }

/**
 * What the start says about the queue (a warning line, not a problem): a standard SQS queue
 * cannot deduplicate, so an enqueue whose answer was lost and retried can store an item
 * twice, and it would be delivered twice (contract §7a); a FIFO queue cannot.
 */
export const queueWarnings = (queue: QueueConfig): ReadonlyArray<string> =>
  queue.kind === "sqs" && !queue.url.endsWith(".fifo")
    ? [
        "QUEUE_URL names a standard queue: an enqueue whose answer is lost is retried and can store the item twice; a FIFO queue (.fifo) cannot"
      ]
    : []
