/**
 * The shared store (contract §9) in a DynamoDB table, for deployments of several processes
 * (Lambda environments never share memory). Loaded only by `StoreLive` when STORE_TABLE is
 * set, with `import()`: the SDK is a chunk of its own, not part of the cold start.
 *
 * An item is `pk` (S), `expiresAt` (N, the table's TTL attribute) and one S attribute per
 * record attribute. DynamoDB deletes expired items up to days late (moto never does), so
 * every condition and every read compares `expiresAt` with Effect's Clock itself.
 */
import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput
} from "@aws-sdk/client-dynamodb"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import {
  type ClaimResult,
  type StoreApi,
  type StoreProblem,
  type StoreRecord,
  StoreUnavailable
} from "./store"

type Item = Record<string, AttributeValue>

/** A `ConditionExpression` did not hold: an answer (`false`), not a failure. */
class ConditionFailed extends Data.TaggedError("ConditionFailed") {}

const nowSeconds = Effect.map(Clock.currentTimeMillis, (ms) => Math.floor(ms / 1_000))

const problemOf = (error: unknown): StoreProblem => {
  switch (error instanceof Error ? error.name : "") {
    case "ResourceNotFoundException":
      return "missing_table"
    case "ThrottlingException":
    case "ProvisionedThroughputExceededException":
    case "RequestLimitExceeded":
      return "throttled"
    case "AccessDeniedException":
    case "UnrecognizedClientException":
      return "denied"
    default:
      return "unavailable"
  }
}

const failureOf = (error: unknown): StoreUnavailable | ConditionFailed =>
  error instanceof Error && error.name === "ConditionalCheckFailedException"
    ? new ConditionFailed()
    : new StoreUnavailable({ problem: problemOf(error), cause: error })

/** The item's own columns: a record attribute of either name would overwrite them. */
const reserved = new Set(["pk", "expiresAt"])

const checkNames = (names: ReadonlyArray<string>): Effect.Effect<void> => {
  const clash = names.find((name) => reserved.has(name))
  return clash === undefined
    ? Effect.void
    : Effect.die(new Error(`store attribute "${clash}" is the item's own column`))
}

const itemOf = (record: StoreRecord): Item => {
  const item: Item = {}
  for (const [name, value] of Object.entries(record.attributes)) item[name] = { S: value }
  item.pk = { S: record.pk }
  item.expiresAt = { N: String(record.expiresAt) }
  return item
}

/** The record in `item`, live or not; attributes of another type are not ours and are left out. */
const anyRecordOf = (item: Item | undefined): StoreRecord | undefined => {
  const pk = item?.pk?.S
  const expiresAt = Number(item?.expiresAt?.N)
  if (item === undefined || pk === undefined || !Number.isFinite(expiresAt)) return undefined
  const attributes: Record<string, string> = {}
  for (const [name, value] of Object.entries(item)) {
    if (!reserved.has(name) && value.S !== undefined) attributes[name] = value.S
  }
  return { pk, expiresAt, attributes }
}

/** The live record in `item`. */
const recordOf = (item: Item | undefined, now: number): StoreRecord | undefined => {
  const record = anyRecordOf(item)
  return record !== undefined && record.expiresAt > now ? record : undefined
}

/**
 * The condition that `expected` holds in a live item, as placeholders: attribute names are
 * the callers' (DynamoDB reserves hundreds of words, `status` among them), never spliced in.
 */
const liveAndMatching = (expected: Readonly<Record<string, string>>, now: number) => {
  const names: Record<string, string> = { "#pk": "pk", "#expiresAt": "expiresAt" }
  const values: Item = { ":now": { N: String(now) } }
  const clauses = ["attribute_exists(#pk)", "#expiresAt > :now"]
  Object.entries(expected).forEach(([name, value], i) => {
    names[`#e${i}`] = name
    values[`:e${i}`] = { S: value }
    clauses.push(`#e${i} = :e${i}`)
  })
  return {
    ConditionExpression: clauses.join(" AND "),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values
  }
}

/**
 * The store over `table`, with one client released with the scope. Two attempts: a lone
 * network blip is retried by the SDK, and STORE_TIMEOUT_MS (StoreLive) bounds them both.
 * AWS_ENDPOINT_URL_DYNAMODB (a local peer) is read by the SDK itself.
 */
export const makeDynamoStore = (
  table: string,
  region: string | undefined
): Effect.Effect<StoreApi, never, Scope.Scope> =>
  Effect.gen(function* () {
    const client = yield* Effect.acquireRelease(
      Effect.sync(
        () => new DynamoDBClient({ ...(region === undefined ? {} : { region }), maxAttempts: 2 })
      ),
      (created) => Effect.sync(() => created.destroy())
    )

    /**
     * A conditional write: the item it wrote over (ALL_OLD: with a condition that refuses a
     * live item, only an expired one), or `undefined` when its condition did not hold.
     */
    const putWhen = (input: PutItemCommandInput) =>
      Effect.tryPromise({
        try: (abortSignal) =>
          client.send(new PutItemCommand({ ...input, ReturnValues: "ALL_OLD" }), { abortSignal }),
        catch: failureOf
      }).pipe(
        Effect.map(
          (answer): ClaimResult => ({ written: true, expired: anyRecordOf(answer.Attributes) })
        ),
        Effect.catchTag("ConditionFailed", () => Effect.succeed<ClaimResult>({ written: false }))
      )

    /** Writes `record` unless a live one holds its key. */
    const claim = (record: StoreRecord) =>
      Effect.gen(function* () {
        yield* checkNames(Object.keys(record.attributes))
        const now = yield* nowSeconds
        return yield* putWhen({
          TableName: table,
          Item: itemOf(record),
          ConditionExpression: "attribute_not_exists(#pk) OR #expiresAt <= :now",
          ExpressionAttributeNames: { "#pk": "pk", "#expiresAt": "expiresAt" },
          ExpressionAttributeValues: { ":now": { N: String(now) } }
        })
      })

    return {
      kind: "dynamodb",
      putIfAbsent: (record) => Effect.map(claim(record), (result) => result.written),
      claim,
      // A conditional PutItem, not an UpdateItem's SET: it replaces the whole item, so an
      // attribute the new record no longer has is gone too, as in memory.
      replaceIf: (record, expected) =>
        Effect.gen(function* () {
          yield* checkNames([...Object.keys(record.attributes), ...Object.keys(expected)])
          const now = yield* nowSeconds
          const result = yield* putWhen({
            TableName: table,
            Item: itemOf(record),
            ...liveAndMatching(expected, now)
          })
          return result.written
        }),
      get: (pk) =>
        Effect.gen(function* () {
          const answer = yield* Effect.tryPromise({
            try: (abortSignal) =>
              client.send(
                new GetItemCommand({
                  TableName: table,
                  Key: { pk: { S: pk } },
                  ConsistentRead: true
                }),
                { abortSignal }
              ),
            catch: (error) => new StoreUnavailable({ problem: problemOf(error), cause: error })
          })
          // Now as the answer came: an item that expired while the request was out is absent.
          return recordOf(answer.Item, yield* nowSeconds)
        })
    }
  })
