// The HTTP API in front of the web function: its routes (added to the construct's own API,
// or to the user's), the own API's stage with its throttling, and its access log, which
// keeps no visitor's address.
import { RemovalPolicy, Validations } from "aws-cdk-lib"
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway"
import {
  HttpApi,
  HttpMethod,
  type HttpRoute,
  type HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion
} from "aws-cdk-lib/aws-apigatewayv2"
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations"
import type * as lambda from "aws-cdk-lib/aws-lambda"
import * as logs from "aws-cdk-lib/aws-logs"
import type { Construct } from "constructs"
import type { ContactFormProps } from "./props.js"

// POST submits, OPTIONS is the CORS preflight. ANY sends the other methods to the function
// too, so that `GET /contact` gets the application's 405 with `Allow` rather than API
// Gateway's bare 404. The same three for `/f/{form}`, the forms of FORMS (contract §10): API
// Gateway hands the id over as `pathParameters.form`, and an unknown id gets the
// application's 404. `{form}` matches one path segment only, so `/f/a/b` is not routed.
// ALTCHA's widget fetches its challenge with GET (contract §4), from another origin with a
// preflight: the default form's at `/altcha`, a form of FORMS' at `/f/{form}/altcha`; always
// routed, whatever the provider: a form may name altcha, and a form without it gets the
// application's 404. Nothing else is (not `/`, no `$default`): the forms post to these
// paths, and scanners probing other paths never invoke Lambda.
export const ROUTES: ReadonlyArray<readonly [string, ReadonlyArray<HttpMethod>]> = [
  ["/contact", [HttpMethod.POST, HttpMethod.OPTIONS, HttpMethod.ANY]],
  ["/f/{form}", [HttpMethod.POST, HttpMethod.OPTIONS, HttpMethod.ANY]],
  ["/altcha", [HttpMethod.GET, HttpMethod.OPTIONS, HttpMethod.ANY]],
  ["/f/{form}/altcha", [HttpMethod.GET, HttpMethod.OPTIONS, HttpMethod.ANY]]
]

// A contact form is public by design: anybody may post it, without an account or a token
// an authorizer could check. What protects it: the captcha (or ALTCHA) on every
// submission, the honeypot and the spam judgement, the per-address rate limit in the
// application (contract §9), the stage's throttling, the body size limit, and CORS.
const PUBLIC_BY_DESIGN =
  "A contact form is public by design: visitors post it without an account, so there is nothing for an authorizer to check. It is protected by the captcha, the honeypot and spam judgement, the per-address rate limit of the application, the stage's throttling and its body size limit"

/** The routes to the web function, on `api`; one integration per API. */
export const addRoutes = (api: HttpApi, handler: lambda.IFunction): ReadonlyArray<HttpRoute> => {
  const integration = new HttpLambdaIntegration("Handler", handler, {
    payloadFormatVersion: PayloadFormatVersion.VERSION_2_0
  })
  const routes = ROUTES.flatMap(([path, methods]) =>
    methods.flatMap((method) => api.addRoutes({ path, methods: [method], integration }))
  )
  for (const route of routes) {
    Validations.of(route).acknowledge({ id: "AwsSolutions-APIG4", reason: PUBLIC_BY_DESIGN })
  }
  return routes
}

// One line per request, and nothing in it that identifies a visitor: no source IP (the
// contract keeps an address only for the rate limit's window), no user agent. Enough to see
// what happened to a request and to find the function's log line by its time.
const ACCESS_LOG_FORMAT = {
  requestId: "$context.requestId",
  time: "$context.requestTime",
  method: "$context.httpMethod",
  route: "$context.routeKey",
  path: "$context.path",
  status: "$context.status",
  responseLength: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  integrationStatus: "$context.integrationStatus",
  integrationLatencyMs: "$context.integrationLatency",
  integrationError: "$context.integrationErrorMessage",
  error: "$context.error.message"
}

export interface OwnApiProps {
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number }
  readonly retention: logs.RetentionDays
}

/** The construct's own API: one `$default` stage, throttled, with its access log. */
export const ownApi = (scope: Construct, { throttle, retention }: OwnApiProps) => {
  // No `corsPreflight` here: API Gateway would answer OPTIONS itself and strip the
  // function's CORS headers, while the application implements ALLOWED_ORIGINS (contract §3).
  const api = new HttpApi(scope, "Api", {
    description: "contact-form-backend",
    createDefaultStage: false
  })
  const accessLogs = new logs.LogGroup(scope, "ApiAccessLogs", {
    retention,
    removalPolicy: RemovalPolicy.DESTROY
  })
  const stage = api.addStage("DefaultStage", {
    stageName: "$default",
    autoDeploy: true,
    throttle: { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit },
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogs),
      format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT))
    }
  })
  return { api, stage, accessLogs }
}

const DEFAULT_THROTTLE = { rateLimit: 5, burstLimit: 10 }

/** The user's API (nothing made: its stages, throttling and logs are the user's), or our own. */
export const apiOf = (
  scope: Construct,
  props: ContactFormProps["api"],
  retention: logs.RetentionDays
): { api: HttpApi; stage?: HttpStage; accessLogs?: logs.LogGroup } =>
  props?.httpApi === undefined
    ? ownApi(scope, { throttle: props?.throttle ?? DEFAULT_THROTTLE, retention })
    : { api: props.httpApi }
