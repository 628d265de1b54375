/**
 * The Node server as one scoped Effect: decide the mode (contract §1), validate every
 * setting at once, start the embedded SMTP outbox when there is no production
 * configuration, build the services once, and serve src/server/routes.ts. src/server.ts
 * runs it as a process; tests run it in theirs.
 */
import { relative, sep } from "node:path"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Scope from "effect/Scope"
import { contactHandler, routeContact } from "../adapters/node"
import { ConfigInvalid, type Env } from "../config/env"
import { queueWarnings } from "../config/queue"
import { readConfig } from "../config/read-config"
import { appLayer } from "../layers"
import { type LogSink, stdoutSink } from "../logging"
import { prepareSpool } from "../services/spool"
import { embeddedEnv, LocalSecrets, listening, ownHosts, urlHost } from "./embedded-mode"
import { onlyOwnHosts } from "./host-check"
import { nodeServer } from "./http-server"
import { captureMail } from "./outbox"
import { redelivery } from "./redelivery"
import { siteApp } from "./routes"
import { readServerSettings, type ServerMode, serverMode } from "./settings"

export interface ServeOptions {
  readonly env: Env
  /** What OUTBOX_DIR is relative to. */
  readonly cwd: string
  /** JSON log lines; stdout by default. */
  readonly log?: LogSink
  /** The human lines of embedded mode; stderr by default, so stdout stays JSON lines. */
  readonly say?: (line: string) => void
}

export interface Serving {
  readonly mode: ServerMode
  /** The form's address, e.g. `http://127.0.0.1:3000/`. */
  readonly url: string
  /** Embedded mode only. */
  readonly outboxDir: string | undefined
}

const stderrLine = (line: string) => {
  process.stderr.write(`${line}\n`)
}

/** Both the server's settings and the application's, with every problem at once. */
const validate = (options: ServeOptions, mode: ServerMode) =>
  Effect.all(
    [
      readServerSettings(options.env, options.cwd),
      readConfig(mode === "embedded" ? embeddedEnv(options.env) : options.env)
    ],
    { mode: "result" }
  ).pipe(
    Effect.flatMap(([settings, read]) =>
      Result.isSuccess(settings) && Result.isSuccess(read)
        ? Effect.succeed([settings.success, read.success] as const)
        : Effect.fail(
            new ConfigInvalid({
              problems: [
                ...(Result.isFailure(settings) ? settings.failure.problems : []),
                ...(Result.isFailure(read) ? read.failure.problems : [])
              ]
            })
          )
    )
  )

export const serve = (options: ServeOptions) =>
  Effect.gen(function* () {
    const mode = serverMode(options.env)
    const say = options.say ?? stderrLine
    const sink = options.log ?? stdoutSink
    const [settings, read] = yield* validate(options, mode)
    const shown = (path: string) => {
      const inside = relative(options.cwd, path)
      return inside.startsWith("..") || inside.startsWith(sep) ? path : inside
    }

    // Closed in reverse order: the HTTP server first (it stops accepting and waits for its
    // connections, so for the submissions whose client is still there), then the redelivery
    // loop (it finishes the item in hand), then the services, once the submissions left
    // without a client are done with them too, then the embedded SMTP server.
    const scope = yield* Effect.scope
    const smtpScope = yield* Scope.fork(scope, "sequential")
    const servicesScope = yield* Scope.fork(scope, "sequential")
    const redeliveryScope = yield* Scope.fork(scope, "sequential")
    const httpScope = yield* Scope.fork(scope, "sequential")

    const http = nodeServer({
      maxConnections: settings.maxConnections,
      perAddress: read.trustProxyHops === 0
    })
    const server = yield* NodeHttpServer.make(() => http.server, {
      port: settings.port,
      host: settings.host
    }).pipe(Scope.provide(httpScope))
    // Runs before the server's close, which waits for every connection: should start-up
    // stop here, the requests held until `serve` are answered (503), not left hanging.
    yield* Scope.addFinalizer(httpScope, Effect.sync(http.refuseWaiting))
    const port = server.address._tag === "UnixPathAddress" ? settings.port : server.address.port
    const url = `http://${urlHost(settings.host)}:${port}/`

    const outbox =
      mode === "embedded"
        ? yield* captureMail({
            dir: settings.outboxDir,
            onSaved: (path) => say(`Mail saved: ${shown(path)}`)
          }).pipe(
            Scope.provide(smtpScope),
            Effect.mapError(
              () => new ConfigInvalid({ problems: ["OUTBOX_DIR: cannot create this directory"] })
            )
          )
        : undefined

    const config =
      outbox === undefined
        ? read
        : listening(read, { outbox: outbox.port, host: settings.host, http: port })
    if (config.queue.kind === "spool") {
      yield* prepareSpool(config.queue.dir).pipe(
        Effect.mapError(
          () => new ConfigInvalid({ problems: ["SPOOL_DIR: cannot create this directory"] })
        )
      )
    }
    const services = appLayer({
      config,
      sink,
      ...(mode === "embedded" ? { secrets: LocalSecrets } : {})
    })
    const runtime = yield* Layer.buildWithScope(services, servicesScope)

    // Submissions go straight to the edge (src/adapters/node.ts); the pages through the
    // platform's router. Both over the one set of services built above.
    const site = yield* siteApp({ mode, outboxDir: settings.outboxDir }).pipe(
      Effect.provide(runtime),
      Scope.provide(servicesScope)
    )
    const pages = yield* NodeHttpServer.makeHandler(site, { scope: servicesScope }).pipe(
      Effect.provide(runtime)
    )
    yield* redelivery(config).pipe(Effect.provide(runtime), Effect.forkIn(redeliveryScope))
    const contact = contactHandler(runtime)
    // Runs before the services close, after the HTTP server's close: a submission whose
    // client has gone keeps no connection open, and must still end in its outcome.
    yield* Scope.addFinalizer(servicesScope, contact.settled)
    const routed = routeContact(contact, pages)
    http.serve(mode === "embedded" ? onlyOwnHosts(ownHosts(settings.host, port), routed) : routed)
    yield* Scope.addFinalizer(httpScope, Effect.sync(http.drain))
    for (const warning of queueWarnings(config.queue)) {
      yield* Effect.logWarning(warning).pipe(Effect.provide(runtime))
    }
    yield* Effect.logInfo("listening").pipe(
      Effect.annotateLogs({ url, mode }),
      Effect.provide(runtime)
    )
    // Runs first when the scope closes: says why the process has not exited yet.
    yield* Effect.addFinalizer(() =>
      Effect.logInfo("stopping").pipe(
        Effect.annotateLogs({ waitingFor: "requests in flight" }),
        Effect.provide(runtime)
      )
    )
    if (mode === "embedded") {
      const dir = shown(settings.outboxDir)
      say(
        [
          "",
          "  Contact form backend, embedded mode: nothing leaves this computer.",
          `  Form:     ${url}`,
          // Each form of FORMS too: the owner tries their own configuration here.
          ...[...config.forms.keys()]
            .filter((id) => id !== "default")
            .map((id) => `            ${url}?form=${encodeURIComponent(id)}`),
          `  Outbox:   ${url}outbox   (each mail also saved as a .eml file in ${dir})`,
          "  Captcha:  OFF. Set MAIL_FROM, MAIL_TO, SUCCESS_URL and FALLBACK_EMAIL for production.",
          "  Stop with Ctrl+C.",
          ""
        ].join("\n")
      )
    }
    return {
      mode,
      url,
      outboxDir: mode === "embedded" ? settings.outboxDir : undefined
    } satisfies Serving
  })
