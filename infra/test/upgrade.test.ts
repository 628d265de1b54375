// An upgrade loses nothing (SPEC section 7a): a stack deployed from an earlier version and
// updated with this template keeps every stateful resource it had (the queues with up to 4
// and 14 days of kept messages, the log groups, the alarm topic). CloudFormation deletes a
// resource whose logical id leaves the template, and replaces one whose type or a
// replacing property (a queue's FifoQueue or QueueName, a log group's name) changes: so
// each must stay under its id, of its type, with the same replacing properties. The queues,
// which hold visitors' messages, must be retained, so that removing them later (README,
// "Upgrading") can never delete what they hold. fixtures/stateful-before-fifo.json was
// read from the template of the version before the FIFO queues. The shared store's table
// came later, beside them: it must take no id of theirs, and keep its own.
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { isDeepStrictEqual } from "node:util"
import AdmZip from "adm-zip"
import { App } from "aws-cdk-lib"
import { afterAll, describe, expect, it } from "vitest"
import { ContactFormStack } from "../stack.js"

const work = mkdtempSync(join(tmpdir(), "contact-form-upgrade-"))
afterAll(() => rmSync(work, { recursive: true, force: true }))
const codePath = join(work, "lambda.zip")
const zip = new AdmZip()
zip.addFile("index.mjs", Buffer.from("export const handler = async () => ({})\n"))
zip.writeZip(codePath)
const app = new App({ outdir: join(work, "cdk.out") })
const stack = new ContactFormStack(app, "ContactFormBackend", { codePath })
const template = app.synth().getStackArtifact(stack.artifactId).template

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
    // The FIFO pair replaced nothing either: they are new queues beside the retained ones.
    expect(added.filter(([, type]) => type !== "AWS::SQS::Queue")).toEqual([
      ["StoreTable", "AWS::DynamoDB::Table"]
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
