// Every time limit of the deployment, and what is derived from it, in one place: the
// application's own limits (set explicitly in the environment, so that the functions'
// timeouts are computed from the values actually in force), the two function timeouts,
// and the queue's visibility timeout and receive count.

// contract §4, §5 and §7, the shared store (contract §9), the channels (§11) and spam (§12).
export const APP_TIMEOUTS_MS = {
  CAPTCHA_TIMEOUT_MS: 4_000,
  SECRETS_TIMEOUT_MS: 3_000,
  MAIL_TIMEOUT_MS: 10_000,
  // One channel's delivery (webhook, Slack, Discord), every attempt and every part of a
  // long message within the request included. A receiver answers a webhook in well under
  // a second; past 3 s the channel is kept and redelivered on its own (contract §11), so a
  // slow receiver never holds the visitor longer than mail may.
  CHANNEL_TIMEOUT_MS: 3_000,
  // Akismet's comment-check (contract §12), run beside the captcha: the application's own
  // default; past it the judgement goes on without Akismet (fail open, marked).
  AKISMET_TIMEOUT_MS: 1_500,
  QUEUE_TIMEOUT_MS: 3_000,
  // One call to the store's DynamoDB table, both of the SDK's attempts included. A call in
  // the function's own region answers in milliseconds (the first of an environment adds
  // its TLS handshake); past 500 ms the store counts as down and each caller goes on by
  // its rule (the duplicate guard steps aside, ALTCHA refuses) rather than hold the
  // visitor, and three such calls fit the function's budget below.
  STORE_TIMEOUT_MS: 500,
  // How long a repeat (a double click, a reload) waits for the first request's answer on
  // another environment, polling the table: long enough for a typical submission (about a
  // second, captcha and mail) to finish, so the repeat answers as the first did. Past it
  // the repeat hears that the message has probably arrived and sends nothing, so a slow
  // first request holds neither the repeat's visitor nor its billed function any longer.
  STORE_WAIT_MS: 2_000
} as const
const {
  CAPTCHA_TIMEOUT_MS,
  SECRETS_TIMEOUT_MS,
  MAIL_TIMEOUT_MS,
  CHANNEL_TIMEOUT_MS,
  AKISMET_TIMEOUT_MS,
  QUEUE_TIMEOUT_MS,
  STORE_TIMEOUT_MS,
  STORE_WAIT_MS
} = APP_TIMEOUTS_MS

// What runs side by side takes the longest of its branches, not their sum.
// - Before delivery, the captcha (its secret 3 s + the verification 4 s = 7 s) beside
//   Akismet (its secret 3 s + comment-check 1.5 s = 4.5 s): 7 s.
// - Delivery, each channel on its own and kept on its own (contract §11): mail (the SMTP
//   secret 3 s + delivery 10 s + the secret again after a 535 3 s + the enqueue of its item
//   3 s = 19 s) beside each other channel (its secret 3 s + its delivery 3 s + the enqueue
//   of its item 3 s = 9 s): 19 s. So the channels add nothing to the worst case while
//   their branch stays within mail's; the enqueues run in their own branches, side by side.
export const CAPTCHA_PHASE_MS = Math.max(
  SECRETS_TIMEOUT_MS + CAPTCHA_TIMEOUT_MS,
  SECRETS_TIMEOUT_MS + AKISMET_TIMEOUT_MS
)
export const MAIL_BRANCH_MS =
  SECRETS_TIMEOUT_MS + MAIL_TIMEOUT_MS + SECRETS_TIMEOUT_MS + QUEUE_TIMEOUT_MS
export const CHANNEL_BRANCH_MS = SECRETS_TIMEOUT_MS + CHANNEL_TIMEOUT_MS + QUEUE_TIMEOUT_MS
export const DELIVERY_PHASE_MS = Math.max(MAIL_BRANCH_MS, CHANNEL_BRANCH_MS)

// The web function. Worst case of one submission, each step at its own limit, in the order
// the program runs: the duplicate claim in the store (0.5 s) + the captcha beside Akismet
// (7 s) + ALTCHA's replay record in the store (0.5 s) + the delivery of every channel side
// by side, each kept on failure (19 s) + settling the claim in the store (0.5 s) = 27.5 s,
// plus 0.5 s to render, log and return = 28 s. That margin was 2 s before the store's three
// calls took 1.5 s of it: rendering a page, writing a log line and returning take
// milliseconds, and the first request of an environment building its services (the
// store's chunk, a client) a few more. (src/program.ts counts both SMTP secret fetches
// inside the delivery's 10 s; budgeting every step keeps this right if that moves.) The
// function must outlive the application's own limits, so that a slow peer ends in the
// application's answer (queued, or the 500 page with the fallback contact), never in a
// Lambda timeout, which API Gateway turns into a bare `{"message":"Internal Server
// Error"}` and which would lose a message the queue was about to keep. And it must stay
// below API Gateway's 29 s integration timeout, or the visitor gets that timeout's error.
const STORE_CALLS_PER_SUBMISSION = 3
export const WEB_TIMEOUT_MS =
  CAPTCHA_PHASE_MS + DELIVERY_PHASE_MS + STORE_CALLS_PER_SUBMISSION * STORE_TIMEOUT_MS + 500

// A repeat's worst case, the one that takes over: its wait (2 s, counted from before its
// claim, so the failed claim is inside it), the last read of the wait, started just before
// the wait ends (0.5 s), the take-over of a first request that was released after a 500
// that kept nothing (0.5 s), that first one's delivery of the channels still owed without
// the captcha (its verdict comes with the release): 19 s as above, and the settle (0.5 s)
// = 22.5 s, within the function's timeout, so a repeat too ends in the application's answer.
export const REPEAT_WORST_CASE_MS =
  STORE_WAIT_MS + STORE_CALLS_PER_SUBMISSION * STORE_TIMEOUT_MS + DELIVERY_PHASE_MS
export const API_GATEWAY_INTEGRATION_LIMIT_MS = 29_000

/** Fails the synthesis when a change of the limits above broke the budget. */
export const checkBudget = () => {
  if (WEB_TIMEOUT_MS >= API_GATEWAY_INTEGRATION_LIMIT_MS) {
    throw new Error(`function timeout ${WEB_TIMEOUT_MS} ms must stay below 29 s`)
  }
  if (REPEAT_WORST_CASE_MS > WEB_TIMEOUT_MS) {
    throw new Error(`a repeat's ${REPEAT_WORST_CASE_MS} ms must fit the function's timeout`)
  }
}

// The redelivery function takes up to REDELIVERY_BATCH_SIZE items per invocation and
// sends them one after the other. One item is one channel's: mail's, the longest, the SMTP
// secret (3 s) + delivery (10 s) + the secret again after a 535 (3 s) = 16 s (another
// channel's: its secret 3 s + its delivery 3 s); a batch of 5 = 80 s, plus 10 s for the rest
// (decoding, logging, loading the transport's chunk on a cold start) = 90 s. Five, not
// SQS's ten: a smaller batch keeps the timeout, and so the retry interval below, short,
// and five items of at most 256 KiB stay far below Lambda's 6 MB event limit.
export const REDELIVERY_BATCH_SIZE = 5
const REDELIVERY_ITEM_MS = Math.max(
  SECRETS_TIMEOUT_MS + MAIL_TIMEOUT_MS + SECRETS_TIMEOUT_MS,
  SECRETS_TIMEOUT_MS + CHANNEL_TIMEOUT_MS
)
export const REDELIVERY_TIMEOUT_MS = REDELIVERY_BATCH_SIZE * REDELIVERY_ITEM_MS + 10_000

// AWS's guidance for a Lambda event source: a visibility timeout of at least six times the
// function's timeout, so that Lambda's own retries of a throttled or failed invocation
// happen before SQS hands the batch out again (and Lambda refuses a function timeout
// above the visibility timeout). 6 × 90 s = 9 min: an item that failed is received again
// about every 9 minutes.
export const VISIBILITY_TIMEOUT_MS = 6 * REDELIVERY_TIMEOUT_MS

// About six hours of retries before an item moves to the dead-letter queue: long enough
// to ride out an SES or SMTP outage or a bad credential rotation, short enough that an
// item nobody can deliver reaches the dead-letter queue (and its alarm) the same day.
// 6 h / 9 min = 40 receives.
const RETRY_WINDOW_MS = 6 * 60 * 60 * 1_000
export const MAX_RECEIVE_COUNT = Math.round(RETRY_WINDOW_MS / VISIBILITY_TIMEOUT_MS)

// contract §7a: a copy of a delivery whose outcome is unknown (the relay or SES may have
// it) waits at least UNKNOWN_RETRY_MINUTES (the application's default, not set here) after
// that attempt. The web function's SendMessage holds it back that long (SQS allows 15
// minutes); a redelivery that still receives it early leaves it for the next receive.
export const UNKNOWN_RETRY_MINUTES = 10
