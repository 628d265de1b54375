/**
 * The form flow, and nothing else (contract §2, §7 and §9): honeypot → validation →
 * duplicate → captcha → secrets → mail → queue. No HTTP, no AWS events, no process.env: the edge (src/http/)
 * turns requests into a Submission and the outcome or typed error into answers.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { AppConfigTag, type FormConfig } from "./config/app-config"
import { deliverAll } from "./delivery"
import { tokenFieldOf } from "./domain/captcha-providers"
import type { ChannelKind } from "./domain/channels"
import type { CaptchaVerdict, Outcome, Sent } from "./domain/errors"
import { type Fields, isHoneypot } from "./domain/fields"
import { decodeForm } from "./domain/form"
import type { Language } from "./domain/languages"
import { composeMail } from "./domain/mail"
import { submissionKey } from "./domain/submission-key"
import { tokenProblem } from "./domain/token"
import { deliveredOf, settle } from "./keep"
import { CaptchaService } from "./services/captcha"
import { deliver, startDelivery } from "./services/mail"
import { type Reached, type Recovery, SharedClaims } from "./services/shared-claims"
import { SpamService, type Visitor } from "./services/spam"
import { SubmissionMemory } from "./services/submissions"
import { VerdictMemory } from "./services/verdicts"

export interface Submission {
  /** The parsed body's fields, in submission order. */
  readonly fields: Fields
  /** A supported language, already resolved by the edge. */
  readonly language: Language
  /** The form it was sent to (contract §10): its recipients, sender, captcha secret. */
  readonly form: FormConfig
  /** Who sent it, for Akismet only (contract §12); never logged. */
  readonly visitor?: Visitor
}

const honeypot: Outcome = { _tag: "Honeypot" }
const verifiedBefore: CaptchaVerdict = { _tag: "Verified" }

// Untraced: the flow is pure CPU between I/O calls, and a traced Effect.fn (a stack capture
// and a span per call) costs more than the rest of a warm request (README, Performance).
// The service methods it calls keep their spans: they wrap network I/O.
export const submit = Effect.fnUntraced(function* (submission: Submission) {
  if (isHoneypot(submission.fields)) return honeypot

  const settings = submission.form
  const config = yield* AppConfigTag
  const captcha = yield* CaptchaService
  const memory = yield* SubmissionMemory
  const verdicts = yield* VerdictMemory
  const claims = yield* SharedClaims
  const spam = yield* SpamService

  // The form's provider names the one field that carries its token (contract §4).
  const tokenField = tokenFieldOf(settings.captchaProvider)
  const form = yield* Effect.fromResult(
    decodeForm(submission.fields, { captchaField: tokenField, language: submission.language })
  )

  // A token the captcha refuses outright opens nothing; any other starts the delivery's I/O
  // beside the verification, used only once the verdict lets the form through.
  const hopeless = tokenField !== undefined && tokenProblem(form.captchaToken) !== undefined
  const token = tokenField === undefined ? null : (form.captchaToken ?? null)
  const { key, id } = submissionKey(
    Redacted.value(config.submissionIdKey),
    settings.id,
    token,
    form
  )
  // contract §9: a token whose submission was not accepted keeps its verdict, so sending
  // again delivers rather than hearing from the provider that the token is spent. Only a
  // failure writes one, and only a verdict used reads one back: the happy path asks once.
  const remembered = token === null || hopeless ? undefined : token
  let recalled = false
  // How far it got, for a shared claim settled after a failure (contract §9): a refusal
  // (not the store being down) is what a repeat of it gets too.
  let reached: Reached = {}
  const verify = captcha
    .verify(settings.captchaProvider, form.captchaToken, settings.captchaSecretId)
    .pipe(
      Effect.tapError((e) =>
        Effect.sync(() => {
          if (e._tag !== "ReplayUnchecked") reached = { refusal: e }
        })
      )
    )
  const verdictOf =
    remembered === undefined
      ? verify
      : Effect.flatMap(verdicts.recall(settings.id, remembered), (known) => {
          recalled = known !== undefined
          return known === undefined ? verify : Effect.succeed(known)
        })
  const accept = (recovery: Recovery) =>
    Effect.gen(function* () {
      // Contract §11: only the channels still owed; a repeat after a 500 skips those that delivered.
      const before = [...(recovery.delivered ?? []), ...(yield* memory.delivered(key))]
      const owed = settings.channels.filter((c) => !before.includes(c.kind))
      const mailOwed = owed.some((c) => c.kind === "mail")
      const send = !mailOwed || hopeless ? deliver : yield* startDelivery
      // Contract §12: judged beside the captcha, its verdict awaited only once the captcha's is;
      // not for a token the captcha refuses outright (nothing goes to Akismet for it).
      const judging = hopeless
        ? Effect.succeed(undefined)
        : yield* spam.begin(form, settings, submission.visitor)
      // Taking over a claim its process left (contract §9): that process passed the captcha
      // with this very submission if the provider now says the token is spent.
      const verdict =
        recovery.verdict ??
        (yield* recovery.earlierAttemptAt === undefined
          ? verdictOf
          : Effect.catchTag(verdictOf, "AlreadyReceived", () => Effect.succeed(verifiedBefore)))
      reached = { verdict }
      const judged = yield* judging
      if (judged?.spam === true && settings.spam.policy === "drop") {
        // Answered as sent, in a delivery's usual time: a spammer learns nothing.
        yield* spam.pace
        const dropped: Sent = { _tag: "Sent", id, captcha: verdict, spamDropped: judged }
        return dropped
      }
      // Shown to the owner when marked, or when Akismet could not be asked.
      const shown =
        judged !== undefined && (judged.spam || judged.reasons.includes("akismet_unavailable"))
          ? { score: judged.score, reasons: judged.reasons }
          : undefined
      // The id exists before the first attempt: every channel and a queued item carry the
      // same one, and so does every process that receives this submission (contract §7a).
      const accepted = {
        id,
        form,
        captcha: verdict,
        ...(shown === undefined ? {} : { spam: shown })
      }
      const startedAt = yield* Clock.currentTimeMillis
      const receivedAt = new Date(startedAt)
      const earlier =
        recovery.earlierAttemptAt === undefined ? {} : { earlier: recovery.earlierAttemptAt }
      const attempts = yield* deliverAll({
        channels: owed,
        sendMail: send,
        mail: composeMail(settings, {
          id,
          form,
          captcha: verdict,
          ...earlier,
          ...(shown === undefined
            ? {}
            : { spam: { verdict: shown, marked: judged?.spam === true } })
        }),
        submission: {
          id,
          form: settings.id,
          receivedAt: receivedAt.toISOString(),
          contact: form,
          captcha: verdict,
          ...(judged?.spam === true && shown !== undefined ? { spam: shown } : {}),
          ...(recovery.earlierAttemptAt === undefined
            ? {}
            : { possibleDuplicate: recovery.earlierAttemptAt })
        }
      })
      yield* spam.observe((yield* Clock.currentTimeMillis) - startedAt)
      const delivered: ReadonlyArray<ChannelKind> = [...before, ...deliveredOf(attempts)]
      reached = { verdict, delivered }
      const outcome = yield* settle(attempts, accepted, settings.id, receivedAt).pipe(
        // Neither delivered nor kept: the next try of this token goes on this verdict, and
        // sends only to the channels that have not had it.
        Effect.tapError(() =>
          Effect.andThen(
            memory.recordDelivered(key, delivered),
            remembered === undefined
              ? Effect.void
              : verdicts.remember(settings.id, remembered, verdict)
          )
        )
      )
      if (recalled && remembered !== undefined) yield* verdicts.spend(settings.id, remembered)
      return outcome
    }).pipe(Effect.scoped)

  // contract §9: a repeat answers as the first one did, in this process and, through the
  // store, in any other. No key without a real token: a missing or placeholder one goes
  // straight to the captcha, which refuses it.
  if (hopeless) return yield* accept({})
  return yield* memory.once(
    key,
    claims.guard(`${settings.id}#${key}`, id, accept, () => reached)
  )
})
