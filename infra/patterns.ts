// The shapes of settings, in one place: the stack's parameters take them as AllowedPattern
// (with `^$|` for an optional one), and the construct checks its props against the same
// regular expressions at synth time (infra/validate.ts).

export const URL = "^https?://\\S+$"
// Channel receivers: https only on Lambda (plain http to loopback is for local tests).
export const HTTPS_URL = "^https://\\S+$"
export const EMAIL = "^[^@\\s]+@[^@\\s]+$"
export const SMTP_URL = "^smtps?://\\S+$"
export const ORIGIN = "^https?://[^/\\s]+$"
export const FORM_ID = "^[a-z0-9-]{1,40}$"

// Secrets Manager names: letters, digits and /_+=.@- . Not an ARN: the policy appends the
// six-character suffix wildcard to the name itself. Not empty either, and never `*` nor
// `?`: a name ends up in an IAM resource ARN, where they are wildcards.
export const SECRET_NAME_CHARACTERS = "[A-Za-z0-9/_+=.@-]"
export const SECRET_NAME = `^${SECRET_NAME_CHARACTERS}{1,512}$`

// A domain (example.com, mail.example.com) or an address of one (noreply@example.com), as
// SES names identities. Never `*` nor `?`: the value ends up in an IAM resource ARN, where
// they are wildcards and would let the role send as every identity of the account.
export const SES_IDENTITY =
  "^([A-Za-z0-9!#$%&'+/=^_{|}~.-]+@)?([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\\.)+[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$"
// What SES accepts as a configuration set's name.
export const CONFIGURATION_SET = "^[A-Za-z0-9_-]{1,64}$"
export const KMS_KEY_ARN = "^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$"
// What CloudWatch Logs takes as a log group's name.
export const LOG_GROUP_NAME = "^[A-Za-z0-9_/.#-]{1,500}$"

// The values CloudWatch Logs accepts for RetentionInDays.
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653
] as const

/** `pattern` or empty: an optional parameter. */
export const orEmpty = (pattern: string) => `^$|${pattern}`

export const matches = (pattern: string, value: string) => new RegExp(pattern).test(value)
