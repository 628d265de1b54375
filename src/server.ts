/**
 * `npm start`: the same HTTP app as the Lambda handler, on Node's http server. Embedded
 * mode without production configuration, production mode with it (contract §1).
 * SIGINT/SIGTERM close the server gracefully: submissions in flight finish first. Bad
 * configuration prints `Invalid configuration:` and its problems, and exits with 78.
 *
 * The server's own settings: PORT (default 3000; 0 takes any free port), HOST (default
 * 127.0.0.1) and, in embedded mode, OUTBOX_DIR (default `outbox`, relative to the working
 * directory). stdout carries the JSON log lines; the human lines of embedded mode (the
 * URL, one line per saved mail) go to stderr.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpServerError from "effect/http/HttpServerError"
import * as Option from "effect/Option"
import { ConfigInvalid } from "./config/env"
import { serve } from "./server/app"

/** EX_CONFIG of sysexits(3): what service managers understand as "fix the configuration". */
const exitConfigInvalid = 78

const program = serve({ env: process.env, cwd: process.cwd() }).pipe(
  Effect.andThen(Effect.never),
  Effect.scoped
)

NodeRuntime.runMain(program, {
  // Failures are reported below, once, on stderr; the JSON logger is the only logger.
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause)) return onExit(0)
    const failure = Cause.findErrorOption(exit.cause)
    if (Option.isSome(failure) && failure.value instanceof ConfigInvalid) {
      process.stderr.write(`${failure.value.message}\n`)
      return onExit(exitConfigInvalid)
    }
    if (Option.isSome(failure) && failure.value instanceof HttpServerError.ServeError) {
      const reason = failure.value.cause instanceof Error ? failure.value.cause.message : ""
      process.stderr.write(`Cannot start the server: ${reason} (set PORT or HOST)\n`)
      return onExit(1)
    }
    process.stderr.write(`${Cause.pretty(exit.cause)}\n`)
    onExit(1)
  }
})
