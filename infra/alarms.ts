// Two alarms, because the two ways this backend fails look different in CloudWatch:
// - the function's `Errors` metric counts crashes, Lambda timeouts and, above all, a bad
//   configuration, which makes the module throw at cold start (SPEC 6) so every request
//   fails;
// - a failed delivery is not a function error: the application answers 500 with the
//   fallback contact and logs `outcome: "delivery_failed"`, which a metric filter counts.
// With AlarmEmail set, both notify that address through an SNS topic (the recipient has
// to confirm the subscription mail first).

import { Aws, Duration, Fn, type Stack, Token } from "aws-cdk-lib"
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch"
import type * as lambda from "aws-cdk-lib/aws-lambda"
import * as logs from "aws-cdk-lib/aws-logs"
import * as sns from "aws-cdk-lib/aws-sns"
import type { Parameters } from "./parameters.js"

interface AlarmTargets {
  readonly handler: lambda.IFunction
  readonly logGroup: logs.ILogGroup
  readonly parameters: Parameters
}

// The namespace of the application's metrics (METRICS_NAMESPACE), one per stack so that
// two sites in one account do not add up.
export const METRICS_NAMESPACE = `ContactForm/${Aws.STACK_NAME}`

const FIVE_MINUTES = Duration.minutes(5)

export const addAlarms = (stack: Stack, { handler, logGroup, parameters: p }: AlarmTargets) => {
  const topic = new sns.CfnTopic(stack, "AlarmTopic", {})
  topic.cfnOptions.condition = p.hasAlarmEmail
  const subscription = new sns.CfnSubscription(stack, "AlarmSubscription", {
    topicArn: topic.ref,
    protocol: "email",
    endpoint: p.alarmEmail.valueAsString
  })
  subscription.cfnOptions.condition = p.hasAlarmEmail
  const actions = Token.asList(Fn.conditionIf(p.hasAlarmEmail.logicalId, [topic.ref], Aws.NO_VALUE))

  const errors = new cloudwatch.Alarm(stack, "FunctionErrors", {
    alarmDescription:
      "contact-form-backend: the function failed (configuration error at cold start, crash or timeout). See its log group.",
    metric: handler.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING
  })

  // A term, not a JSON pattern: it matches whether a line reaches the log as bare JSON or
  // behind the runtime's console prefix (timestamp, request id), which a JSON pattern
  // would not parse. It cannot come from a visitor: the logs never hold what they wrote.
  const deliveryFailed = logGroup.addMetricFilter("DeliveryFailedFilter", {
    filterPattern: logs.FilterPattern.allTerms("delivery_failed"),
    metricNamespace: METRICS_NAMESPACE,
    metricName: "DeliveryFailed",
    metricValue: "1"
  })
  const deliveries = new cloudwatch.Alarm(stack, "DeliveryFailures", {
    alarmDescription:
      "contact-form-backend: a message could not be delivered (SMTP or captcha configuration); the visitor was shown the fallback contact.",
    metric: deliveryFailed.metric({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING
  })

  for (const alarm of [errors, deliveries]) {
    const cfnAlarm = alarm.node.defaultChild
    if (!(cfnAlarm instanceof cloudwatch.CfnAlarm)) throw new Error("Alarm without CfnAlarm")
    cfnAlarm.alarmActions = actions
  }
}
