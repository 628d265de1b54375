// The alarms, one per way this backend fails, because each looks different in CloudWatch:
// - a function's `Errors` metric counts crashes, Lambda timeouts and, above all, a bad
//   configuration, which makes the module throw at cold start (SPEC 6) so every request
//   (or every batch) fails;
// - a failed delivery is not a function error: the application answers (queued, kept or
//   the 500 fallback page) and counts the outcome in an Embedded Metric Format line of
//   its log, which CloudWatch turns into a metric without any metric filter;
// - the queues' own metrics tell whether redelivery keeps up.
// With AlarmEmail set, all of them notify that address through an SNS topic (the recipient
// has to confirm the subscription mail first).

import { Aws, Duration, Fn, type Stack, Token } from "aws-cdk-lib"
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch"
import type * as lambda from "aws-cdk-lib/aws-lambda"
import * as sns from "aws-cdk-lib/aws-sns"
import type * as sqs from "aws-cdk-lib/aws-sqs"
import type { Parameters } from "./parameters.js"

// The namespace of the application's EMF metrics (METRICS_NAMESPACE), one per stack so
// that two sites in one account do not add up. Each metric is a Count without dimensions.
export const METRICS_NAMESPACE = `ContactForm/${Aws.STACK_NAME}`

interface AlarmTargets {
  readonly handler: lambda.IFunction
  readonly redelivery: lambda.IFunction
  readonly queue: sqs.IQueue
  readonly deadLetters: sqs.IQueue
  /** The standard dead-letter queue of earlier versions, still drained (README, "Upgrading"). */
  readonly legacyDeadLetters: sqs.IQueue
  readonly parameters: Parameters
}

const FIVE_MINUTES = Duration.minutes(5)
const ONE_HOUR_SECONDS = 60 * 60

const emf = (metricName: string) =>
  new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    period: FIVE_MINUTES,
    statistic: cloudwatch.Stats.SUM
  })

export const addAlarms = (stack: Stack, targets: AlarmTargets) => {
  const { handler, redelivery, queue, deadLetters, legacyDeadLetters, parameters: p } = targets
  const topic = new sns.CfnTopic(stack, "AlarmTopic", {})
  topic.cfnOptions.condition = p.hasAlarmEmail
  const subscription = new sns.CfnSubscription(stack, "AlarmSubscription", {
    topicArn: topic.ref,
    protocol: "email",
    endpoint: p.alarmEmail.valueAsString
  })
  subscription.cfnOptions.condition = p.hasAlarmEmail
  const actions = Token.asList(Fn.conditionIf(p.hasAlarmEmail.logicalId, [topic.ref], Aws.NO_VALUE))

  // Every alarm fires on the first occurrence in a five-minute period, and a period
  // without data is fine: the metrics exist only when something happened.
  const alarm = (id: string, description: string, metric: cloudwatch.IMetric, above = 0) => {
    const created = new cloudwatch.Alarm(stack, id, {
      alarmDescription: `contact-form-backend: ${description}`,
      metric,
      threshold: above,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING
    })
    const cfnAlarm = created.node.defaultChild
    if (!(cfnAlarm instanceof cloudwatch.CfnAlarm)) throw new Error("Alarm without CfnAlarm")
    cfnAlarm.alarmActions = actions
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
    "delivery failed permanently (SMTP rejection, credentials, MAIL_FROM...) and the message was kept in the queue. Fix the cause; redrive from the dead-letter queue if it got there (README, the owner's runbook).",
    emf("Kept")
  )
  alarm(
    "UnknownOutcomes",
    "a relay or SES took a message without confirming it, and nothing could keep it: the visitor was told it has probably arrived. Check the inbox for its X-Contact-Submission-Id (README, the owner's runbook); a copy may be missing or, when kept, arrive twice marked X-Contact-Possible-Duplicate.",
    emf("DeliveryUnknown")
  )
  alarm(
    "RedeliveryFailures",
    "a queued message failed again; the queue retries it for about six hours, then moves it to the dead-letter queue.",
    emf("RedeliveryFailed")
  )
  alarm(
    "DeadLetters",
    "messages are in the dead-letter queue: they were not delivered in six hours of retries and stay 14 days from their submission. Fix the cause, then redrive (README, the owner's runbook).",
    deadLetters.metricApproximateNumberOfMessagesVisible({
      period: FIVE_MINUTES,
      statistic: cloudwatch.Stats.MAXIMUM
    })
  )
  alarm(
    "LegacyDeadLetters",
    "messages are in the dead-letter queue of an earlier version (standard, kept when the queues became FIFO). Redrive them to LegacyQueueUrl, which is still drained, or into the FIFO queue (README, Upgrading).",
    legacyDeadLetters.metricApproximateNumberOfMessagesVisible({
      period: FIVE_MINUTES,
      statistic: cloudwatch.Stats.MAXIMUM
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
}
