// The contact-form backend on AWS: one Lambda function (the zip `npm run build` produced
// and the tests exercised, deployed as is) behind an HTTP API, with its log group, its
// secrets and its mail transport (SMTP or the SES API: infra/mail.ts); the queue it keeps
// failed deliveries in, its dead-letter queue and a second function from the same zip
// that redelivers them (infra/redelivery.ts); the shared store's DynamoDB table, when
// duplicates or ALTCHA need one (infra/store.ts); and the alarms (infra/alarms.ts).
// Deploy-time settings are CloudFormation parameters (infra/parameters.ts), so the
// template is environment-agnostic.
import { isAbsolute } from "node:path"
import AdmZip from "adm-zip"
import {
  Aws,
  CfnMapping,
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
  Token
} from "aws-cdk-lib"
import { HttpApi, HttpMethod, PayloadFormatVersion } from "aws-cdk-lib/aws-apigatewayv2"
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations"
import * as iam from "aws-cdk-lib/aws-iam"
import * as lambda from "aws-cdk-lib/aws-lambda"
import * as logs from "aws-cdk-lib/aws-logs"
import type * as sqs from "aws-cdk-lib/aws-sqs"
import type { Construct } from "constructs"
import { captchaProviderIds } from "../src/domain/captcha-providers.js"
import { widgetSnippet } from "../src/pages/widget.js"
import { addAlarms, METRICS_NAMESPACE } from "./alarms.js"
import { formsEnvironment } from "./forms.js"
import { grantMail, mailEnvironment } from "./mail.js"
import { declareParameters, type Parameters } from "./parameters.js"
import { functionRole, grantKmsDecrypt, grantSecretsRead, secretArn } from "./permissions.js"
import { addRedelivery, declareQueues } from "./redelivery.js"
import { addStore } from "./store.js"
import {
  API_GATEWAY_INTEGRATION_LIMIT_MS,
  APP_TIMEOUTS_MS,
  REPEAT_WORST_CASE_MS,
  WEB_TIMEOUT_MS
} from "./timeouts.js"

export interface ContactFormStackProps extends StackProps {
  /** Absolute path of the Lambda zip (`dist/lambda.zip`); deployed as is, never rebundled. */
  readonly codePath: string
}

// 512 MB: the work is mostly waiting on the network, but CPU scales with memory (1,769 MB
// = one vCPU) and two phases are CPU-bound: the cold start, which Lambda bills since
// August 2025 (importing the 661 KiB the bundle loads at start takes ~130 ms on a full
// core, so ~0.45 s at 512 MB and ~1.8 s at 128 MB), and the TLS handshakes to the captcha API, Secrets
// Manager and SMTP. A visitor waits for both; the cost difference is cents (README, "What it costs").
// The redelivery function gets the same: same bundle, same handshakes.
const MEMORY_MB = 512

export class ContactFormStack extends Stack {
  constructor(scope: Construct, id: string, props: ContactFormStackProps) {
    super(scope, id, props)
    if (!isAbsolute(props.codePath) || !props.codePath.endsWith(".zip")) {
      throw new Error(`codePath must be the absolute path of a .zip, got ${props.codePath}`)
    }
    if (WEB_TIMEOUT_MS >= API_GATEWAY_INTEGRATION_LIMIT_MS) {
      throw new Error(`function timeout ${WEB_TIMEOUT_MS} ms must stay below 29 s`)
    }
    if (REPEAT_WORST_CASE_MS > WEB_TIMEOUT_MS) {
      throw new Error(`a repeat's ${REPEAT_WORST_CASE_MS} ms must fit the function's timeout`)
    }
    const p = declareParameters(this, jsonFilesAtRoot(props.codePath))
    const { queue, deadLetters, legacy, legacyDeadLetters } = declareQueues(this)
    // One asset for both functions: the same zip, uploaded once.
    const code = lambda.Code.fromAsset(props.codePath)

    // Named after the stack so that `aws logs tail` can be written down before deploying;
    // destroyed with the stack, or a re-created stack would fail on the existing name.
    const logGroup = new logs.LogGroup(this, "Logs", {
      logGroupName: `/aws/lambda/${Aws.STACK_NAME}`,
      retention: p.logRetentionDays.valueAsNumber,
      removalPolicy: RemovalPolicy.DESTROY
    })

    const role = functionRole(
      this,
      "Role",
      "contact-form-backend: write its logs, read the captcha secrets, send mail (SMTP secret or SES), queue failed deliveries",
      logGroup
    )
    // The captcha secrets whatever the transport: the web function verifies every captcha,
    // with the deployment's secret or the one a form of Forms names (CaptchaSecretNames).
    grantSecretsRead(role, [
      secretArn(this, p.captchaSecretName.valueAsString),
      ...p.forms.captchaSecretArns
    ])
    grantMail(this, role, p)
    grantKmsDecrypt(this, "SecretsKeyDecrypt", role, p)
    // SendMessage alone, not grantSendMessages: that adds GetQueueAttributes and
    // GetQueueUrl, which the application never calls (it is given the URL).
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: "QueueFailedDeliveries",
        actions: ["sqs:SendMessage"],
        resources: [queue.queueArn]
      })
    )
    // The table and the web function's grant on it, when HasStore holds.
    const store = addStore(this, role, p.store)
    const environment = { ...environmentOf(p, queue), ...store.environment }

    const handler = new lambda.Function(this, "Handler", {
      description:
        "contact-form-backend: POST /contact and /f/<id> (GET their /altcha), captcha, mail",
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: "index.handler",
      code,
      memorySize: MEMORY_MB,
      timeout: Duration.millis(WEB_TIMEOUT_MS),
      role,
      logGroup,
      environment
    })

    const redelivery = addRedelivery(this, {
      code,
      memorySize: MEMORY_MB,
      environment,
      queue,
      drains: [legacy],
      parameters: p
    })

    // No `corsPreflight` here: API Gateway would answer OPTIONS itself and strip the
    // function's CORS headers, while the application implements ALLOWED_ORIGINS (SPEC 3).
    const api = new HttpApi(this, "Api", {
      description: "contact-form-backend",
      createDefaultStage: false
    })
    api.addStage("DefaultStage", {
      stageName: "$default",
      autoDeploy: true,
      throttle: {
        rateLimit: p.throttleRateLimit.valueAsNumber,
        burstLimit: p.throttleBurstLimit.valueAsNumber
      }
    })
    const integration = new HttpLambdaIntegration("Handler", handler, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0
    })
    // POST submits, OPTIONS is the CORS preflight. ANY sends the other methods to the
    // function too, so that `GET /contact` gets the application's 405 with `Allow`
    // rather than API Gateway's bare 404. The same three for `/f/{form}`, the forms of
    // FORMS (SPEC section 10): API Gateway hands the id over as `pathParameters.form`, and
    // an unknown id gets the application's 404. `{form}` matches one path segment only, so
    // `/f/a/b` is not routed. Nothing else is (not `/`, no `$default`): the forms post to
    // these paths, and scanners probing other paths never invoke Lambda.
    for (const path of ["/contact", "/f/{form}"]) {
      api.addRoutes({ path, methods: [HttpMethod.POST], integration })
      api.addRoutes({ path, methods: [HttpMethod.OPTIONS], integration })
      api.addRoutes({ path, methods: [HttpMethod.ANY], integration })
    }
    // ALTCHA's widget fetches its challenge with GET (contract §4), from another origin
    // with a preflight: the default form's at `/altcha`, a form of Forms' at
    // `/f/{form}/altcha`. The same three kinds of route, for the same reasons (ANY: the
    // application's 405 with `Allow: GET, OPTIONS`). Always routed, whatever
    // CaptchaProvider: a form of Forms may name altcha, and a form without it gets the
    // application's 404.
    for (const path of ["/altcha", "/f/{form}/altcha"]) {
      api.addRoutes({ path, methods: [HttpMethod.GET], integration })
      api.addRoutes({ path, methods: [HttpMethod.OPTIONS], integration })
      api.addRoutes({ path, methods: [HttpMethod.ANY], integration })
    }

    addAlarms(this, {
      handler,
      redelivery: redelivery.fn,
      queue,
      deadLetters,
      legacyDeadLetters,
      parameters: p
    })

    const contactUrl = `${api.apiEndpoint}/contact`
    new CfnOutput(this, "ContactUrl", { description: "POST the form here", value: contactUrl })
    // The form's opening tag, then the widget of the chosen provider (its scripts and its
    // element, the sitekey to fill in): the provider table's markup, one entry per provider.
    const widgets = new CfnMapping(this, "CaptchaWidgets", {
      mapping: Object.fromEntries(
        captchaProviderIds.map((provider) => [provider, { Markup: widgetSnippet(provider) }])
      )
    })
    // ALTCHA's element carries this API's challenge URL instead of a sitekey, and a
    // mapping holds no token: its snippet is built here, chosen by IsAltcha. (Its mapping
    // entry, with a placeholder URL, is never chosen; it stays so that FindInMap has an
    // entry for every value CaptchaProvider allows.)
    const formTag = `<form action="${contactUrl}" method="post">`
    const altchaSnippet = Fn.join("", [
      formTag,
      widgetSnippet("altcha", { sitekey: "", challengeUrl: `${api.apiEndpoint}/altcha` })
    ])
    const mappedSnippet = Fn.join("", [
      formTag,
      widgets.findInMap(p.captchaProvider.valueAsString, "Markup")
    ])
    new CfnOutput(this, "FormSnippet", {
      description:
        "The HTML form's opening tag and the captcha widget (replace YOUR_SITEKEY; with altcha, serve the widget's altcha.js from the site)",
      value: Token.asString(
        Fn.conditionIf(p.store.isAltcha.logicalId, altchaSnippet, mappedSnippet)
      )
    })
    // `<id>` is a placeholder: CloudFormation cannot list the ids, which live in the
    // Forms JSON (or the FormsFile), not in the template.
    new CfnOutput(this, "FormUrl", {
      description: "POST the form <id> of Forms here (replace <id>)",
      value: `${api.apiEndpoint}/f/<id>`
    })
    new CfnOutput(this, "FunctionName", { value: handler.functionName })
    new CfnOutput(this, "LogGroupName", { value: logGroup.logGroupName })
    // What the owner's runbook (README) needs: the queues to look into and redrive, and
    // where the redelivery function logs.
    new CfnOutput(this, "QueueUrl", { value: queue.queueUrl })
    new CfnOutput(this, "QueueArn", { value: queue.queueArn })
    new CfnOutput(this, "DeadLetterQueueUrl", { value: deadLetters.queueUrl })
    new CfnOutput(this, "DeadLetterQueueArn", { value: deadLetters.queueArn })
    // The standard pair of earlier versions, to drain and then remove (README, "Upgrading").
    new CfnOutput(this, "LegacyQueueUrl", { value: legacy.queueUrl })
    new CfnOutput(this, "LegacyDeadLetterQueueUrl", { value: legacyDeadLetters.queueUrl })
    new CfnOutput(this, "LegacyDeadLetterQueueArn", { value: legacyDeadLetters.queueArn })
    new CfnOutput(this, "RedeliveryFunctionName", { value: redelivery.fn.functionName })
    new CfnOutput(this, "RedeliveryLogGroupName", { value: redelivery.logGroup.logGroupName })
  }
}

// The files `npm run build -- --forms` put beside index.mjs, read from the zip itself so
// that FormsFile can only name one the deployed code carries.
const jsonFilesAtRoot = (zipPath: string): string[] =>
  new AdmZip(zipPath)
    .getEntries()
    .map((entry) => entry.entryName)
    .filter((name) => !name.includes("/") && name.endsWith(".json"))
    .sort()

// Every SPEC section 6, 7, 8, 9 and 10 variable that makes sense on Lambda, the same for both
// functions: one configuration, decoded and checked the same way at either's cold start.
// Not set: AWS_REGION (Lambda sets it), AWS_ENDPOINT_URL_* (tests only),
// SMTP_ALLOW_INSECURE (loopback relays only), SMTP_TLS_CA_FILE (would have to ship in the
// zip), PORT, HOST, SPOOL_DIR and QUEUE_CONSUMER (server only).
const environmentOf = (p: Parameters, queue: sqs.IQueue): Record<string, string> => ({
  MAIL_FROM: p.mailFrom.valueAsString,
  MAIL_TO: p.mailTo.valueAsString,
  SUCCESS_URL: p.successUrl.valueAsString,
  SUCCESS_URL_DE: p.successUrlDe.valueAsString,
  SUCCESS_URL_FR: p.successUrlFr.valueAsString,
  SUCCESS_URL_ES: p.successUrlEs.valueAsString,
  SUCCESS_URL_IT: p.successUrlIt.valueAsString,
  SUCCESS_URL_NL: p.successUrlNl.valueAsString,
  SUCCESS_URL_PT: p.successUrlPt.valueAsString,
  SUCCESS_URL_PL: p.successUrlPl.valueAsString,
  FALLBACK_EMAIL: p.fallbackEmail.valueAsString,
  FALLBACK_PHONE: p.fallbackPhone.valueAsString,
  ...formsEnvironment(p.forms),
  ALLOWED_ORIGINS: p.allowedOrigins.valueAsString,
  CAPTCHA_PROVIDER: p.captchaProvider.valueAsString,
  CAPTCHA_VERIFY_URL: p.captchaVerifyUrl.valueAsString,
  SUBJECT_PREFIX: p.subjectPrefix.valueAsString,
  ...mailEnvironment(p),
  CAPTCHA_SECRET_ID: p.captchaSecretName.valueAsString,
  SECRETS_TTL_SECONDS: p.secretsTtlSeconds.valueAsString,
  MAX_BODY_BYTES: p.maxBodyBytes.valueAsString,
  RATE_LIMIT_PER_MINUTE: p.rateLimitPerMinute.valueAsString,
  TRUST_PROXY_HOPS: p.trustProxyHops.valueAsString,
  LOG_LEVEL: p.logLevel.valueAsString,
  QUEUE_URL: queue.queueUrl,
  METRICS_NAMESPACE,
  // The key of submission ids (SPEC section 7a): the same on every environment of both
  // functions, so one submission has one id; the random UUID in the stack's id, kept for
  // the stack's life, never in a log and unknown to visitors.
  SUBMISSION_ID_KEY: Fn.select(2, Fn.split("/", Aws.STACK_ID)),
  ...Object.fromEntries(Object.entries(APP_TIMEOUTS_MS).map(([name, ms]) => [name, String(ms)]))
})
