// The bench's DynamoDB (started by bench/peers.ts, for the store variants: STORE_TABLE): an
// in-memory table of items by `pk` that answers the JSON 1.0 protocol (POST /,
// `X-Amz-Target: DynamoDB_20120810.<Operation>`) for PutItem, GetItem and UpdateItem, with
// their condition expressions evaluated, so that the app takes the path it takes on AWS: a
// claim written, a live claim refused (ConditionalCheckFailedException), a settle that
// matches, an ALTCHA payload's second use refused. moto would answer the same, but it is a
// Python server to start and is slow to answer, which would blur the figures.
//
// Expressions: the subset the app sends, and whatever else fails loudly (ValidationException)
// rather than being answered wrongly: clauses joined by AND or by OR (no parentheses, no NOT),
// each attribute_exists(a), attribute_not_exists(a) or `a <op> b` (=, <>, <, <=, >, >=) over
// #names, :values and plain attribute names; UpdateItem's `SET a = b, …`. Items never expire
// by themselves, as with moto and as DynamoDB's TTL, which deletes up to days late: the app
// compares `expiresAt` itself.
import type { IncomingMessage, ServerResponse } from "node:http"
import type { Profile } from "./profiles.js"
import { sleep } from "./smtp-peer.js"

/** One of DynamoDB's typed values; the bench's items hold S and N only. */
type AttributeValue = Readonly<Record<string, unknown>>
type Item = Record<string, AttributeValue>

interface Request {
  readonly TableName?: string
  readonly Item?: Item
  readonly Key?: Item
  readonly ConditionExpression?: string
  readonly UpdateExpression?: string
  readonly ExpressionAttributeNames?: Readonly<Record<string, string>>
  readonly ExpressionAttributeValues?: Item
  readonly ReturnValues?: string
}

export interface DynamoCounts {
  /** Every request the fake answered, successful or not. */
  dynamodbCalls: number
  /** PutItem and UpdateItem calls that wrote (their condition held). */
  dynamodbWrites: number
}

/** An answer DynamoDB would give as an error: its status and `__type`. */
class Refusal extends Error {
  constructor(
    readonly type: string,
    message: string
  ) {
    super(message)
  }
}
const invalid = (message: string) => new Refusal("ValidationException", message)

const keyAttribute = "pk"

/** The value an operand names in `item`: #name or plain attribute, or :value. */
const operand = (token: string, request: Request, item: Item | undefined) => {
  if (token.startsWith(":")) {
    const value = request.ExpressionAttributeValues?.[token]
    if (value === undefined) throw invalid(`value ${token} is not defined`)
    return value
  }
  return item?.[attributeName(token, request)]
}

const attributeName = (token: string, request: Request): string => {
  if (!token.startsWith("#")) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(token)) throw invalid(`cannot read operand "${token}"`)
    return token
  }
  const name = request.ExpressionAttributeNames?.[token]
  if (name === undefined) throw invalid(`name ${token} is not defined`)
  return name
}

/** DynamoDB's comparisons: numbers as numbers, strings as strings, other types never match. */
const compare = (op: string, a: AttributeValue | undefined, b: AttributeValue | undefined) => {
  if (a === undefined || b === undefined) return false
  const [x, y] =
    typeof a.N === "string" && typeof b.N === "string"
      ? [Number(a.N), Number(b.N)]
      : typeof a.S === "string" && typeof b.S === "string"
        ? [a.S, b.S]
        : [undefined, undefined]
  if (x === undefined || y === undefined) return op === "<>"
  switch (op) {
    case "=":
      return x === y
    case "<>":
      return x !== y
    case "<":
      return x < y
    case "<=":
      return x <= y
    case ">":
      return x > y
    case ">=":
      return x >= y
    default:
      throw invalid(`operator ${op}`)
  }
}

const clause = (text: string, request: Request, item: Item | undefined): boolean => {
  const fn = /^(attribute_exists|attribute_not_exists)\(\s*([#\w]+)\s*\)$/.exec(text)
  if (fn?.[1] !== undefined && fn[2] !== undefined) {
    const present = item?.[attributeName(fn[2], request)] !== undefined
    return fn[1] === "attribute_exists" ? present : !present
  }
  const cmp = /^([#:\w]+)\s*(=|<>|<=|>=|<|>)\s*([#:\w]+)$/.exec(text)
  if (cmp?.[1] === undefined || cmp[2] === undefined || cmp[3] === undefined)
    throw invalid(`the bench's DynamoDB does not read "${text}"`)
  return compare(cmp[2], operand(cmp[1], request, item), operand(cmp[3], request, item))
}

/** The condition on the item as it is (none: holds). */
const holds = (request: Request, item: Item | undefined): boolean => {
  const expression = request.ConditionExpression?.trim()
  if (expression === undefined || expression === "") return true
  if (/[()]/.test(expression.replace(/attribute_(not_)?exists\(\s*[#\w]+\s*\)/g, "")))
    throw invalid(`the bench's DynamoDB does not read parentheses: "${expression}"`)
  if (/\bAND\b/i.test(expression) && /\bOR\b/i.test(expression))
    throw invalid(`the bench's DynamoDB does not mix AND and OR: "${expression}"`)
  const or = expression.split(/\s+OR\s+/i)
  return or.length > 1
    ? or.some((c) => clause(c.trim(), request, item))
    : expression.split(/\s+AND\s+/i).every((c) => clause(c.trim(), request, item))
}

/** UpdateItem's `SET a = b, …` applied to a copy of `item` (absent: a new item of `key`). */
const updated = (request: Request, key: Item, item: Item | undefined): Item => {
  const expression = request.UpdateExpression?.trim() ?? ""
  const set = /^SET\s+(.+)$/i.exec(expression)?.[1]
  if (set === undefined) throw invalid(`the bench's DynamoDB does not read "${expression}"`)
  const next: Item = { ...item, ...key }
  for (const assignment of set.split(",")) {
    const [target = "", value = "", ...rest] = assignment.split("=").map((s) => s.trim())
    if (rest.length > 0 || !value.startsWith(":"))
      throw invalid(`the bench's DynamoDB does not read "${assignment.trim()}"`)
    const name = attributeName(target, request)
    if (name === keyAttribute) throw invalid("cannot update the key attribute")
    next[name] = operand(value, request, item) ?? {}
  }
  return next
}

/** The key of a request: `pk` as a string. */
const pkOf = (item: Item | undefined): string => {
  const pk = item?.[keyAttribute]?.S
  if (typeof pk !== "string") throw invalid(`Missing the key ${keyAttribute} in the item`)
  return pk
}

/**
 * The handler of DynamoDB requests for the AWS fake of bench/peers.ts: one table per name in
 * `tables` (any other: ResourceNotFoundException), the profile's think time before each answer.
 */
export const dynamodbPeer = (
  tables: readonly string[],
  timing: Profile["dynamodb"],
  counts: DynamoCounts
) => {
  const items = new Map(tables.map((t) => [t, new Map<string, Item>()]))
  const tableOf = (request: Request) => {
    const table = items.get(request.TableName ?? "")
    if (table === undefined)
      throw new Refusal("ResourceNotFoundException", "Requested resource not found")
    return table
  }
  const returned = (request: Request, old: Item | undefined, now: Item) => {
    switch (request.ReturnValues ?? "NONE") {
      case "NONE":
        return {}
      case "ALL_OLD":
        return old === undefined ? {} : { Attributes: old }
      case "ALL_NEW":
        return { Attributes: now }
      default:
        throw invalid(`the bench's DynamoDB does not return ${request.ReturnValues}`)
    }
  }
  const operations: Record<string, (request: Request) => unknown> = {
    PutItem: (request) => {
      const table = tableOf(request)
      const pk = pkOf(request.Item)
      const old = table.get(pk)
      if (!holds(request, old))
        throw new Refusal("ConditionalCheckFailedException", "The conditional request failed")
      const item = { ...request.Item }
      table.set(pk, item)
      counts.dynamodbWrites++
      return returned(request, old, item)
    },
    GetItem: (request) => {
      const item = tableOf(request).get(pkOf(request.Key))
      return item === undefined ? {} : { Item: item }
    },
    UpdateItem: (request) => {
      const table = tableOf(request)
      const key = request.Key ?? {}
      const pk = pkOf(key)
      const old = table.get(pk)
      if (!holds(request, old))
        throw new Refusal("ConditionalCheckFailedException", "The conditional request failed")
      const item = updated(request, key, old)
      table.set(pk, item)
      counts.dynamodbWrites++
      return returned(request, old, item)
    }
  }
  return async (target: string, body: string, res: ServerResponse<IncomingMessage>) => {
    await sleep(timing.requestMs)
    counts.dynamodbCalls++
    const answer = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/x-amz-json-1.0" })
      res.end(JSON.stringify(payload))
    }
    try {
      const operation = operations[target.replace(/^DynamoDB_20120810\./, "")]
      if (operation === undefined) throw new Refusal("UnknownOperationException", target)
      answer(200, operation(JSON.parse(body) as Request))
    } catch (e) {
      const refusal = e instanceof Refusal ? e : invalid(e instanceof Error ? e.message : "?")
      answer(400, {
        __type: `com.amazonaws.dynamodb.v20120810#${refusal.type}`,
        message: refusal.message
      })
    }
  }
}
