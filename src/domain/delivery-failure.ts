/**
 * What a failed delivery says: its log reason, whether it needs the owner, and when it may
 * have delivered after all (contract §7, §7a, §8, §11).
 */
import type { DeliveryFailure } from "./errors"

/** The `reason` of a failed delivery, in the log line and in a queued item (contract §6, §7). */
export const deliveryReason = (failure: DeliveryFailure): string => {
  switch (failure._tag) {
    case "SecretUnavailable":
      return `secret_${failure.secret}_${failure.problem}`
    case "MailAuthRejected":
      return `smtp_auth_${failure.code}`
    case "MailRejected":
    case "MailUnavailable":
    case "MailUnknown":
    case "ChannelFailed":
      return failure.reason
  }
}

/**
 * contract §7 and §8: a permanent failure needs the owner (a refused message, refused
 * credentials, a missing or unreadable secret, a certificate that will fail the same way);
 * any other may pass by itself. Both are queued; only the visitor's answer differs.
 */
export const isPermanent = (failure: DeliveryFailure): boolean => {
  switch (failure._tag) {
    case "SecretUnavailable":
      return (
        failure.problem === "missing" ||
        failure.problem === "malformed" ||
        failure.problem === "denied"
      )
    case "MailAuthRejected":
    case "MailRejected":
      return true
    case "MailUnavailable":
      return failure.permanent === true
    case "MailUnknown":
      return false
    case "ChannelFailed":
      return failure.kind === "permanent"
  }
}

/** When the attempt that may have delivered passed its point of no return, if one did. */
export const unknownAt = (failure: DeliveryFailure): number | undefined =>
  failure._tag === "MailUnknown"
    ? failure.at
    : failure._tag === "ChannelFailed" && failure.kind === "unknown"
      ? failure.at
      : undefined
