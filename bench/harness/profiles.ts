// The network profiles the peers (bench/peers.ts) are started with, the same for every
// variant. loopback: the peers answer at once on 127.0.0.1, so a figure shows what our code
// costs. realistic: what a Lambda in the relay's region meets (issue 16), so a figure shows
// what a visitor waits for: a latency proxy (harness/latency-proxy.ts) in front of each peer,
// and each peer's think time before the answers that do work.
//
// Secrets Manager and SES v2 are in-region AWS APIs: a short round trip that includes an
// allowance for TLS (the fakes speak plain HTTP). SES's think time is the relay's end of
// DATA: it accepts the same message. The captcha API is across the internet; a submission
// comes minutes after the last, so no keep-alive connection to it survives (Connection:
// close). The relay speaks real STARTTLS and AUTH, so those round trips are paid on the wire,
// and it ends the session after each mail, so no SMTP session outlives a submission.
//
// DynamoDB (the shared store, STORE_TABLE) is an in-region AWS API too, which AWS sells as
// single-digit milliseconds per request. A small conditional PutItem or a consistent GetItem
// typically takes 2–5 ms on DynamoDB's side (its CloudWatch SuccessfulRequestLatency), so the
// fake thinks 4 ms before each answer; a round trip within a region is 1–2 ms, so 2 ms: about
// 6 ms a call as a Lambda sees it. The SDK keeps its connection alive, as with Secrets Manager
// and SES; unlike theirs, this round trip has no TLS allowance, so a cold process' first
// store call is a round trip or two short of a real one (2–4 ms), later calls are not.

export const profileNames = ["loopback", "realistic"] as const
export type ProfileName = (typeof profileNames)[number]

export interface Profile {
  readonly name: ProfileName
  /** rttMs 0: the app reaches the peer directly, without a proxy. */
  readonly secretsManager: { readonly rttMs: number; readonly getSecretValueMs: number }
  readonly ses: { readonly rttMs: number; readonly sendEmailMs: number }
  /** The store's table (STORE_TABLE): the think time before each answer. */
  readonly dynamodb: { readonly rttMs: number; readonly requestMs: number }
  readonly captcha: {
    readonly rttMs: number
    readonly verifyMs: number
    /** Answers with `Connection: close`: every verification opens its own connection. */
    readonly connectionClose: boolean
  }
  readonly smtp: {
    readonly rttMs: number
    /** Before the reply that accepts the credentials. */
    readonly authMs: number
    /** Before the reply to the end of DATA (the relay takes the message). */
    readonly endOfDataMs: number
    /** Ends the session after the reply to the end of DATA. */
    readonly closeAfterMail: boolean
  }
}

export const profiles: Readonly<Record<ProfileName, Profile>> = {
  loopback: {
    name: "loopback",
    secretsManager: { rttMs: 0, getSecretValueMs: 0 },
    ses: { rttMs: 0, sendEmailMs: 0 },
    dynamodb: { rttMs: 0, requestMs: 0 },
    captcha: { rttMs: 0, verifyMs: 0, connectionClose: false },
    smtp: { rttMs: 0, authMs: 0, endOfDataMs: 0, closeAfterMail: false }
  },
  realistic: {
    name: "realistic",
    secretsManager: { rttMs: 4, getSecretValueMs: 15 },
    ses: { rttMs: 4, sendEmailMs: 60 },
    dynamodb: { rttMs: 2, requestMs: 4 },
    captcha: { rttMs: 40, verifyMs: 25, connectionClose: true },
    smtp: { rttMs: 2, authMs: 20, endOfDataMs: 60, closeAfterMail: true }
  }
}
