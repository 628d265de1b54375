/**
 * JSON-lines logs (contract §6): `level`, `msg`, and the annotations the edge adds
 * (`requestId`, `outcome`, `reason`). The visitor's text and secrets are never annotated.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as LogLevel from "effect/LogLevel"
import * as References from "effect/References"

/** contract §6's names: `warn` for Effect's Warn, `error` for Fatal too. */
const levelName = (level: LogLevel.LogLevel): string =>
  level === "Fatal" ? "error" : level.toLowerCase()

const text = (message: unknown): string =>
  Array.isArray(message) ? message.map(String).join(" ") : String(message)

/** Where log lines go: stdout by default (Lambda ships it to CloudWatch Logs). */
export type LogSink = (line: string) => void

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`)
}

export const jsonLogger = (sink: LogSink) =>
  Logger.make(({ date, fiber, logLevel, message }) => {
    const entry: Record<string, unknown> = {
      time: date.toISOString(),
      level: levelName(logLevel),
      msg: text(message)
    }
    Object.assign(entry, fiber.getRef(References.CurrentLogAnnotations))
    sink(JSON.stringify(entry))
  })

/** The only logger (Effect's default one replaced), and the least level written. */
export const JsonLogs = (level: LogLevel.LogLevel, sink: LogSink = stdoutSink) =>
  Layer.merge(Logger.layer([jsonLogger(sink)]), Layer.succeed(References.MinimumLogLevel, level))

/**
 * The counts an owner can alarm on (contract §7), one per outcome line. In CloudWatch's
 * own style, so that no metric's key collides with a field of the line (`kept: true`).
 */
export type MetricName =
  | "Sent"
  | "Queued"
  | "Kept"
  | "DeliveryFailed"
  | "DeliveryUnknown"
  | "Redelivered"
  | "RedeliveryFailed"
  /** The spool directory could not be written, read or healed (contract §7a). */
  | "SpoolFailed"
  /** A channel other than mail, by its `Channel` dimension (contract §11). */
  | "ChannelDelivered"
  | "ChannelQueued"
  | "ChannelFailed"
  /** Judged spam and dropped under SPAM_POLICY=drop (contract §12). */
  | "SpamDropped"

/**
 * A CloudWatch Embedded Metric Format annotation: the log line that carries it also counts
 * 1 for `name` in `namespace`, without dimensions. CloudWatch Logs extracts it on Lambda;
 * elsewhere it is one more field of the JSON line. A few lines of our own rather than a
 * metrics library: nothing to load at cold start, and the line stays the one log line.
 */
export const metricAnnotations = (
  namespace: string,
  name: MetricName,
  now: number,
  dimensions: Readonly<Record<string, string>> = {}
) => ({
  _aws: {
    Timestamp: now,
    CloudWatchMetrics: [
      {
        Namespace: namespace,
        Dimensions: [Object.keys(dimensions)],
        Metrics: [{ Name: name, Unit: "Count" }]
      }
    ]
  },
  ...dimensions,
  [name]: 1
})

/** One log line (contract §6): never a secret, nor what a visitor wrote. */
export interface LogLine {
  readonly level: "Debug" | "Info" | "Warning" | "Error"
  readonly message: string
  readonly fields: Readonly<Record<string, string | number | boolean>>
  /** The count this line adds to, if any. */
  readonly metric?: MetricName
  /** The metric's dimensions, also fields of the line (EMF). */
  readonly dimensions?: Readonly<Record<string, string>>
}

const logAt = {
  Debug: Effect.logDebug,
  Info: Effect.logInfo,
  Warning: Effect.logWarning,
  Error: Effect.logError
}

/** Writes `line`, with its metric in `namespace` when it counts one. */
export const writeLine = (line: LogLine, namespace: string) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    logAt[line.level](line.message).pipe(
      Effect.annotateLogs({
        ...line.fields,
        ...(line.metric === undefined
          ? {}
          : metricAnnotations(namespace, line.metric, now, line.dimensions))
      })
    )
  )
