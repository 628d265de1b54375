// The environment every child runs in: a minimal, explicit one (so NODE_EXTRA_CA_CERTS,
// which adds ~65 ms to every Node start on this machine, and tsx's loader flags never
// reach a measured process), the production configuration of contract §6, and the
// peers' addresses. Identical for every variant.
import { dirname } from "node:path"
import type { Peers } from "../peers.js"

export const productionConfig: Record<string, string> = {
  MAIL_FROM: "Web contact form <noreply@example.com>",
  MAIL_TO: "Site Owner <owner@example.com>",
  SUCCESS_URL: "https://www.example.com/contact/sent",
  SUCCESS_URL_DE: "https://www.example.com/de/kontakt/gesendet",
  RATE_LIMIT_PER_MINUTE: "0",
  FALLBACK_EMAIL: "contact@example.com"
}

export const childEnv = (
  peers: Peers,
  node: string,
  extra: Record<string, string> = {}
): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {
    // The measured node first, so that a server started through npm or tsx runs on it too.
    PATH: `${dirname(node)}:${process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"}`,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...productionConfig,
    ...peers.env,
    ...extra
  }
  if (process.env.HOME !== undefined) env.HOME = process.env.HOME
  return env
}
