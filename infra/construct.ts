// The contact-form backend as a construct: the web function (the zip `npm run build`
// produced and the tests exercised, deployed as is) behind an HTTP API, with its log group,
// its secrets and its delivery (mail by SMTP or the SES API, and the channels); the queue
// it keeps failed deliveries in, its dead-letter queue and a second function from the same
// zip that redelivers them (infra/redelivery.ts); the shared store's table when duplicates
// or ALTCHA need one (infra/store.ts); and the alarms (infra/alarms.ts). Its props are
// typed (infra/props.ts) and checked at synth time (infra/validate.ts); the stack of
// infra/stack.ts builds it from CloudFormation parameters.
import { Aws, Duration, RemovalPolicy } from "aws-cdk-lib"
import type * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2"
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb"
import * as lambda from "aws-cdk-lib/aws-lambda"
import * as logs from "aws-cdk-lib/aws-logs"
import type * as sns from "aws-cdk-lib/aws-sns"
import type * as sqs from "aws-cdk-lib/aws-sqs"
import { Construct } from "constructs"
import { alarmTopic } from "./alarm-topic.js"
import { addAlarms } from "./alarms.js"
import { addRoutes, apiOf } from "./api.js"
import { all, any, equals, given } from "./decision.js"
import { grantDelivery, transportOf } from "./delivery.js"
import { environmentOf } from "./environment.js"
import { channelSecrets } from "./grants.js"
import { grantKmsDecrypt, waitFor } from "./permissions.js"
import type { ContactFormProps } from "./props.js"
import { addRedelivery, declareQueues } from "./redelivery.js"
import { formSnippet } from "./snippet.js"
import { ALTCHA, addStore } from "./store.js"
import { checkBudget, WEB_TIMEOUT_MS } from "./timeouts.js"
import { validate } from "./validate.js"
import { valuesOf } from "./validate-forms.js"
import { webRole } from "./web-role.js"

// 512 MB: the work is mostly waiting on the network, but CPU scales with memory (1,769 MB
// = one vCPU) and two phases are CPU-bound: the cold start, which Lambda bills since
// August 2025 (importing the 661 KiB the bundle loads at start takes ~130 ms on a full
// core, so ~0.45 s at 512 MB and ~1.8 s at 128 MB), and the TLS handshakes to the captcha
// API, Secrets Manager and SMTP. A visitor waits for both; the cost difference is cents
// (docs/deploy.md, what it costs). The redelivery function gets the same: same bundle, same handshakes.
const MEMORY_MB = 512

// The application's defaults, and the construct's own.
const DEFAULT_CAPTCHA_PROVIDER = "friendlycaptcha-v2"
const DEFAULT_RETENTION = logs.RetentionDays.ONE_MONTH

export class ContactForm extends Construct {
  /** The HTTP API the routes are on: the construct's own, or the one given in `api.httpApi`. */
  readonly api: apigwv2.HttpApi
  /** The own API's `$default` stage (throttled, access-logged); none on a given API. */
  readonly stage: apigwv2.HttpStage | undefined
  /** The web function: POST /contact and /f/<id>, GET their /altcha. */
  readonly handler: lambda.Function
  /** The function SQS feeds the queued deliveries to. */
  readonly redelivery: lambda.Function
  readonly queue: sqs.Queue
  readonly deadLetterQueue: sqs.Queue
  /** With `legacyQueues`: the standard pair of earlier versions, retained and still drained. */
  readonly legacyQueue: sqs.Queue | undefined
  readonly legacyDeadLetterQueue: sqs.Queue | undefined
  readonly logGroup: logs.LogGroup
  readonly redeliveryLogGroup: logs.LogGroup
  readonly accessLogGroup: logs.LogGroup | undefined
  /** The topic the alarms notify; undefined when it exists only by a deploy-time condition. */
  readonly alarmTopic: sns.ITopic | undefined
  /** The shared store's table, when one is made (maybe under a deploy-time condition). */
  readonly table: dynamodb.CfnTable | undefined
  /** Where the default form posts, and where ALTCHA's widget asks for its challenge. */
  readonly contactUrl: string
  readonly challengeUrl: string
  /** The form's opening tag and the captcha widget, to paste into the site. */
  readonly formSnippet: string

  constructor(scope: Construct, id: string, props: ContactFormProps) {
    super(scope, id)
    const forms = validate(this.node.path, props)
    checkBudget()
    // Names of its own, so that two of them in one stack (or account) never meet.
    const name = id.replace(/[^A-Za-z0-9_.-]/g, "-")
    const retention = props.logs?.retention ?? DEFAULT_RETENTION
    const metricsNamespace = props.metricsNamespace ?? `ContactForm/${Aws.STACK_NAME}/${name}`
    const queues = declareQueues(this, props.legacyQueues ?? false)
    this.queue = queues.queue
    this.deadLetterQueue = queues.deadLetters
    this.legacyQueue = queues.legacy
    this.legacyDeadLetterQueue = queues.legacyDeadLetters
    // One asset for both functions: the same zip, uploaded once.
    const code = lambda.Code.fromAsset(props.codePath)

    // Named, so that `aws logs tail` can be written down before deploying; destroyed with
    // the stack, or a re-created stack would fail on the existing name.
    const logGroupName = props.logs?.groupName ?? `/aws/lambda/${Aws.STACK_NAME}-${name}`
    this.logGroup = new logs.LogGroup(this, "Logs", {
      logGroupName,
      retention,
      removalPolicy: RemovalPolicy.DESTROY
    })
    const transport = transportOf(this, props.mail)
    const channels = channelSecrets(this, props, forms)
    const kmsKeyArn = props.secrets?.kmsKeyArn
    const hasKmsKey = given(this, "HasSecretsKmsKey", kmsKeyArn)
    const { role, decrypt } = webRole(this, {
      props,
      forms,
      logGroup: this.logGroup,
      queue: this.queue,
      transport,
      channels,
      hasKmsKey
    })
    // The table (and the web function's grant on it) with `store`, or when ALTCHA needs it.
    const provider = props.captcha?.provider ?? DEFAULT_CAPTCHA_PROVIDER
    const isAltcha = equals(this, "IsAltcha", provider, ALTCHA)
    const formsUseAltcha = valuesOf(forms, "captchaProvider").includes(ALTCHA)
    const hasStore = any(this, "HasStore", [props.store ?? false, isAltcha, formsUseAltcha])
    const store = addStore(this, role, hasStore)
    this.table = store.table
    const environment = environmentOf(this, props, {
      transport,
      queueUrl: this.queue.queueUrl,
      metricsNamespace,
      store: store.environment
    })

    this.handler = new lambda.Function(this, "Handler", {
      description:
        "contact-form-backend: POST /contact and /f/<id> (GET their /altcha), captcha, mail",
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: "index.handler",
      code,
      memorySize: MEMORY_MB,
      timeout: Duration.millis(WEB_TIMEOUT_MS),
      role,
      logGroup: this.logGroup,
      environment
    })
    waitFor(this.handler, decrypt)

    // With ses and no channel secret it reads no secret at all, so it needs no key either.
    const redeliveryReads = any(this, "RedeliveryReadsSecrets", [transport.usesSmtp, channels.any])
    const redelivery = addRedelivery(this, {
      code,
      memorySize: MEMORY_MB,
      environment,
      queue: this.queue,
      drains: queues.legacy === undefined ? [] : [queues.legacy],
      logGroupName: `${logGroupName}-redeliver`,
      retention,
      grant: (redeliveryRole) => {
        grantDelivery(redeliveryRole, props.mail, transport, channels)
        return grantKmsDecrypt(
          this,
          "RedeliverySecretsKeyDecrypt",
          redeliveryRole,
          kmsKeyArn,
          all(this, "HasSecretsKmsKeyForRedelivery", [hasKmsKey, redeliveryReads])
        )
      }
    })
    this.redelivery = redelivery.fn
    this.redeliveryLogGroup = redelivery.logGroup

    const api = apiOf(this, props.api, retention)
    this.api = api.api
    this.stage = api.stage
    this.accessLogGroup = api.accessLogs
    addRoutes(this.api, this.handler)

    const topic = alarmTopic(this, props.alarms)
    this.alarmTopic = topic.topic
    addAlarms(this, {
      namespace: metricsNamespace,
      handler: this.handler,
      redelivery: this.redelivery,
      queue: this.queue,
      deadLetters: this.deadLetterQueue,
      legacyDeadLetters: this.legacyDeadLetterQueue,
      actions: topic.actions
    })

    this.contactUrl = `${this.api.apiEndpoint}/contact`
    this.challengeUrl = `${this.api.apiEndpoint}/altcha`
    this.formSnippet = formSnippet(this, {
      contactUrl: this.contactUrl,
      challengeUrl: this.challengeUrl,
      provider,
      isAltcha
    })
  }

  /** Where the form `id` of FORMS posts. */
  formUrl(id: string): string {
    return `${this.api.apiEndpoint}/f/${id}`
  }

  /** Adds the routes to another HTTP API too (its own integration, its own permissions). */
  addRoutesTo(api: apigwv2.HttpApi): ReadonlyArray<apigwv2.HttpRoute> {
    return addRoutes(api, this.handler)
  }
}
