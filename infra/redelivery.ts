// Nothing lost (contract §7): the queue the web function puts a failed delivery in, its
// dead-letter queue, and the second function, from the same zip, that SQS feeds them to.
import { Duration, RemovalPolicy } from "aws-cdk-lib"
import * as iam from "aws-cdk-lib/aws-iam"
import * as lambda from "aws-cdk-lib/aws-lambda"
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources"
import * as logs from "aws-cdk-lib/aws-logs"
import * as sqs from "aws-cdk-lib/aws-sqs"
import type { Construct } from "constructs"
import { functionRole, waitFor } from "./permissions.js"
import {
  MAX_RECEIVE_COUNT,
  REDELIVERY_BATCH_SIZE,
  REDELIVERY_TIMEOUT_MS,
  VISIBILITY_TIMEOUT_MS
} from "./timeouts.js"

// An item holds the visitor's message, so both queues are encrypted at rest. SQS-managed
// keys: nothing to grant, nothing to pay; a customer-managed key would need kms grants on
// both functions and on whoever redrives. TLS is enforced by the queue policy, so that no
// principal, even one granted access, can read an item over plain HTTP.
const encrypted = { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true } as const

/** The queues; with `legacy`, the standard pair of versions before the FIFO queues too. */
export const declareQueues = (scope: Construct, legacy: boolean) => {
  // 14 days, SQS's maximum: the owner's time to notice the alarm, fix the cause and
  // redrive. The dead-letter queue of a FIFO queue is FIFO too.
  const deadLetters = new sqs.Queue(scope, "FifoDeadLetterQueue", {
    ...encrypted,
    fifo: true,
    retentionPeriod: Duration.days(14)
  })
  // FIFO (contract §7a): an enqueue retried after a lost answer carries the same
  // deduplication id (`<submission id>:<copy>`), so it is stored once; each item is its own
  // message group, so one that fails holds back no other. Deduplication by the body's hash
  // is off: the application names each copy itself.
  const queue = new sqs.Queue(scope, "FifoQueue", {
    ...encrypted,
    fifo: true,
    contentBasedDeduplication: false,
    // SQS's default, set explicitly because it is a promise about personal data (contract §7):
    // an item is redelivered or dead-lettered within about six hours, so four days is slack
    // for a consumer that is stopped (mapping disabled, a bad deploy), not a delay.
    retentionPeriod: Duration.days(4),
    visibilityTimeout: Duration.millis(VISIBILITY_TIMEOUT_MS),
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: MAX_RECEIVE_COUNT }
  })
  // Destroyed with the stack (the CDK default, written down): a retained queue would keep
  // personal data nobody looks at any more. docs/deploy.md, removing it: look at both first.
  for (const q of [queue, deadLetters]) q.applyRemovalPolicy(RemovalPolicy.DESTROY)
  return { queue, deadLetters, ...(legacy ? legacyQueues(scope) : {}) }
}

const legacyQueues = (scope: Construct) => {
  // The standard pair of earlier versions, under their old logical ids and unchanged but for
  // their removal policy: a queue cannot become FIFO without being replaced, and replacing
  // them would delete what they hold (up to 4 and 14 days of kept messages). Retained, so
  // that no deploy, nor removing them from the template later, deletes an item; still
  // consumed by the redelivery function until empty. docs/operations.md: drain, then remove.
  const legacyDeadLetters = new sqs.Queue(scope, "DeadLetterQueue", {
    ...encrypted,
    retentionPeriod: Duration.days(14)
  })
  const legacy = new sqs.Queue(scope, "Queue", {
    ...encrypted,
    retentionPeriod: Duration.days(4),
    visibilityTimeout: Duration.millis(VISIBILITY_TIMEOUT_MS),
    deadLetterQueue: { queue: legacyDeadLetters, maxReceiveCount: MAX_RECEIVE_COUNT }
  })
  for (const q of [legacy, legacyDeadLetters]) q.applyRemovalPolicy(RemovalPolicy.RETAIN)
  return { legacy, legacyDeadLetters }
}

interface RedeliveryProps {
  readonly code: lambda.Code
  readonly memorySize: number
  readonly environment: Record<string, string>
  /** The queue it consumes and keeps marked copies in (QUEUE_URL). */
  readonly queue: sqs.IQueue
  /** Queues it drains as well: the standard one of earlier versions. */
  readonly drains: ReadonlyArray<sqs.IQueue>
  readonly logGroupName: string
  readonly retention: logs.RetentionDays
  /** What it may do beside its queues: deliver (mail and channels), decrypt (the policy). */
  readonly grant: (role: iam.Role) => iam.CfnPolicy | undefined
}

export const addRedelivery = (
  scope: Construct,
  { code, memorySize, environment, queue, drains, logGroupName, retention, grant }: RedeliveryProps
) => {
  const logGroup = new logs.LogGroup(scope, "RedeliveryLogs", {
    logGroupName,
    retention,
    removalPolicy: RemovalPolicy.DESTROY
  })

  // Its own role: it consumes the queues and delivers as the web function does (the SMTP
  // secret or SES, the channels' secrets), and nothing else. It never verifies a captcha
  // (an item carries the verdict), so it cannot read that secret. It sends to its own
  // queue only: the marked copy that takes the place of an item whose redelivery's outcome
  // was unknown (contract §7a).
  const role = functionRole(
    scope,
    "RedeliveryRole",
    "contact-form-backend redelivery: write its logs, consume the queue, send mail (SMTP secret or SES)",
    logGroup
  )
  const decrypt = grant(role)
  // Receive, delete, change visibility, and GetQueueAttributes, without which Lambda
  // cannot create the event source mapping. (The event source grants the same again;
  // CDK merges the two into one statement.)
  for (const q of [queue, ...drains]) q.grantConsumeMessages(role)
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: "KeepUnknownOutcomesMarked",
      actions: ["sqs:SendMessage"],
      resources: [queue.queueArn]
    })
  )

  const fn = new lambda.Function(scope, "Redelivery", {
    description: "contact-form-backend: redelivers queued submissions (SQS)",
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    handler: "index.redeliver",
    code,
    memorySize,
    timeout: Duration.millis(REDELIVERY_TIMEOUT_MS),
    role,
    logGroup,
    environment
  })

  // A decrypt policy under a condition cannot be waited for (cfn-lint E3005).
  waitFor(fn, decrypt)

  for (const q of [queue, ...drains]) {
    fn.addEventSource(
      new SqsEventSource(q, {
        batchSize: REDELIVERY_BATCH_SIZE,
        // Only the items that failed again go back to the queue (contract §7); without it one
        // bad item would have the whole batch received, and counted, again.
        reportBatchItemFailures: true,
        // AWS's minimum. After an outage the backlog drains two batches at a time, one
        // mail after the other in each: about two mails a second, well below the 14 a
        // second a production SES account starts with, so that a backlog does not get
        // itself throttled (in the SES sandbox, 1 a second, a throttled item is simply
        // retried). It also keeps Lambda from receiving batches it has no concurrency to
        // invoke, which would count receives towards the dead-letter queue without an attempt.
        maxConcurrency: 2
      })
    )
  }

  return { fn, logGroup }
}
