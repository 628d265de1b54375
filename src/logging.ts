/**
 * JSON-lines logs (SPEC section 6): `level`, `msg`, and the annotations the edge adds
 * (`requestId`, `outcome`, `reason`). The visitor's text and secrets are never annotated.
 */
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as LogLevel from "effect/LogLevel"

const levelName = (level: LogLevel.LogLevel): string => {
  switch (level._tag) {
    case "Warning":
      return "warn"
    case "Fatal":
      return "error"
    default:
      return level._tag.toLowerCase()
  }
}

const text = (message: unknown): string =>
  Array.isArray(message) ? message.map(String).join(" ") : String(message)

/** Where log lines go: stdout by default (Lambda ships it to CloudWatch Logs). */
export type LogSink = (line: string) => void

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`)
}

export const jsonLogger = (sink: LogSink) =>
  Logger.make(({ annotations, date, logLevel, message }) => {
    const entry: Record<string, unknown> = {
      time: date.toISOString(),
      level: levelName(logLevel),
      msg: text(message)
    }
    for (const [key, value] of annotations) entry[key] = value
    sink(JSON.stringify(entry))
  })

export const JsonLogs = (level: LogLevel.LogLevel, sink: LogSink = stdoutSink) =>
  Layer.merge(Logger.replace(Logger.defaultLogger, jsonLogger(sink)), Logger.minimumLogLevel(level))
