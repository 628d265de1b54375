// The contact-form backend on AWS: one Lambda function (the zip `npm run build` produced
// and the tests exercised, deployed as is) behind an HTTP API, with its log group, its
// two secrets and two alarms. Deploy-time settings are CloudFormation parameters
// (infra/parameters.ts), so the template is environment-agnostic.
import { isAbsolute } from "node:path"
import {
  ArnFormat,
  Aws,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps
} from "aws-cdk-lib"
import { HttpApi, HttpMethod, PayloadFormatVersion } from "aws-cdk-lib/aws-apigatewayv2"
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations"
import * as iam from "aws-cdk-lib/aws-iam"
import * as lambda from "aws-cdk-lib/aws-lambda"
import * as logs from "aws-cdk-lib/aws-logs"
import type { Construct } from "constructs"
import { addAlarms } from "./alarms.js"
import { declareParameters, type Parameters } from "./parameters.js"

export interface ContactFormStackProps extends StackProps {
  /** Absolute path of the Lambda zip (`dist/lambda.zip`); deployed as is, never rebundled. */
  readonly codePath: string
}

// The application's own time limits (SPEC sections 4 and 5), set explicitly in the
// environment so that the function timeout is derived from the values actually in force.
export const APP_TIMEOUTS_MS = {
  CAPTCHA_TIMEOUT_MS: 4_000,
  SECRETS_TIMEOUT_MS: 3_000,
  MAIL_TIMEOUT_MS: 10_000
} as const

// Worst case of one submission, each step at its own limit, in the order the program
// runs: captcha secret (3 s) + captcha verification (4 s) + SMTP secret (3 s) + delivery
// (10 s) + the SMTP secret again after a 535 (3 s) = 23 s, plus 2 s to render, log and
// return = 25 s. (src/program.ts currently counts both SMTP secret fetches inside the
// delivery's 10 s, a 17 s worst case; budgeting every step keeps this right if it moves.)
// The function must outlive the application's own limits, so that a slow peer ends in
// the application's 500 page with the fallback contact, never in a Lambda timeout (which
// API Gateway turns into a bare `{"message":"Internal Server Error"}`). And it must stay
// below API Gateway's 29 s integration timeout, or the visitor gets its timeout error.
const { CAPTCHA_TIMEOUT_MS, SECRETS_TIMEOUT_MS, MAIL_TIMEOUT_MS } = APP_TIMEOUTS_MS
const FUNCTION_TIMEOUT_MS =
  SECRETS_TIMEOUT_MS +
  CAPTCHA_TIMEOUT_MS +
  SECRETS_TIMEOUT_MS +
  MAIL_TIMEOUT_MS +
  SECRETS_TIMEOUT_MS +
  2_000
const API_GATEWAY_INTEGRATION_LIMIT_MS = 29_000

// 512 MB: the work is mostly waiting on the network, but CPU scales with memory (1,769 MB
// = one vCPU) and two phases are CPU-bound: the cold start, which Lambda bills since
// August 2025 (importing the 1.2 MB bundle takes ~200 ms on a full core, so ~0.6 s at
// 512 MB and over 2 s at 128 MB), and the TLS handshakes to the captcha API, Secrets
// Manager and SMTP. A visitor waits for both; the cost difference is cents (README, "What it costs").
const MEMORY_MB = 512

export class ContactFormStack extends Stack {
  constructor(scope: Construct, id: string, props: ContactFormStackProps) {
    super(scope, id, props)
    if (!isAbsolute(props.codePath) || !props.codePath.endsWith(".zip")) {
      throw new Error(`codePath must be the absolute path of a .zip, got ${props.codePath}`)
    }
    if (FUNCTION_TIMEOUT_MS >= API_GATEWAY_INTEGRATION_LIMIT_MS) {
      throw new Error(`function timeout ${FUNCTION_TIMEOUT_MS} ms must stay below 29 s`)
    }
    const p = declareParameters(this)

    // Named after the stack so that `aws logs tail` can be written down before deploying;
    // destroyed with the stack, or a re-created stack would fail on the existing name.
    const logGroup = new logs.LogGroup(this, "Logs", {
      logGroupName: `/aws/lambda/${Aws.STACK_NAME}`,
      retention: p.logRetentionDays.valueAsNumber,
      removalPolicy: RemovalPolicy.DESTROY
    })

    // An explicit role instead of AWSLambdaBasicExecutionRole, whose logs statement is on `*`.
    const role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: "contact-form-backend: write its logs, read its two secrets"
    })
    logGroup.grantWrite(role)
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: "ReadContactFormSecrets",
        actions: ["secretsmanager:GetSecretValue"],
        resources: [
          secretArn(this, p.smtpSecretName.valueAsString),
          secretArn(this, p.captchaSecretName.valueAsString)
        ]
      })
    )
    grantKmsDecrypt(this, role, p)

    const handler = new lambda.Function(this, "Handler", {
      description: "contact-form-backend: POST /contact, captcha, SMTP",
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: "index.handler",
      code: lambda.Code.fromAsset(props.codePath),
      memorySize: MEMORY_MB,
      timeout: Duration.millis(FUNCTION_TIMEOUT_MS),
      role,
      logGroup,
      environment: environmentOf(p)
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
    // rather than API Gateway's bare 404. Nothing else is routed (not `/`, no `$default`):
    // the form posts to /contact, and scanners probing other paths never invoke Lambda.
    api.addRoutes({ path: "/contact", methods: [HttpMethod.POST], integration })
    api.addRoutes({ path: "/contact", methods: [HttpMethod.OPTIONS], integration })
    api.addRoutes({ path: "/contact", methods: [HttpMethod.ANY], integration })

    addAlarms(this, { handler, logGroup, parameters: p })

    const contactUrl = `${api.apiEndpoint}/contact`
    new CfnOutput(this, "ContactUrl", { description: "POST the form here", value: contactUrl })
    new CfnOutput(this, "FormSnippet", {
      description: "Opening tag of the HTML form",
      value: `<form action="${contactUrl}" method="post">`
    })
    new CfnOutput(this, "FunctionName", { value: handler.functionName })
    new CfnOutput(this, "LogGroupName", { value: logGroup.logGroupName })
  }
}

// A secret's ARN ends in "-" and six random characters. `?` matches exactly one
// character, so `<name>-??????` matches this secret and no other: a secret named
// `<name>-x` has the ARN `<name>-x-AbC123`, seven characters too long.
const secretArn = (stack: Stack, name: string) =>
  stack.formatArn({
    service: "secretsmanager",
    resource: "secret",
    resourceName: `${name}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME
  })

// Secrets encrypted with the AWS-managed key need no KMS permission; a customer-managed
// key does. The policy exists only when SecretsKmsKeyArn is set, and only for calls that
// Secrets Manager makes on the function's behalf.
const grantKmsDecrypt = (stack: Stack, role: iam.Role, p: Parameters) => {
  const policy = new iam.CfnPolicy(stack, "SecretsKeyDecrypt", {
    policyName: "decrypt-contact-form-secrets",
    roles: [role.roleName],
    policyDocument: new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          actions: ["kms:Decrypt"],
          resources: [p.secretsKmsKeyArn.valueAsString],
          conditions: {
            StringEquals: { "kms:ViaService": `secretsmanager.${Aws.REGION}.amazonaws.com` }
          }
        })
      ]
    })
  })
  policy.cfnOptions.condition = p.hasKmsKey
}

// Every SPEC section 6 variable that makes sense on Lambda. Not set: AWS_REGION (Lambda
// sets it), AWS_ENDPOINT_URL_SECRETS_MANAGER (tests only), SMTP_ALLOW_INSECURE (loopback
// relays only), SMTP_TLS_CA_FILE (would have to ship in the zip), PORT and HOST (server).
const environmentOf = (p: Parameters): Record<string, string> => ({
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
  ALLOWED_ORIGINS: p.allowedOrigins.valueAsString,
  CAPTCHA_PROVIDER: p.captchaProvider.valueAsString,
  CAPTCHA_VERIFY_URL: p.captchaVerifyUrl.valueAsString,
  SUBJECT_PREFIX: p.subjectPrefix.valueAsString,
  SMTP_URL: p.smtpUrl.valueAsString,
  SMTP_SECRET_ID: p.smtpSecretName.valueAsString,
  CAPTCHA_SECRET_ID: p.captchaSecretName.valueAsString,
  SECRETS_TTL_SECONDS: p.secretsTtlSeconds.valueAsString,
  MAX_BODY_BYTES: p.maxBodyBytes.valueAsString,
  LOG_LEVEL: p.logLevel.valueAsString,
  CAPTCHA_TIMEOUT_MS: String(CAPTCHA_TIMEOUT_MS),
  SECRETS_TIMEOUT_MS: String(SECRETS_TIMEOUT_MS),
  MAIL_TIMEOUT_MS: String(MAIL_TIMEOUT_MS)
})
