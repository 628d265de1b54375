// The spam judgement's settings as the deployment sees them (contract §12): the policies a
// form may have and the threshold's bounds, from the application's own table, so that the
// parameters allow exactly what SPAM_POLICY and SPAM_THRESHOLD (and a form's spamPolicy and
// spamThreshold) accept.
import { type SpamPolicy, spamPolicies, spamThreshold } from "../src/domain/spam-policies.js"

export { type SpamPolicy, spamPolicies }

export const DEFAULT_SPAM_POLICY: SpamPolicy = "mark"

export const SPAM_THRESHOLD = spamThreshold

// What the parameter accepts: a whole number from 1 to 100, leading zeros allowed, as the
// application's whole-number reader takes it.
export const SPAM_THRESHOLD_PATTERN = "^0*([1-9]|[1-9][0-9]|100)$"
