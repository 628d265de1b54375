// Where the alarms go: an SNS topic of the construct's own (the alarm email subscribed to
// it, when given), or the user's topic. When the email is a parameter's value (the stack's
// AlarmEmail), the topic exists only when it is set, as it always has, and the alarms
// notify it only then.
import { Aws, Fn, Token, Validations } from "aws-cdk-lib"
import * as iam from "aws-cdk-lib/aws-iam"
import * as sns from "aws-cdk-lib/aws-sns"
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions"
import type { Construct } from "constructs"
import { createIf, given, isDeployTime } from "./decision.js"
import type { ContactFormProps } from "./props.js"

// An alarm's notification holds the alarm's name, description and the metric's value:
// nothing personal, nothing secret. A customer-managed key would cost a key a month and
// need a key policy for CloudWatch; the AWS-managed key of SNS cannot be used at all, as
// CloudWatch may not use it to publish.
const noEncryption = (scope: Construct) =>
  Validations.of(scope).acknowledge({
    id: "AwsSolutions-SNS2",
    reason:
      "Alarm notifications carry alarm names and metric values, nothing personal or secret; CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer-managed key is not worth its cost here"
  })

// The deny of plain HTTP that `enforceSSL` writes for an L2 topic, for the L1 one.
const tlsOnly = (scope: Construct, topic: sns.CfnTopic) => {
  const policy = new sns.CfnTopicPolicy(scope, "AlarmTopicPolicy", {
    topics: [topic.ref],
    policyDocument: new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: "AllowPublishThroughSSLOnly",
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ["sns:Publish"],
          resources: [topic.ref],
          conditions: { Bool: { "aws:SecureTransport": "false" } }
        })
      ]
    })
  })
  const { condition } = topic.cfnOptions
  if (condition !== undefined) policy.cfnOptions.condition = condition
}

/** The topic the alarms notify, and their actions (the topic's ARN, maybe at deploy time only). */
export const alarmTopic = (
  scope: Construct,
  alarms: ContactFormProps["alarms"]
): { readonly topic: sns.ITopic | undefined; readonly actions: ReadonlyArray<string> } => {
  if (alarms?.topic !== undefined) return { topic: alarms.topic, actions: [alarms.topic.topicArn] }
  const email = alarms?.email
  if (email === undefined || !isDeployTime(email)) {
    const topic = new sns.Topic(scope, "Alarms", { enforceSSL: true })
    noEncryption(topic)
    if (email !== undefined) topic.addSubscription(new subscriptions.EmailSubscription(email))
    return { topic, actions: [topic.topicArn] }
  }
  const hasEmail = given(scope, "HasAlarmEmail", email)
  const topic = createIf(hasEmail, () => new sns.CfnTopic(scope, "AlarmTopic", {}))
  if (topic === undefined) return { topic: undefined, actions: [] }
  noEncryption(topic)
  tlsOnly(scope, topic)
  createIf(
    hasEmail,
    () =>
      new sns.CfnSubscription(scope, "AlarmSubscription", {
        topicArn: topic.ref,
        protocol: "email",
        endpoint: email
      })
  )
  const actions =
    typeof hasEmail === "boolean"
      ? [topic.ref]
      : Token.asList(Fn.conditionIf(hasEmail.logicalId, [topic.ref], Aws.NO_VALUE))
  return { topic: undefined, actions }
}
