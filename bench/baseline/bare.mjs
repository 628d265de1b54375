// Frozen baseline: do not optimise (frozen 2026-11-27).
// The floor: a Lambda handler with no dependencies that decodes and parses the body of an
// API Gateway event and answers 200 {"ok":true}. Nothing can start or answer faster.
export const handler = async (event) => {
  const raw = event.body ?? ""
  const text = event.isBase64Encoded ? Buffer.from(raw, "base64").toString("utf8") : raw
  const fields = new URLSearchParams(text)
  return {
    statusCode: fields.has("email") ? 200 : 400,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
    body: fields.has("email") ? '{"ok":true}' : '{"ok":false}'
  }
}
