/**
 * docs/configuration.md's words for the queue, the store, the limits, the
 * channels, the server and AWS (catalog.ts). A new variable of these groups: its reader
 * where it belongs, then an entry here.
 */
import type { VariableDoc } from "./catalog"

export const deliveryVariables: Readonly<Record<string, VariableDoc>> = {
  QUEUE_URL: {
    group: "The queue",
    stack: "the FIFO queue's URL",
    meaning:
      "an SQS queue for failed deliveries ([contract §7](contract.md#7-nothing-lost-the-queue)); the server also consumes it"
  },
  QUEUE_CONSUMER: {
    group: "The queue",
    server: true,
    meaning: "with `QUEUE_URL`: `off` when another consumer (the Lambda's) has the queue"
  },
  QUEUE_TIMEOUT_MS: {
    group: "The queue",
    stack: "3000, fixed",
    meaning: "bounds one enqueue, its attempts included"
  },
  SPOOL_DIR: {
    group: "The queue",
    server: true,
    meaning:
      "instead of SQS: a directory for failed deliveries (not with `QUEUE_URL`; refused on Lambda)"
  },
  SPOOL_RETRY_SECONDS: {
    group: "The queue",
    server: true,
    meaning: "the spool's retry interval (each failing item waits twice as long, at most an hour)"
  },
  SPOOL_MAX_AGE_HOURS: {
    group: "The queue",
    server: true,
    meaning: "the age past which an item whose attempt fails goes to `dead/`"
  },
  SPOOL_DEAD_DAYS: {
    group: "The queue",
    server: true,
    meaning: "when `dead/` forgets an item"
  },
  UNKNOWN_RETRY_MINUTES: {
    group: "The queue",
    meaning:
      "how long a kept copy of an unknown outcome waits after that attempt ([contract §7a](contract.md#7a-outcomes-that-are-unknown))"
  },
  SUBMISSION_ID_KEY: {
    group: "The queue",
    unset: "a random key per process",
    stack: "the stack's own UUID",
    meaning:
      "the key of the submission ids: set the same on every process that shares a queue or a store"
  },
  STORE_TABLE: {
    group: "The shared store",
    unset: "none (this process' memory)",
    stack: "the table, with `Store=on` or ALTCHA",
    meaning:
      "the DynamoDB table (key `pk`, TTL `expiresAt`) of duplicates across processes and ALTCHA payloads ([contract §9](contract.md#9-duplicates-and-limits))"
  },
  STORE_TIMEOUT_MS: {
    group: "The shared store",
    stack: "500, fixed",
    meaning:
      "one store call's bound; past it the store is down (duplicates fail open, ALTCHA closed)"
  },
  STORE_CLAIM_SECONDS: {
    group: "The shared store",
    stack: "the web function's timeout (28)",
    meaning: "how long a duplicate claim holds"
  },
  STORE_WAIT_MS: {
    group: "The shared store",
    stack: "2000, fixed",
    meaning: "how long a repeat waits for its first request's answer on another process"
  },
  RATE_LIMIT_PER_MINUTE: {
    group: "Limits",
    unset: "`10` (the server in embedded mode: `0`)",
    stack: "`RateLimitPerMinute`",
    meaning: "POSTs one client address may send in any 60 seconds, per process; `0` = no limit"
  },
  TRUST_PROXY_HOPS: {
    group: "Limits",
    stack: "`TrustProxyHops`",
    meaning:
      "proxies in front that append the client to `X-Forwarded-For` (nginx, CloudFront); `0` = the peer is the client"
  },
  CHANNELS: {
    group: "Channels",
    unset: "`mail`",
    rule: "one line of comma-separated channels: `mail`, `webhook`, `slack`, `discord`, each once",
    meaning: "the form `default`'s channels, in order ([channels](channels.md))"
  },
  WEBHOOK_URL: {
    group: "Channels",
    rule: "an https URL (plain http to a loopback host with `CHANNEL_ALLOW_INSECURE`); required with `webhook`",
    meaning: "the webhook channel's receiver; redirects are never followed"
  },
  WEBHOOK_SECRET_ID: {
    group: "Channels",
    rule: "required with `webhook`",
    meaning: 'the secret `{"WEBHOOK_SECRET":"whsec_…"}` the webhook is signed with'
  },
  SLACK_SECRET_ID: {
    group: "Channels",
    rule: "required with `slack`",
    meaning: 'the secret `{"SLACK_WEBHOOK_URL"}`: the URL is the credential'
  },
  DISCORD_SECRET_ID: {
    group: "Channels",
    rule: "required with `discord`",
    meaning: 'the secret `{"DISCORD_WEBHOOK_URL"}`: the URL is the credential'
  },
  CHANNEL_ALLOW_INSECURE: {
    group: "Channels",
    meaning: "`true` permits plain `http` channel URLs to a loopback host (tests, local receivers)"
  },
  CHANNEL_TIMEOUT_MS: {
    group: "Channels",
    meaning: "each channel's own bound (mail keeps `MAIL_TIMEOUT_MS`)"
  },
  SPAM_POLICY: {
    group: "Spam",
    stack: "`SpamPolicy`",
    meaning:
      "what becomes of a submission judged spam: `mark` (delivered, marked), `drop` (answered as sent, not delivered) or `off` ([spam](spam.md))"
  },
  SPAM_THRESHOLD: {
    group: "Spam",
    stack: "`SpamThreshold`",
    meaning: "the score from which a submission is spam"
  },
  AKISMET_SECRET_ID: {
    group: "Spam",
    unset: "none: Akismet is not asked",
    stack: "`AkismetSecretName`",
    meaning:
      'the secret `{"AKISMET_API_KEY"}`; with it, the visitor\'s address, email and text go to Automattic ([spam](spam.md))'
  },
  AKISMET_URL: {
    group: "Spam",
    meaning: "Akismet's endpoint (tests point it at their peer)"
  },
  AKISMET_TIMEOUT_MS: {
    group: "Spam",
    stack: "1500, fixed",
    meaning:
      "bounds Akismet's `comment-check`, beside the captcha; past it Akismet counts as down and the judgement fails open, marked"
  },
  PORT: {
    group: "The server",
    meaning: "where the server listens (`0`: a free port the system picks)"
  },
  HOST: { group: "The server", meaning: "the address it listens on (`0.0.0.0` in the image)" },
  OUTBOX_DIR: { group: "The server", meaning: "embedded mode: where mails are saved" },
  MAX_CONNECTIONS: {
    group: "The server",
    meaning:
      "open connections at once ([server](server.md#slow-clients-and-connections)); beyond 16 per client address a new one is closed at once"
  },
  AWS_REGION: {
    group: "AWS",
    unset:
      "required to read a secret, for the default `SMTP_URL`, with `QUEUE_URL`, `STORE_TABLE` or `MAIL_TRANSPORT=ses` (Lambda sets it)",
    meaning: "region of Secrets Manager, SQS, SES, DynamoDB and the default SMTP host"
  },
  "AWS_ENDPOINT_URL_<SERVICE>": {
    group: "AWS",
    sdk: [
      "AWS_ENDPOINT_URL_SECRETS_MANAGER",
      "AWS_ENDPOINT_URL_SQS",
      "AWS_ENDPOINT_URL_SESV2",
      "AWS_ENDPOINT_URL_DYNAMODB"
    ],
    unset: "AWS",
    rule: "the AWS SDK's own",
    meaning: "the SDK's endpoint overrides (the tests point them at moto)"
  }
}
