/**
 * SpamService: the judgement of contract §12 for one submission. Its code (the signals,
 * linkify-it, the disposable list; Akismet's protocol when it is on) is a chunk loaded on
 * first use, begun beside the captcha so that loading it, reading the list and asking
 * Akismet overlap the captcha's round trip. Akismet failing is no verdict: the judgement goes
 * on without it, and says so (`akismet_unavailable`), so the owner knows it was not asked.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { AppConfigTag, type FormConfig } from "../config/app-config"
import type { ContactForm } from "../domain/form"
import type { SpamVerdict } from "../domain/spam-verdict"
import { SecretsService } from "./secrets"

/** Who sent it, for Akismet only (which requires the address); never logged. */
export interface Visitor {
  readonly address: string
  readonly userAgent: string | undefined
}

export interface SpamJudgement extends SpamVerdict {
  /** The score reached the form's threshold. */
  readonly spam: boolean
}

export interface SpamServiceApi {
  /**
   * Begins the judgement of `form` for `settings` now, in the caller's scope; the effect it
   * returns is the judgement, `undefined` when the form's policy is `off`.
   */
  readonly begin: (
    form: ContactForm,
    settings: FormConfig,
    visitor: Visitor | undefined
  ) => Effect.Effect<Effect.Effect<SpamJudgement | undefined>, never, Scope.Scope>
  /** A delivery took `ms`: what a dropped submission's answer waits, so it looks the same. */
  readonly observe: (ms: number) => Effect.Effect<void>
  /** Waits about as long as a delivery takes here (3 s at most). */
  readonly pace: Effect.Effect<void>
}

export class SpamService extends Context.Service<SpamService, SpamServiceApi>()(
  "contact-form/SpamService"
) {}

const notJudged = Effect.succeed(Effect.succeed(undefined))

interface JudgementCode {
  readonly judge: typeof import("../spam/judge").judge
  readonly readElapsed: typeof import("../spam/signals").readElapsed
}

const judgedBy = (
  code: JudgementCode,
  form: ContactForm,
  threshold: number,
  akismetSpam: boolean
): SpamJudgement => {
  const { score, reasons, spam } = code.judge(
    form,
    code.readElapsed(form.elapsed),
    threshold,
    akismetSpam
  )
  return { score, reasons, spam }
}

export const SpamLive = Layer.effect(
  SpamService,
  Effect.gen(function* () {
    const config = yield* AppConfigTag
    const secrets = yield* SecretsService
    const http = yield* HttpClient.HttpClient
    const { akismet } = config

    /** Akismet's word: spam or not, or unavailable (its key, its answer, its time). */
    const askAkismet = (form: ContactForm, settings: FormConfig, visitor: Visitor | undefined) =>
      Effect.gen(function* () {
        if (akismet === undefined) return "off" as const
        const protocol = yield* Effect.promise(() => import("../spam/akismet"))
        const keys = yield* Effect.result(secrets.akismet(akismet.secretId))
        const key = keys._tag === "Success" ? keys.success.AKISMET_API_KEY : undefined
        if (key === undefined || visitor === undefined) return "unavailable" as const
        const comment = protocol.commentOf(
          form,
          {
            blog: new URL(settings.successUrl.default).origin,
            userIp: visitor.address,
            ...(visitor.userAgent === undefined ? {} : { userAgent: visitor.userAgent })
          },
          form.language
        )
        const answer = yield* Effect.result(
          protocol
            .commentCheck({ url: akismet.url, key, timeoutMs: akismet.timeoutMs }, comment)
            .pipe(Effect.provideService(HttpClient.HttpClient, http))
        )
        return answer._tag === "Success" ? answer.success.spam : ("unavailable" as const)
      })

    // The judgement's code, a chunk of its own: loaded by the first judgement, kept after.
    let code: JudgementCode | undefined
    const loadCode = Effect.promise(() =>
      Promise.all([import("../spam/judge"), import("../spam/signals")])
    ).pipe(
      Effect.map(([{ judge }, { readElapsed }]): JudgementCode => {
        code = { judge, readElapsed }
        return code
      })
    )

    // A moving average of recent deliveries in this process.
    let typicalMs = 0
    const observe = (ms: number) =>
      Effect.sync(() => {
        typicalMs = typicalMs === 0 ? ms : 0.8 * typicalMs + 0.2 * ms
      })
    const pace = Effect.suspend(() => Effect.sleep(Duration.millis(Math.min(typicalMs, 3_000))))

    return SpamService.of({
      observe,
      pace,
      begin: (form, settings, visitor) => {
        if (settings.spam.policy === "off") return notJudged
        const { threshold } = settings.spam
        // Warm and without Akismet, the judgement is microseconds of CPU: no fiber for it.
        if (code !== undefined && akismet === undefined) {
          const loaded = code
          return Effect.succeed(Effect.sync(() => judgedBy(loaded, form, threshold, false)))
        }
        return Effect.map(
          Effect.forkScoped(
            Effect.gen(function* () {
              const loaded = yield* loadCode
              // The signals' first call (linkify-it compiles its expressions) runs while the
              // captcha's answer is awaited; with Akismet's word, the second costs nothing.
              const local = judgedBy(loaded, form, threshold, false)
              const word = yield* askAkismet(form, settings, visitor)
              if (word === true) return judgedBy(loaded, form, threshold, true)
              return word === "unavailable"
                ? { ...local, reasons: [...local.reasons, "akismet_unavailable"] }
                : local
            })
          ),
          (judging) => Fiber.join(judging)
        )
      }
    })
  })
)
