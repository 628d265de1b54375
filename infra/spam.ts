// The spam judgement's settings as the deployment sees them (contract §12): the policies a
// form may have and the threshold's bounds. The application reads SPAM_POLICY and
// SPAM_THRESHOLD (and a form's spamPolicy and spamThreshold) by the same rules; when its
// own table of policies lands in src/domain, this list should be read from there.

export const spamPolicies = ["mark", "drop", "off"] as const

export type SpamPolicy = (typeof spamPolicies)[number]

export const DEFAULT_SPAM_POLICY: SpamPolicy = "mark"

export const SPAM_THRESHOLD = { default: 5, min: 1, max: 100 } as const

// What the parameter accepts: a whole number from 1 to 100, leading zeros allowed, as the
// application's whole-number reader takes it.
export const SPAM_THRESHOLD_PATTERN = "^0*([1-9]|[1-9][0-9]|100)$"
