// An upgrade loses nothing (contract §7a): a stack deployed from an earlier version and
// updated with this template keeps every stateful resource it had (the queues with up to 4
// and 14 days of kept messages, the log groups, the alarm topic). CloudFormation deletes a
// resource whose logical id leaves the template, and replaces one whose type or a
// replacing property (a queue's FifoQueue or QueueName, a log group's name) changes: so
// each must stay under its id, of its type, with the same replacing properties. The queues,
// which hold visitors' messages, must be retained, so that removing them later (docs/operations.md,
// "Upgrade from standard queues") can never delete what they hold. fixtures/stateful-before-fifo.json was
// read from the template of the version before the FIFO queues. The shared store's table
// came later, beside them: it must take no id of theirs, and keep its own. Then the stack
// became a wrapper of the ContactForm construct: fixtures/stack-before-construct.json holds
// every resource, parameter and output of the template before that, all of which it keeps.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { isDeepStrictEqual } from "node:util"
import { App } from "aws-cdk-lib"
import { describe, expect, it } from "vitest"
import { ContactFormStack } from "../stack.js"
import { standInZip, workDir } from "./support.js"

const work = workDir("contact-form-upgrade-")
const codePath = standInZip(join(work, "lambda.zip"))
const app = new App({ outdir: join(work, "cdk.out") })
const stack = new ContactFormStack(app, "ContactFormBackend", { codePath })
const template = app.synth().getStackArtifact(stack.artifactId).template

const [accessLogsId] = Object.keys(template.Resources).filter((id) =>
  id.startsWith("ApiAccessLogs")
)

type Resource = {
  Type: string
  Properties?: Record<string, unknown>
  DeletionPolicy?: string
  UpdateReplacePolicy?: string
}
const resources: Record<string, Resource> = template.Resources

interface Before {
  readonly type: string
  readonly replacing: Readonly<Record<string, unknown>>
}
const before: Record<string, Before> = JSON.parse(
  readFileSync(new URL("./fixtures/stateful-before-fifo.json", import.meta.url), "utf8")
).resources

// The properties that replace a resource when they change, by type (CloudFormation's
// "Update requires: Replacement"); absent from the fixture means unset then.
const replacing: Record<string, ReadonlyArray<string>> = {
  "AWS::SQS::Queue": ["QueueName", "FifoQueue"],
  "AWS::Logs::LogGroup": ["LogGroupName"],
  "AWS::SNS::Topic": ["TopicName", "FifoTopic"],
  "AWS::DynamoDB::Table": ["TableName", "KeySchema"]
}

describe("an upgrade from the version before the FIFO queues", () => {
  it.each(Object.entries(before))("keeps %s: same type, nothing that replaces it", (id, was) => {
    const now = resources[id]
    expect(now, `${id} left the template: CloudFormation would delete it`).toBeDefined()
    expect(now?.Type).toBe(was.type)
    for (const property of replacing[was.type] ?? []) {
      const same = isDeepStrictEqual(now?.Properties?.[property], was.replacing[property])
      expect(same, `${id}.${property} changed: CloudFormation would replace it`).toBe(true)
    }
  })

  it("retains the queues it kept messages in, so that no later change can delete them", () => {
    const queues = Object.entries(before).filter(([, was]) => was.type === "AWS::SQS::Queue")
    expect(queues).toHaveLength(2)
    for (const [id] of queues) {
      expect(resources[id]).toMatchObject({
        DeletionPolicy: "Retain",
        UpdateReplacePolicy: "Retain"
      })
    }
  })
})

describe("the shared store's table, added since", () => {
  const stateful = new Set(Object.keys(replacing))
  const tables = Object.entries(resources).filter(([, r]) => r.Type === "AWS::DynamoDB::Table")

  it("is the only stateful resource the earlier template did not have", () => {
    // Every other stateful resource is one of the fixture's, under its id: adding the table
    // renamed none of them (a renamed one would appear here as new, and be deleted above).
    const added = Object.entries(resources)
      .filter(([id, r]) => stateful.has(r.Type) && !(id in before))
      .map(([id, r]) => [id, r.Type])
    // The FIFO pair replaced nothing either: they are new queues beside the retained ones;
    // the API's access log came with the construct.
    expect(added.filter(([, type]) => type !== "AWS::SQS::Queue")).toEqual([
      ["StoreTable", "AWS::DynamoDB::Table"],
      [accessLogsId, "AWS::Logs::LogGroup"]
    ])
    expect(tables.map(([id]) => id)).toEqual(["StoreTable"])
  })

  it("keeps an id of its own and no fixed name, so that a later change cannot replace it unseen", () => {
    const [[, table] = []] = tables
    // A fixed TableName would make any replacement fail on the existing name; a change of
    // KeySchema replaces the table (losing up to 10 minutes of duplicates and replays).
    expect(table?.Properties?.TableName).toBeUndefined()
    expect(table?.Properties?.KeySchema).toEqual([{ AttributeName: "pk", KeyType: "HASH" }])
  })
})

interface Kept {
  readonly type: string
  readonly replacing?: Readonly<Record<string, unknown>>
  readonly deletionPolicy?: string
}
const beforeConstruct: {
  resources: Record<string, Kept>
  parameters: Record<string, Record<string, unknown>>
  outputs: string[]
} = JSON.parse(
  readFileSync(new URL("./fixtures/stack-before-construct.json", import.meta.url), "utf8")
)

describe("the stack built on the ContactForm construct, against the stack before it", () => {
  it.each(Object.entries(beforeConstruct.resources))(
    "keeps %s: same id, same type, nothing that replaces it",
    (id, was) => {
      const now = resources[id]
      expect(now, `${id} left the template: CloudFormation would delete it`).toBeDefined()
      expect(now?.Type).toBe(was.type)
      for (const property of replacing[was.type] ?? []) {
        const same = isDeepStrictEqual(now?.Properties?.[property], was.replacing?.[property])
        expect(same, `${id}.${property} changed: CloudFormation would replace it`).toBe(true)
      }
      expect(now?.DeletionPolicy).toBe(was.deletionPolicy)
    }
  )

  it("adds only the API's access log, the alarm topic's TLS policy and the channels' alarm", () => {
    const added = Object.entries(resources)
      .filter(([id]) => !(id in beforeConstruct.resources))
      .map(([id, r]) => [id.replace(/[0-9A-F]{8}$/, ""), r.Type])
    expect(added.sort()).toEqual([
      ["AlarmTopicPolicy", "AWS::SNS::TopicPolicy"],
      ["ApiAccessLogs", "AWS::Logs::LogGroup"],
      ["ChannelFailures", "AWS::CloudWatch::Alarm"]
    ])
  })

  it("keeps every parameter as `cdk deploy --parameters` sets it: type, default, allowed values", () => {
    const now: Record<string, Record<string, unknown>> = template.Parameters
    for (const [name, was] of Object.entries(beforeConstruct.parameters)) {
      expect(now[name], name).toMatchObject(was)
      for (const key of ["AllowedValues", "AllowedPattern", "MinLength", "MinValue"]) {
        expect(now[name]?.[key], `${name}.${key}`).toEqual(was[key])
      }
    }
  })

  it("keeps every output the owner's runbook (docs/operations.md) reads", () => {
    expect(Object.keys(template.Outputs)).toEqual(expect.arrayContaining(beforeConstruct.outputs))
  })
})
