// The server figure's "ours": what `npm start` serves in production mode (Node's http
// server; /contact through src/adapters/node.ts, the pages through src/server/routes.ts),
// with the in-memory services of ours-inmemory.ts instead of AWS and SMTP.
// Listens on HOST:PORT; GET /healthz answers 200 "ok".
import { createServer } from "node:http"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { contactHandler, routeContact } from "../../src/adapters/node"
import { siteApp } from "../../src/server/routes"
import { inMemoryServices } from "./ours-inmemory"

// Kept open for the process' life: the bench stops it with a signal.
const scope = Effect.runSync(Scope.make())
const runtime = await Effect.runPromise(Layer.buildWithScope(inMemoryServices, scope))
const pages = await Effect.runPromise(
  Effect.gen(function* () {
    const site = yield* siteApp({ mode: "production", outboxDir: "outbox" })
    return yield* NodeHttpServer.makeHandler(site, { scope })
  }).pipe(Effect.provide(runtime), Scope.provide(scope))
)
createServer(routeContact(contactHandler(runtime), pages)).listen(
  Number(process.env.PORT ?? 3000),
  process.env.HOST ?? "127.0.0.1"
)
