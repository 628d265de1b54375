/** The issue codes of the form's rules: one list, so that a new code is known everywhere. */

/** Every way a field can be wrong; the words for each are in src/pages/, per language. */
export const issueCodes = [
  "required",
  "blank",
  "too_long",
  "invalid_email",
  "not_one_line",
  "control_characters",
  "invalid_characters",
  "duplicate",
  "alias_conflict",
  "too_many_fields",
  "bad_field_name",
  "not_text",
  "unreadable"
] as const

export type IssueCode = (typeof issueCodes)[number]

export const isIssueCode = (value: string): value is IssueCode =>
  (issueCodes as ReadonlyArray<string>).includes(value)

export interface FieldIssue {
  /** The field name as sent, or `_body` for the body as a whole. */
  readonly field: string
  readonly code: IssueCode
  /** The limit, for `too_long` and `too_many_fields`. */
  readonly max?: number
}
