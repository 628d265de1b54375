// The shared store (contract §9), in one place: the stack's Store parameter, the table,
// what the web function may do with it, and what it puts in the functions' environment.
//
// Lambda environments never share memory, and a repeat that arrives while the first
// request is in flight always lands on another environment: only a table they all reach
// catches it there (the duplicate guard's claims), and only there is an ALTCHA payload
// used on another environment known as used (the replay record). So the table exists with
// Store=on, and always with CaptchaProvider=altcha, whose replay check it is.
import {
  CfnParameter,
  Duration,
  Fn,
  RemovalPolicy,
  type Stack,
  Token,
  Validations
} from "aws-cdk-lib"
import * as dynamodb from "aws-cdk-lib/aws-dynamodb"
import * as iam from "aws-cdk-lib/aws-iam"
import type { Construct } from "constructs"
import type { CaptchaProvider } from "../src/domain/captcha-providers.js"
import { createIf, type Decision, pick } from "./decision.js"
import { WEB_TIMEOUT_MS } from "./timeouts.js"

// Typed as a provider id: renaming the row in the provider table fails to compile here.
export const ALTCHA: CaptchaProvider = "altcha"

export const declareStore = (stack: Stack) =>
  new CfnParameter(stack, "Store", {
    type: "String",
    default: "off",
    allowedValues: ["on", "off"],
    description:
      "on: a DynamoDB table every Lambda environment shares, so that a repeated submission is caught whichever environment it reaches (STORE_TABLE). Made anyway with CaptchaProvider=altcha, whose replay check it holds; set it on when only a form of Forms uses altcha (CloudFormation cannot read Forms)"
  })

// What the application calls (src/services/dynamodb-store.ts): GetItem, consistently, and
// PutItem, conditional (ReturnValues ALL_OLD for a claim). UpdateItem as well, as the issue
// asks, though the replace is a conditional PutItem today: a record updated in place later
// needs no change of grant. Nothing that lists (Scan, Query) or deletes: the application
// reads by key only, and DynamoDB's TTL deletes expired records for free.
const STORE_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]

/**
 * The table, and the web function's grant on it, both only when `hasStore` holds; and the
 * variables both functions get (one configuration for both: the redelivery function never
 * calls the store, and its role may not).
 */
export const addStore = (scope: Construct, webRole: iam.Role, hasStore: Decision) => {
  // L1: an L2 Table would need the condition set on its defaultChild anyway, and its
  // grants write into the role's default policy, which cannot hold a conditional
  // statement. `pk` is the only key; a record lives until `expiresAt` (epoch seconds),
  // which the application checks itself, DynamoDB's TTL deleting the item later (up to
  // days later) at no cost.
  // - On-demand: a few requests per submission and nothing in between; provisioned
  //   capacity would bill every hour of an idle site and throttle a burst.
  // - Encrypted at rest with the AWS owned key, DynamoDB's default (its encryption cannot
  //   be turned off): no key to grant, no KMS request to pay or to wait for in the request
  //   path. The records hold HMAC digests, states and submission ids, never a visitor's
  //   text, so the audit trail of a KMS key would show nothing worth a key's cost.
  // - No point-in-time recovery: the records are dedup state of at most 10 minutes (a
  //   claim, the web function's timeout; a settled submission, 10 minutes; an ALTCHA
  //   payload, its challenge's ALTCHA_EXPIRES_SECONDS, 10 minutes by default), so a
  //   restore could only bring back what has expired.
  const table = createIf(
    hasStore,
    () =>
      new dynamodb.CfnTable(scope, "StoreTable", {
        billingMode: "PAY_PER_REQUEST",
        attributeDefinitions: [{ attributeName: "pk", attributeType: "S" }],
        keySchema: [{ attributeName: "pk", keyType: "HASH" }],
        timeToLiveSpecification: { attributeName: "expiresAt", enabled: true }
      })
  )
  // A claim left by a request that never settled it (its environment died) holds as long
  // as that request could still have been running: the web function's timeout.
  const claimSeconds = { STORE_CLAIM_SECONDS: String(Duration.millis(WEB_TIMEOUT_MS).toSeconds()) }
  if (table === undefined) return { table, environment: claimSeconds }
  // Destroyed with the stack, and when HasStore stops holding: losing it forgets at most
  // 10 minutes of duplicates and replays, while a retained table would outlive the stack
  // with nothing left to use it.
  table.applyRemovalPolicy(RemovalPolicy.DESTROY)
  Validations.of(table).acknowledge({
    id: "AwsSolutions-DDB3",
    reason:
      "The table holds duplicate claims, settled outcomes and ALTCHA payloads for at most 10 minutes each, never a visitor's text: a point-in-time restore could only bring back what has expired"
  })

  // A policy of its own under the same condition, created in the stack, not in the role: a
  // function cannot depend on a resource that may not exist (cfn-lint E3005). On the
  // table's ARN only: no index, no other table.
  const policy = new iam.CfnPolicy(scope, "StorePolicy", {
    policyName: "use-contact-form-store",
    roles: [webRole.roleName],
    policyDocument: new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: "UseSharedStore",
          actions: STORE_ACTIONS,
          resources: [table.attrArn]
        })
      ]
    })
  })
  if (typeof hasStore !== "boolean") policy.cfnOptions.condition = hasStore

  const environment: Record<string, string> = {
    // The table's name when it exists, else empty, which the application takes for unset
    // (each environment's memory). The name is picked out of a list that also refers to
    // the policy: that reference makes the functions wait for the grant, so that no
    // update gives them STORE_TABLE before they may use it (ALTCHA would fail closed),
    // which a DependsOn cannot say for a resource that may not exist.
    STORE_TABLE: Token.asString(pick(hasStore, Fn.select(0, [table.ref, policy.ref]), "")),
    ...claimSeconds
  }
  return { table, policy, environment }
}
