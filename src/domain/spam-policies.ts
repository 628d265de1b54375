/**
 * What becomes of a submission judged spam (contract §12), and the threshold's bounds: one
 * table, read by the configuration and by the stack's parameters.
 */
export const spamPolicies = ["mark", "drop", "off"] as const

export type SpamPolicy = (typeof spamPolicies)[number]

/** The score from which a submission is spam: 5 unless a form or the deployment says. */
export const spamThreshold = { default: 5, min: 1, max: 100 } as const
