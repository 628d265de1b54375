// STUB: replaced by the lead once src/ exists.
//
// Contract for the replacement: export `handler(event)`, our Lambda handler built with
// in-memory services (secrets from memory, captcha always verified, mails counted and
// dropped), taking the same API Gateway HTTP API 2.0 event as dist/lambda/index.mjs.
// bench/build.mjs bundles this file with the app's esbuild options into
// bench/.out/ours-inmemory/index.mjs; the warm and memory figures import that bundle with
// the production environment of bench/env.ts. Until then it is the plain baseline.
export { handler } from "../baseline/plain-inmemory.js"
