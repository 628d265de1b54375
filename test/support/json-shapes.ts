/**
 * The shapes of the JSON the chat peers read (./slack-peer.ts, ./discord-peer.ts): an
 * object's fields, read without trusting them.
 */
export type JsonObject = { readonly [key: string]: unknown }

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const parseObject = (raw: string): JsonObject | undefined => {
  try {
    const value: unknown = JSON.parse(raw)
    return isObject(value) ? value : undefined
  } catch {
    return undefined
  }
}

export const stringAt = (object: JsonObject, key: string): string | undefined => {
  const value = object[key]
  return typeof value === "string" ? value : undefined
}

export const arrayAt = (object: JsonObject, key: string): ReadonlyArray<unknown> | undefined => {
  const value = object[key]
  return Array.isArray(value) ? value : undefined
}

/** Every match of a global regular expression. */
export const matchesOf = (text: string, pattern: RegExp): string[] =>
  [...text.matchAll(pattern)].map((match) => match[0])
