import { writeSync } from "node:fs"

// The valid submission every variant answers in every figure: the SPEC's example visitor,
// urlencoded like a browser form, wrapped in an API Gateway HTTP API 2.0 event with a base64
// body. HTML mode, so our build and the plain baseline answer 303. Submission n carries its
// own captcha token: a FriendlyCaptcha token is single-use, and the app answers the same
// form with the same token within 10 minutes as a duplicate without sending (SPEC section 9),
// a path no figure means to measure. The bench's captcha peers accept any token.
export const captchaToken = (n) => `bench-captcha-${n}`

// The form field of the token: FriendlyCaptcha's, or the provider's of the variant measured
// (BENCH_TOKEN_FIELD, set by the harness for `ours-turnstile`).
const tokenField = process.env.BENCH_TOKEN_FIELD ?? "frc-captcha-response"

export const formBody = (n) =>
  new URLSearchParams([
    ["name", "Müller, Anna"],
    ["email", "anna@example.org"],
    ["subject", "Question about pricing"],
    ["body", "Hello,\r\n\r\nhow much does the yearly plan cost for a team of five?\r\n\r\nAnna"],
    ["language", "en"],
    ["phone", "555-0100"],
    [tokenField, captchaToken(n)],
    ["_gotcha", ""]
  ]).toString()

export const formHeaders = {
  "content-type": "application/x-www-form-urlencoded",
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "accept-language": "en-GB,en;q=0.9",
  origin: "https://www.example.com",
  "user-agent": "Mozilla/5.0 (bench)"
}

export const httpApiEvent = (n) => {
  const body = formBody(n)
  return {
    version: "2.0",
    routeKey: "POST /contact",
    rawPath: "/contact",
    rawQueryString: "",
    headers: {
      ...formHeaders,
      "content-length": String(Buffer.byteLength(body)),
      host: "abc123.execute-api.us-east-1.amazonaws.com",
      "x-forwarded-for": "203.0.113.7",
      "x-forwarded-proto": "https"
    },
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123",
      domainName: "abc123.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "abc123",
      http: {
        method: "POST",
        path: "/contact",
        protocol: "HTTP/1.1",
        sourceIp: "203.0.113.7",
        userAgent: "Mozilla/5.0 (bench)"
      },
      requestId: `bench-${n}`,
      routeKey: "POST /contact",
      stage: "$default",
      time: "27/Nov/2026:12:00:00 +0000",
      timeEpoch: 1795780800000
    },
    body: Buffer.from(body, "utf8").toString("base64"),
    isBase64Encoded: true
  }
}

// 303 for the contact form in HTML mode (200 in JSON mode); the bare floor answers 200.
export const isSuccess = (result) =>
  result !== null &&
  typeof result === "object" &&
  (result.statusCode === 303 || result.statusCode === 200)

// Children report on fd 3 so that the handlers' log lines (stdout) never mix with results.
export const report = (fields) => writeSync(3, `${JSON.stringify(fields)}\n`)
