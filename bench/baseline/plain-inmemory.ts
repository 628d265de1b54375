// Frozen baseline: do not optimise (frozen 2026-11-27).
// The plain baseline's flow with in-memory services, for the warm, memory and server
// figures: secrets answered from memory, the captcha always verified, mails counted and
// dropped (nothing accumulates over thousands of calls).
import { createApp, createHandler, type PlainDeps } from "./plain.js"

const secrets: Record<string, Record<string, string>> = {
  "smtp-ses-credentials": { SMTP_USERNAME: "bench", SMTP_PASSWORD: "bench-password" },
  "friendlycaptcha-data": {
    FRIENDLYCAPTCHA_SITEKEY: "bench-sitekey",
    FRIENDLYCAPTCHA_API_KEY: "bench-api-key",
    FRIENDLYCAPTCHA_SECRET: "bench-secret"
  }
}

export let mailsSent = 0
export const inMemoryDeps: PlainDeps = {
  getSecret: async (id) => {
    const secret = secrets[id]
    if (secret === undefined) throw new Error(`no secret ${id}`)
    return secret
  },
  verifyCaptcha: async () => ({ kind: "verified" }),
  sendMail: async () => {
    mailsSent++
  }
}

export const app = createApp(inMemoryDeps)
export const handler = createHandler(inMemoryDeps)
