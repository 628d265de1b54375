// The web function's role: it writes its own log group, reads the captcha secrets (and
// Akismet's), delivers (infra/delivery.ts), decrypts the secrets with a customer-managed
// key when one is given, and sends failed deliveries to the queue; the store's grant is
// added beside it (infra/store.ts).
import * as iam from "aws-cdk-lib/aws-iam"
import type * as logs from "aws-cdk-lib/aws-logs"
import type * as sqs from "aws-cdk-lib/aws-sqs"
import type { Construct } from "constructs"
import type { Decision } from "./decision.js"
import { type ChannelSecrets, grantDelivery, type Transport } from "./delivery.js"
import { webSecrets } from "./grants.js"
import { functionRole, grantKmsDecrypt, grantSecretsRead } from "./permissions.js"
import type { ContactFormProps } from "./props.js"
import { resourcesOf } from "./secrets.js"

export interface WebRoleProps {
  readonly props: ContactFormProps
  readonly forms: ReadonlyMap<string, unknown> | undefined
  readonly logGroup: logs.ILogGroup
  readonly queue: sqs.IQueue
  readonly transport: Transport
  readonly channels: ChannelSecrets
  readonly hasKmsKey: Decision
}

export const webRole = (scope: Construct, w: WebRoleProps) => {
  const role = functionRole(
    scope,
    "Role",
    "contact-form-backend: write its logs, read the captcha secrets, send mail (SMTP secret or SES), queue failed deliveries",
    w.logGroup
  )
  grantSecretsRead(role, resourcesOf(webSecrets(scope, w.props, w.forms)))
  grantDelivery(role, w.props.mail, w.transport, w.channels)
  const kmsKeyArn = w.props.secrets?.kmsKeyArn
  const decrypt = grantKmsDecrypt(scope, "SecretsKeyDecrypt", role, kmsKeyArn, w.hasKmsKey)
  // SendMessage alone, not grantSendMessages: that adds GetQueueAttributes and
  // GetQueueUrl, which the application never calls (it is given the URL).
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: "QueueFailedDeliveries",
      actions: ["sqs:SendMessage"],
      resources: [w.queue.queueArn]
    })
  )
  return { role, decrypt }
}
