// The alarms, one per way this backend fails, because each looks different in CloudWatch:
// - a function's `Errors` metric counts crashes, Lambda timeouts and, above all, a bad
//   configuration, which makes the module throw at cold start (contract §6) so every request
//   (or every batch) fails;
// - a failed delivery is not a function error: the application answers (queued, kept or
//   the 500 fallback page) and counts the outcome in an Embedded Metric Format line of
//   its log, which CloudWatch turns into a metric without any metric filter;
// - the queues' own metrics tell whether redelivery keeps up.
// All of them notify the alarm topic (infra/alarm-topic.ts): the construct's own, with the
// alarm email subscribed (the recipient has to confirm the subscription mail first), or the
// user's.
import { Duration } from "aws-cdk-lib"
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch"
import type * as lambda from "aws-cdk-lib/aws-lambda"
import type * as sqs from "aws-cdk-lib/aws-sqs"
import type { Construct } from "constructs"
import { channelKinds } from "../src/domain/channels.js"

interface AlarmTargets {
  /** The namespace of the application's EMF metrics (METRICS_NAMESPACE). */
  readonly namespace: string
  readonly handler: lambda.IFunction
  readonly redelivery: lambda.IFunction
  readonly queue: sqs.IQueue
  readonly deadLetters: sqs.IQueue
  /** The standard dead-letter queue of earlier versions, still drained (docs/operations.md, "Upgrade from standard queues"). */
  readonly legacyDeadLetters: sqs.IQueue | undefined
  /** The alarm actions: the topic's ARN, or a deploy-time choice of it. */
  readonly actions: ReadonlyArray<string>
}

const FIVE_MINUTES = Duration.minutes(5)
const ONE_HOUR_SECONDS = 60 * 60

export const addAlarms = (scope: Construct, targets: AlarmTargets) => {
  const { namespace, handler, redelivery, queue, deadLetters, legacyDeadLetters } = targets
  const emf = (metricName: string, dimensionsMap?: Record<string, string>) =>
    new cloudwatch.Metric({
      namespace,
      metricName,
      period: FIVE_MINUTES,
      statistic: cloudwatch.Stats.SUM,
      ...(dimensionsMap === undefined ? {} : { dimensionsMap })
    })

  // Every alarm fires on the first occurrence in a five-minute period, and a period
  // without data is fine: the metrics exist only when something happened.
  const alarm = (id: string, description: string, metric: cloudwatch.IMetric, above = 0) => {
    const created = new cloudwatch.Alarm(scope, id, {
      alarmDescription: `contact-form-backend: ${description}`,
      metric,
      threshold: above,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING
    })
    const cfnAlarm = created.node.defaultChild
    if (!(cfnAlarm instanceof cloudwatch.CfnAlarm)) throw new Error("Alarm without CfnAlarm")
    cfnAlarm.alarmActions = targets.actions.slice()
  }
  const errors = (fn: lambda.IFunction) =>
    fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM })

  alarm(
    "FunctionErrors",
    "the web function failed (configuration error at cold start, crash or timeout). See its log group.",
    errors(handler)
  )
  alarm(
    "RedeliveryFunctionErrors",
    "the redelivery function failed (configuration error at cold start, crash or timeout): queued messages are not being delivered. See its log group.",
    errors(redelivery)
  )
  alarm(
    "DeliveryFailures",
    "a message could not be delivered nor kept (the captcha configuration, or the queue itself failed); the visitor was shown the fallback contact.",
    emf("DeliveryFailed")
  )
  alarm(
    "KeptMessages",
    "delivery failed permanently (SMTP rejection, credentials, MAIL_FROM...) and the message was kept in the queue. Fix the cause; redrive from the dead-letter queue if it got there (docs/operations.md, the owner's runbook).",
    emf("Kept")
  )
  alarm(
    "UnknownOutcomes",
    "a relay or SES took a message without confirming it, and nothing could keep it: the visitor was told it has probably arrived. Check the inbox for its X-Contact-Submission-Id (docs/operations.md, the owner's runbook); a copy may be missing or, when kept, arrive twice marked X-Contact-Possible-Duplicate.",
    emf("DeliveryUnknown")
  )
  alarm(
    "RedeliveryFailures",
    "a queued message failed again; the queue retries it for about six hours, then moves it to the dead-letter queue.",
    emf("RedeliveryFailed")
  )
  alarm(
    "DeadLetters",
    "messages are in the dead-letter queue: they were not delivered in six hours of retries and stay 14 days from their submission. Fix the cause, then redrive (docs/operations.md, the owner's runbook).",
    deadLetters.metricApproximateNumberOfMessagesVisible({
      period: FIVE_MINUTES,
      statistic: cloudwatch.Stats.MAXIMUM
    })
  )
  // Each channel other than mail counts its own outcomes with its kind as the dimension
  // Channel (contract §11; mail's are the counts above): the sum over every such kind of
  // the channels table, so that a new kind is watched without a new alarm.
  const others = channelKinds.filter((kind) => kind !== "mail")
  alarm(
    "ChannelFailures",
    "a channel (webhook, Slack or Discord) could neither deliver a submission nor keep it for redelivery, or its outcome is unknown. The log's channel line names the channel and the reason (docs/operations.md, the owner's runbook).",
    new cloudwatch.MathExpression({
      expression: others.map((kind) => `FILL(${kind}, 0)`).join(" + "),
      usingMetrics: Object.fromEntries(
        others.map((kind) => [kind, emf("ChannelFailed", { Channel: kind })])
      ),
      period: FIVE_MINUTES,
      label: "ChannelFailed"
    })
  )
  // SQS leaves a message received three times or more out of this metric, so a single
  // item failing again and again does not raise it (RedeliveryFailures does): it fires
  // when the queue is not being drained at all (the mapping disabled, the consumer broken
  // at cold start) or a backlog outgrows the two batches at a time.
  alarm(
    "QueueBacklog",
    "the oldest queued message waits for more than an hour: redelivery is not keeping up or not running.",
    queue.metricApproximateAgeOfOldestMessage({
      period: FIVE_MINUTES,
      statistic: cloudwatch.Stats.MAXIMUM
    }),
    ONE_HOUR_SECONDS
  )
  if (legacyDeadLetters === undefined) return
  alarm(
    "LegacyDeadLetters",
    "messages are in the dead-letter queue of an earlier version (standard, kept when the queues became FIFO). Redrive them to LegacyQueueUrl, which is still drained, or into the FIFO queue (docs/operations.md, upgrading from standard queues).",
    legacyDeadLetters.metricApproximateNumberOfMessagesVisible({
      period: FIVE_MINUTES,
      statistic: cloudwatch.Stats.MAXIMUM
    })
  )
}
