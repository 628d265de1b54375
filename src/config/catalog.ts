/**
 * What docs/configuration.md says of each variable beyond what its reader knows. The reader
 * (readers.ts, `readerCatalog`) gives the name, what an unset variable reads as and the rule;
 * this gives the meaning, and where the reader cannot tell: which runtime uses it, what the
 * stack sets, what "unset" means when the code fills it in. `npm run docs` fails when a
 * variable the readers read has no entry (catalog-forms.ts, catalog-delivery.ts), or an entry
 * names no variable they read. Nothing in the bundles imports these files.
 */
export type VariableGroup =
  | "Forms and mail"
  | "Captcha"
  | "Mail transport and secrets"
  | "The queue"
  | "The shared store"
  | "Limits"
  | "Channels"
  | "Spam"
  | "The server"
  | "AWS"

export interface VariableDoc {
  readonly group: VariableGroup
  /** One or two sentences of Markdown; links are relative to docs/. */
  readonly meaning: string
  /** Only the server uses it (the Lambda handler reads it, if at all, to refuse it). */
  readonly server?: true
  /** What the stack sets: its parameter (`MailFrom`), or the value it fixes. */
  readonly stack?: string
  /** What unset means, where the reader's own default says less (a value the code computes). */
  readonly unset?: string
  /** The rule, where the reader's own message says less (or there is no reader): replaces it. */
  readonly rule?: string
  /** A family of variables (`SUCCESS_URL_<LANG>`): every name it covers. */
  readonly family?: RegExp
  /** Read by the AWS SDK, not by our readers: these names. */
  readonly sdk?: ReadonlyArray<string>
}

/** A setting of one form in FORMS (contract §10). */
export interface FormSettingDoc {
  /** What a form that leaves it out gets. */
  readonly unset: string
  readonly meaning: string
}

export const formSettingDocs: Readonly<Record<string, FormSettingDoc>> = {
  to: { unset: "required", meaning: "the owner(s): `Name <addr>`, comma-separated allowed" },
  successUrl: { unset: "required", meaning: "the 303 target of an HTML submission" },
  successUrls: {
    unset: "`successUrl`",
    meaning: 'one per language: `{"de": "https://…/danke"}` (only the eight tags)'
  },
  fallbackEmail: { unset: "required", meaning: "the contact of every error page of this form" },
  fallbackPhone: { unset: "none", meaning: "also offered on every error page" },
  origins: {
    unset: "`ALLOWED_ORIGINS`",
    meaning: "this form's allowed origins, at least one; another form's origin gets 403 here"
  },
  subjectPrefix: { unset: "`SUBJECT_PREFIX`", meaning: "prefix of this form's subjects" },
  from: { unset: "`MAIL_FROM`", meaning: "the sender: an SES-verified identity" },
  captchaProvider: {
    unset: "`CAPTCHA_PROVIDER`",
    meaning: "this form's captcha: a Turnstile site and a FriendlyCaptcha site in one deployment"
  },
  captchaSecretId: {
    unset: "`CAPTCHA_SECRET_ID`",
    meaning: "the secret with this site's sitekey and its provider's key"
  },
  channels: {
    unset: "`CHANNELS`, else `mail`",
    meaning: "the form's channels in order ([channels](channels.md))"
  },
  webhookUrl: { unset: "`WEBHOOK_URL`", meaning: "the webhook channel's receiver (https)" },
  webhookSecretId: {
    unset: "`WEBHOOK_SECRET_ID`",
    meaning: 'the secret `{"WEBHOOK_SECRET":"whsec_…"}` the webhook is signed with'
  },
  slackSecretId: {
    unset: "`SLACK_SECRET_ID`",
    meaning: 'the secret `{"SLACK_WEBHOOK_URL"}`: the URL is the credential'
  },
  discordSecretId: {
    unset: "`DISCORD_SECRET_ID`",
    meaning: 'the secret `{"DISCORD_WEBHOOK_URL"}`: the URL is the credential'
  },
  spamPolicy: { unset: "`SPAM_POLICY`", meaning: "this form's spam policy ([spam](spam.md))" },
  spamThreshold: { unset: "`SPAM_THRESHOLD`", meaning: "this form's spam threshold (1 to 100)" }
}
