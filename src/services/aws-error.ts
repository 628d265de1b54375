/**
 * What an AWS SDK call's failure says about the request (contract §7a): whether the
 * service answered it (an HTTP status: whatever it said, it did nothing we asked), whether
 * it never left (no connection opened: nothing done either), or neither (it may have been
 * done). SES's and SQS's classifications both start here.
 */
export interface AwsFailure {
  readonly name: string
  /** The service's HTTP status, when it answered. */
  readonly status: number | undefined
  /** No connection was opened: the request never reached the service. */
  readonly neverLeft: boolean
  /** The connection dropped (rather than a wait running out). */
  readonly dropped: boolean
}

interface SdkError {
  readonly name?: string
  readonly code?: string
  readonly message?: string
  readonly $metadata?: { readonly httpStatusCode?: number }
}

const notConnected = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH"
])

export const awsFailure = (error: unknown): AwsFailure => {
  const {
    $metadata,
    code = "",
    message = "",
    name = ""
  } = typeof error === "object" && error !== null ? (error as SdkError) : {}
  return {
    name,
    status: $metadata?.httpStatusCode,
    // The SDK's own words for a connection not opened within its connection timeout.
    neverLeft: notConnected.has(code) || /establish a connection/.test(message),
    // The SDK names a reset connection a TimeoutError too: its code tells them apart.
    dropped: code === "ECONNRESET" || code === "EPIPE"
  }
}
