import { closeSync, fstatSync, openSync, readSync, writeFileSync, writeSync } from "node:fs"

// The valid submission every variant answers in every figure: the the contract's example visitor,
// urlencoded like a browser form, wrapped in an API Gateway HTTP API 2.0 event with a base64
// body. HTML mode, so our build and the plain baseline answer 303. Submission n carries its
// own captcha token: a FriendlyCaptcha token is single-use, and the app answers the same
// form with the same token within 10 minutes as a duplicate without sending (contract §9),
// a path no figure means to measure. The bench's captcha peers accept any token.
//
// Submission n of a process is submission BENCH_FIRST_SUBMISSION + n of the run: the harness
// gives each process its own range, so no token repeats within a run, not even across
// processes, which the store variants' table (shared by every process of a run) would
// otherwise answer as duplicates.
const firstSubmission = Number(process.env.BENCH_FIRST_SUBMISSION ?? "0")

// The form field of the token: FriendlyCaptcha's, or the provider's of the variant measured
// (BENCH_TOKEN_FIELD, set by the harness for `ours-turnstile` and the ALTCHA variants).
const tokenField = process.env.BENCH_TOKEN_FIELD ?? "frc-captcha-response"

// ALTCHA's payloads are solved by the harness before the timed rounds (harness/altcha.ts),
// never by a measured process, and each is good for one submission: the app refuses a
// replay (409). They are kept one per line of a JSON array whose lines all have
// altchaLineBytes bytes (padded with spaces), so that a process reads just its own payloads,
// lines BENCH_ALTCHA_FIRST to BENCH_ALTCHA_FIRST + BENCH_ALTCHA_COUNT - 1 of the file
// BENCH_ALTCHA_PAYLOADS, at import, by their offsets: the cost is the same however many a
// run solved, and it falls before the import and the first call are timed.
export const altchaLineBytes = 1024

/** Writes `payloads` (base64 strings) as the file that altchaPayloadsOf reads. */
export const writeAltchaPayloads = (file, payloads) => {
  const line = (text) => {
    if (text.length >= altchaLineBytes) throw new Error(`an ALTCHA payload of ${text.length} bytes`)
    return `${text.padEnd(altchaLineBytes - 1)}\n`
  }
  const lines = payloads.map((p, i) =>
    line(`${JSON.stringify(p)}${i < payloads.length - 1 ? "," : ""}`)
  )
  writeFileSync(file, [line("["), ...lines, line("]")].join(""))
}

/** Payloads first … first + count - 1 of the file (line 0 is the array's "["). */
export const altchaPayloadsOf = (file, first, count) => {
  const fd = openSync(file, "r")
  try {
    const held = fstatSync(fd).size / altchaLineBytes - 2
    if (!(first >= 0 && count >= 0 && first + count <= held))
      throw new Error(`ALTCHA payloads ${first}–${first + count - 1} asked of ${held} in ${file}`)
    const bytes = Buffer.alloc(count * altchaLineBytes)
    readSync(fd, bytes, 0, bytes.length, (first + 1) * altchaLineBytes)
    return Array.from({ length: count }, (_, i) =>
      JSON.parse(
        bytes
          .toString("latin1", i * altchaLineBytes, (i + 1) * altchaLineBytes)
          .trim()
          .replace(/,$/, "")
      )
    )
  } finally {
    closeSync(fd)
  }
}

const altchaPayloads =
  tokenField === "altcha"
    ? altchaPayloadsOf(
        process.env.BENCH_ALTCHA_PAYLOADS ?? "(BENCH_ALTCHA_PAYLOADS unset)",
        Number(process.env.BENCH_ALTCHA_FIRST),
        Number(process.env.BENCH_ALTCHA_COUNT)
      )
    : undefined

export const captchaToken = (n) => {
  if (altchaPayloads === undefined) return `bench-captcha-${firstSubmission + n}`
  const payload = altchaPayloads[n]
  if (payload === undefined)
    throw new Error(`no ALTCHA payload for submission ${n}: ${altchaPayloads.length} were given`)
  return payload
}

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
      requestId: `bench-${firstSubmission + n}`,
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
