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
        return Effect.map(
          Effect.forkScoped(
            Effect.gen(function* () {
              const [{ judge }, { readElapsed }] = yield* Effect.all([
                Effect.promise(() => import("../spam/judge")),
                Effect.promise(() => import("../spam/signals"))
              ])
              const elapsed = readElapsed(form.elapsed)
              const { threshold } = settings.spam
              // The signals' first call (linkify-it compiles its expressions) runs while the
              // captcha's answer is awaited; with Akismet's word, the second costs nothing.
              const local = judge(form, elapsed, threshold)
              const word = yield* askAkismet(form, settings, visitor)
              const judged = word === true ? judge(form, elapsed, threshold, true) : local
              const reasons: ReadonlyArray<string> =
                word === "unavailable" ? [...judged.reasons, "akismet_unavailable"] : judged.reasons
              return { score: judged.score, reasons, spam: judged.spam }
            })
          ),
          (judging) => Fiber.join(judging)
        )
      }
    })
  })
)
