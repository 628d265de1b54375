/**
 * The siteverify peer speaks Cloudflare Turnstile's and hCaptcha's protocols: every rule it
 * keeps, asked over real HTTP with fetch.
 */
import { randomUUID } from "node:crypto"
import { describe, expect, it, onTestFinished } from "vitest"
import {
  type SiteverifyKind,
  type SiteverifyPeer,
  type SiteverifyPeerOptions,
  siteverifyDefaults,
  startSiteverifyPeer
} from "./support/siteverify-peer"

const peerOf = async (options: SiteverifyPeerOptions): Promise<SiteverifyPeer> => {
  const peer = await startSiteverifyPeer(options)
  onTestFinished(() => peer.close())
  return peer
}

type Fields = Readonly<Record<string, string | number>>

/** A siteverify call as a client makes it: form data (fetch's own content type) or JSON. */
const post = (peer: SiteverifyPeer, fields: Fields, encoding: "form" | "json" = "form") =>
  fetch(peer.verifyUrl, {
    method: "POST",
    ...(encoding === "form"
      ? { body: new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])) }
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(fields) })
  })

const answer = async (response: Response): Promise<{ status: number; body: unknown }> => ({
  status: response.status,
  body: response.headers.get("content-type") === "application/json" ? await response.json() : null
})

const challengeTs = (body: unknown): string => {
  if (typeof body === "object" && body !== null && "challenge_ts" in body) {
    if (typeof body.challenge_ts === "string") return body.challenge_ts
  }
  throw new Error(`no challenge_ts in ${JSON.stringify(body)}`)
}

const ask = async (peer: SiteverifyPeer, fields: Fields, encoding: "form" | "json" = "form") =>
  answer(await post(peer, fields, encoding))

const isoTimestamp = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)

const turnstileFailure = (code: string, status = 200) => ({
  status,
  body: { success: false, "error-codes": [code], messages: [] }
})

const hcaptchaFailure = (code: string, status = 200) => ({
  status,
  body: { success: false, "error-codes": [code] }
})

describe("siteverify peer: Turnstile", () => {
  const { token, secret } = siteverifyDefaults.turnstile

  it("verifies a form-encoded token with Turnstile's success answer and records the request", async () => {
    const peer = await peerOf({ kind: "turnstile" })
    expect(peer.kind).toBe("turnstile")
    expect(peer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(peer.verifyUrl).toBe(`${peer.url}/turnstile/v0/siteverify`)
    expect(peer.credentials).toEqual(siteverifyDefaults.turnstile)
    const response = await post(peer, { secret, response: token, remoteip: "203.0.113.7" })
    expect(response.headers.get("content-type")).toBe("application/json")
    expect(await answer(response)).toEqual({
      status: 200,
      body: {
        success: true,
        challenge_ts: isoTimestamp,
        hostname: "localhost",
        "error-codes": [],
        action: "",
        cdata: "",
        metadata: { ephemeral_id: expect.stringMatching(/^x:[0-9a-f]{24}$/) }
      }
    })
    expect(peer.requests).toEqual([
      {
        method: "POST",
        path: "/turnstile/v0/siteverify",
        headers: expect.objectContaining({
          "content-type": "application/x-www-form-urlencoded;charset=UTF-8"
        }),
        contentType: "application/x-www-form-urlencoded",
        rawBody: new URLSearchParams({
          secret,
          response: token,
          remoteip: "203.0.113.7"
        }).toString(),
        body: { secret, response: token, remoteip: "203.0.113.7" }
      }
    ])
  })

  it("verifies a JSON token as well; challenge_ts is when newToken() solved it", async () => {
    const peer = await peerOf({ kind: "turnstile" })
    const before = Date.now()
    const fresh = peer.newToken()
    const after = Date.now()
    await new Promise((resolve) => setTimeout(resolve, 20)) // verified later than solved
    const { body } = await ask(peer, { secret, response: fresh }, "json")
    expect(body).toMatchObject({ success: true, hostname: "localhost", "error-codes": [] })
    const solved = Date.parse(challengeTs(body))
    expect(solved).toBeGreaterThanOrEqual(before)
    expect(solved).toBeLessThanOrEqual(after)
    expect(peer.requests[0]).toMatchObject({
      contentType: "application/json",
      body: { secret, response: fresh }
    })
  })

  it("refuses a body it cannot read with 400 bad-request, leaving the token unused", async () => {
    const peer = await peerOf({ kind: "turnstile" })
    const form = new URLSearchParams({ secret, response: token }).toString()
    const unreadable: ReadonlyArray<RequestInit> = [
      { headers: { "content-type": "text/plain" }, body: form },
      { body: new Blob([form]) }, // no content type at all
      { headers: { "content-type": "multipart/form-data; boundary=x" }, body: form },
      { headers: { "content-type": "application/json" }, body: `{"secret":` },
      { headers: { "content-type": "application/json" }, body: JSON.stringify([secret, token]) }
    ]
    for (const init of unreadable) {
      const response = await fetch(peer.verifyUrl, { method: "POST", ...init })
      expect(await answer(response)).toEqual(turnstileFailure("bad-request", 400))
    }
    expect(peer.requests.map((r) => r.contentType)).toEqual([
      "text/plain",
      "",
      "multipart/form-data",
      "application/json",
      "application/json"
    ])
    expect((await ask(peer, { secret, response: token })).body).toMatchObject({ success: true })
  })

  it.each<[string, Fields, string]>([
    ["no secret", { response: token }, "missing-input-secret"],
    ["an empty secret", { secret: "", response: token }, "missing-input-secret"],
    ["a wrong secret", { secret: `${secret}x`, response: token }, "invalid-input-secret"],
    ["no response", { secret }, "missing-input-response"],
    ["an unknown token", { secret, response: `${token}-999` }, "invalid-input-response"],
    [
      "a token over 2048 characters",
      { secret, response: "a".repeat(2049) },
      "invalid-input-response"
    ]
  ])("answers %s with 200 and %s", async (_, fields, code) => {
    const peer = await peerOf({ kind: "turnstile" })
    expect(await ask(peer, fields)).toEqual(turnstileFailure(code))
    expect(await ask(peer, fields, "json")).toEqual(turnstileFailure(code))
  })

  it("accepts a token of 2048 characters and refuses one of 2049 even when it is the credentials'", async () => {
    const longest = await peerOf({ kind: "turnstile", token: `0.${"a".repeat(2046)}` })
    expect(longest.credentials.token).toHaveLength(2048)
    expect(
      (await ask(longest, { secret, response: longest.credentials.token })).body
    ).toMatchObject({ success: true })
    const tooLong = await peerOf({ kind: "turnstile", token: `0.${"a".repeat(2047)}` })
    expect(await ask(tooLong, { secret, response: tooLong.credentials.token })).toEqual(
      turnstileFailure("invalid-input-response")
    )
  })

  it("refuses an idempotency_key that is not a UUID with 400 bad-request", async () => {
    const peer = await peerOf({ kind: "turnstile" })
    const notUuids: ReadonlyArray<[string | number, "form" | "json"]> = [
      ["retry-1", "form"],
      ["", "form"],
      [`${randomUUID()}0`, "form"],
      [42, "json"]
    ]
    for (const [key, encoding] of notUuids) {
      expect(await ask(peer, { secret, response: token, idempotency_key: key }, encoding)).toEqual(
        turnstileFailure("bad-request", 400)
      )
    }
    const key = randomUUID().toUpperCase()
    expect((await ask(peer, { secret, response: token, idempotency_key: key })).body).toMatchObject(
      { success: true }
    )
    expect(peer.idempotencyKeys.get(token)).toBe(key)
  })

  it("answers a token verified before with timeout-or-duplicate, but repeats the success to its first idempotency_key", async () => {
    const peer = await peerOf({ kind: "turnstile" })
    const duplicate = turnstileFailure("timeout-or-duplicate")
    const key = randomUUID()
    const used = peer.newToken()
    const first = await ask(peer, { secret, response: used, idempotency_key: key })
    expect(first.body).toMatchObject({ success: true })
    expect(peer.idempotencyKeys.get(used)).toBe(key)
    // Cloudflare's idempotent retry: the very same answer, in either encoding.
    expect(await ask(peer, { secret, response: used, idempotency_key: key })).toEqual(first)
    expect(await ask(peer, { secret, response: used, idempotency_key: key }, "json")).toEqual(first)
    expect(await ask(peer, { secret, response: used })).toEqual(duplicate)
    expect(await ask(peer, { secret, response: used, idempotency_key: randomUUID() })).toEqual(
      duplicate
    )
    expect(peer.idempotencyKeys.get(used)).toBe(key)

    // A first success without a key: no retry can claim it.
    const keyless = peer.newToken()
    expect((await ask(peer, { secret, response: keyless })).body).toMatchObject({ success: true })
    expect(peer.idempotencyKeys.has(keyless)).toBe(true)
    expect(peer.idempotencyKeys.get(keyless)).toBeUndefined()
    expect(await ask(peer, { secret, response: keyless, idempotency_key: randomUUID() })).toEqual(
      duplicate
    )
    expect(await ask(peer, { secret, response: keyless })).toEqual(duplicate)

    // A failed verification neither uses the token up nor fixes its key.
    const late = peer.newToken()
    const failedKey = randomUUID()
    const goodKey = randomUUID()
    expect(
      await ask(peer, { secret: "wrong", response: late, idempotency_key: failedKey })
    ).toEqual(turnstileFailure("invalid-input-secret"))
    expect(peer.idempotencyKeys.has(late)).toBe(false)
    expect(
      (await ask(peer, { secret, response: late, idempotency_key: goodKey })).body
    ).toMatchObject({ success: true })
    expect(peer.idempotencyKeys.get(late)).toBe(goodKey)
    expect(await ask(peer, { secret, response: late, idempotency_key: failedKey })).toEqual(
      duplicate
    )
  })

  it("issues fresh tokens, each accepted once; with singleUse false, again and again", async () => {
    const peer = await peerOf({ kind: "turnstile" })
    const [a, b] = [peer.newToken(), peer.newToken()]
    expect(new Set([a, b, token]).size).toBe(3)
    expect((await ask(peer, { secret, response: a })).body).toMatchObject({ success: true })
    expect((await ask(peer, { secret, response: b })).body).toMatchObject({ success: true })
    expect(await ask(peer, { secret, response: a })).toEqual(
      turnstileFailure("timeout-or-duplicate")
    )

    const reusable = await peerOf({ kind: "turnstile", singleUse: false })
    const fresh = reusable.newToken()
    for (const encoding of ["form", "json", "form"] as const) {
      expect(await ask(reusable, { secret, response: fresh }, encoding)).toMatchObject({
        status: 200,
        body: { success: true }
      })
    }
    expect(await ask(reusable, { secret, response: `${token}-999` })).toEqual(
      turnstileFailure("invalid-input-response")
    )
  })

  it("checks the credentials it was started with", async () => {
    const peer = await peerOf({
      kind: "turnstile",
      secret: "0x4AAAAAAAtest-rotated",
      token: "0.abc"
    })
    expect(peer.credentials).toEqual({
      ...siteverifyDefaults.turnstile,
      secret: "0x4AAAAAAAtest-rotated",
      token: "0.abc"
    })
    expect(await ask(peer, { secret, response: "0.abc" })).toEqual(
      turnstileFailure("invalid-input-secret")
    )
    expect(await ask(peer, { secret: "0x4AAAAAAAtest-rotated", response: token })).toEqual(
      turnstileFailure("invalid-input-response")
    )
    expect(
      (await ask(peer, { secret: "0x4AAAAAAAtest-rotated", response: "0.abc" })).body
    ).toMatchObject({ success: true })
  })

  it("answers 405 to other methods on the path and 404 to other paths", async () => {
    const peer = await peerOf({ kind: "turnstile" })
    const get = await fetch(peer.verifyUrl)
    expect(get.headers.get("allow")).toBe("POST")
    expect(await answer(get)).toEqual(turnstileFailure("method-not-allowed", 405))
    const put = await fetch(peer.verifyUrl, {
      method: "PUT",
      body: new URLSearchParams({ secret })
    })
    expect(put.status).toBe(405)
    const elsewhere = await fetch(`${peer.url}/siteverify`, {
      method: "POST",
      body: new URLSearchParams({ secret, response: token })
    })
    expect(await answer(elsewhere)).toEqual(turnstileFailure("not-found", 404))
    expect((await ask(peer, { secret, response: token })).body).toMatchObject({ success: true })
  })
})

describe("siteverify peer: hCaptcha", () => {
  const { token, secret, sitekey } = siteverifyDefaults.hcaptcha

  it("verifies a form-encoded token with hCaptcha's success answer and records the request", async () => {
    const peer = await peerOf({ kind: "hcaptcha" })
    expect(peer.kind).toBe("hcaptcha")
    expect(peer.verifyUrl).toBe(`${peer.url}/siteverify`)
    expect(peer.credentials).toEqual(siteverifyDefaults.hcaptcha)
    const fields = { secret, response: token, remoteip: "203.0.113.7", sitekey }
    const response = await post(peer, fields)
    expect(response.headers.get("content-type")).toBe("application/json")
    expect(await answer(response)).toEqual({
      status: 200,
      body: {
        success: true,
        challenge_ts: isoTimestamp,
        hostname: "localhost",
        credit: false,
        "error-codes": []
      }
    })
    expect(peer.requests).toEqual([
      {
        method: "POST",
        path: "/siteverify",
        headers: expect.objectContaining({
          "content-type": "application/x-www-form-urlencoded;charset=UTF-8"
        }),
        contentType: "application/x-www-form-urlencoded",
        rawBody: new URLSearchParams(fields).toString(),
        body: fields
      }
    ])
    expect(peer.idempotencyKeys.size).toBe(0)
  })

  it("refuses JSON and other bodies with 400 bad-request, leaving the token unused", async () => {
    const peer = await peerOf({ kind: "hcaptcha" })
    expect(await ask(peer, { secret, response: token }, "json")).toEqual(
      hcaptchaFailure("bad-request", 400)
    )
    const plain = await fetch(peer.verifyUrl, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: new URLSearchParams({ secret, response: token }).toString()
    })
    expect(await answer(plain)).toEqual(hcaptchaFailure("bad-request", 400))
    // The JSON is still recorded as read, for the tests of a client that sends it.
    expect(peer.requests[0]).toMatchObject({
      contentType: "application/json",
      body: { secret, response: token }
    })
    expect((await ask(peer, { secret, response: token })).body).toMatchObject({ success: true })
  })

  it.each<[string, Fields, string]>([
    ["no secret", { response: token }, "missing-input-secret"],
    ["a wrong secret", { secret: `${secret}1`, response: token }, "invalid-input-secret"],
    ["no response", { secret }, "missing-input-response"],
    ["an unknown token", { secret, response: `${token}-999` }, "invalid-or-already-seen-response"],
    [
      "a sitekey not of the account",
      { secret, response: token, sitekey: "20000000-ffff-ffff-ffff-000000000002" },
      "sitekey-secret-mismatch"
    ]
  ])("answers %s with 200 and %s", async (_, fields, code) => {
    const peer = await peerOf({ kind: "hcaptcha" })
    expect(await ask(peer, fields)).toEqual(hcaptchaFailure(code))
  })

  it("accepts the credentials' sitekey, the account's other sitekeys, or none", async () => {
    const other = "30000000-ffff-ffff-ffff-000000000003"
    const peer = await peerOf({ kind: "hcaptcha", sitekeys: [other] })
    for (const fields of [{ sitekey }, { sitekey: other }, {}]) {
      const fresh = peer.newToken()
      expect((await ask(peer, { secret, response: fresh, ...fields })).body).toMatchObject({
        success: true
      })
    }
    expect(
      await ask(peer, {
        secret,
        response: peer.newToken(),
        sitekey: "40000000-ffff-ffff-ffff-000000000004"
      })
    ).toEqual(hcaptchaFailure("sitekey-secret-mismatch"))
  })

  it("answers a token used before as it answers an unknown one; with singleUse false, verifies it again", async () => {
    const peer = await peerOf({ kind: "hcaptcha" })
    const seen = hcaptchaFailure("invalid-or-already-seen-response")
    const fresh = peer.newToken()
    expect(fresh).not.toBe(token)
    expect((await ask(peer, { secret, response: fresh })).body).toMatchObject({ success: true })
    expect(await ask(peer, { secret, response: fresh })).toEqual(seen)
    // Turnstile's idempotent retry is not hCaptcha's: a key changes nothing.
    const key = randomUUID()
    const other = peer.newToken()
    expect((await ask(peer, { secret, response: other, idempotency_key: key })).body).toMatchObject(
      { success: true }
    )
    expect(await ask(peer, { secret, response: other, idempotency_key: key })).toEqual(seen)
    expect(peer.idempotencyKeys.size).toBe(0)

    const reusable = await peerOf({ kind: "hcaptcha", singleUse: false })
    for (let i = 0; i < 3; i++) {
      expect((await ask(reusable, { secret, response: token })).body).toMatchObject({
        success: true
      })
    }
  })

  it("answers 405 to other methods on the path and 404 to other paths", async () => {
    const peer = await peerOf({ kind: "hcaptcha" })
    const get = await fetch(peer.verifyUrl)
    expect(get.headers.get("allow")).toBe("POST")
    expect(await answer(get)).toEqual(hcaptchaFailure("method-not-allowed", 405))
    const turnstilePath = await fetch(`${peer.url}/turnstile/v0/siteverify`, {
      method: "POST",
      body: new URLSearchParams({ secret, response: token })
    })
    expect(await answer(turnstilePath)).toEqual(hcaptchaFailure("not-found", 404))
    expect((await ask(peer, { secret, response: token })).body).toMatchObject({ success: true })
  })
})

describe("siteverify peer: defaults", () => {
  it("has distinct credentials per kind", () => {
    const { turnstile, hcaptcha } = siteverifyDefaults
    for (const name of ["token", "sitekey", "secret"] as const) {
      expect(turnstile[name]).not.toBe(hcaptcha[name])
    }
    expect(new Set(Object.values(turnstile)).size).toBe(3)
    expect(new Set(Object.values(hcaptcha)).size).toBe(3)
  })
})

describe.each<SiteverifyKind>(["turnstile", "hcaptcha"])(
  "siteverify peer behaviours: %s",
  (kind) => {
    const { token, secret } = siteverifyDefaults[kind]
    const failure = kind === "turnstile" ? turnstileFailure : hcaptchaFailure
    const codes = (status: number, list: ReadonlyArray<string>) => ({
      status,
      body: { ...failure("x", status).body, "error-codes": list }
    })

    it("answers rateLimited, serverError and codes in the kind's shape, until told otherwise", async () => {
      const peer = await peerOf({ kind, behaviour: "rateLimited" })
      expect(await ask(peer, { secret, response: token })).toEqual(failure("rate-limited", 429))
      expect(await ask(peer, { secret, response: token })).toEqual(failure("rate-limited", 429))
      peer.setBehaviour("serverError")
      expect(await ask(peer, { secret, response: token })).toEqual(failure("internal-error", 500))
      peer.setBehaviour({ kind: "codes", status: 403, codes: ["invalid-input-secret", "other"] })
      expect(await ask(peer, { secret, response: token })).toEqual(
        codes(403, ["invalid-input-secret", "other"])
      )
      peer.setBehaviour({ kind: "codes", status: 200, codes: [] })
      expect(await ask(peer, { secret, response: token })).toEqual(codes(200, []))
      peer.setBehaviour("correct")
      expect((await ask(peer, { secret, response: token })).body).toMatchObject({ success: true })
      expect(peer.requests).toHaveLength(6)
    })

    it("answers an HTML page, and hangs", async () => {
      const peer = await peerOf({ kind, behaviour: "nonJson" })
      const html = await post(peer, { secret, response: token })
      expect([html.status, html.headers.get("content-type")]).toEqual([
        200,
        "text/html; charset=utf-8"
      ])
      expect(await html.text()).toMatch(/^<!doctype html>.*Maintenance/)
      peer.setBehaviour("hang")
      const hung = fetch(peer.verifyUrl, {
        method: "POST",
        body: new URLSearchParams({ secret, response: token }),
        signal: AbortSignal.timeout(150)
      })
      await expect(hung).rejects.toMatchObject({ name: "TimeoutError" })
      expect(peer.requests).toHaveLength(2)
    })

    it("serves queued behaviours one each before its own; a 404 takes none", async () => {
      const peer = await peerOf({ kind })
      peer.queue("serverError", { kind: "codes", status: 503, codes: ["unavailable"] })
      peer.queue("rateLimited")
      const missing = await fetch(`${peer.url}/nowhere`, { method: "POST" })
      expect(missing.status).toBe(404)
      expect(await ask(peer, { secret, response: token })).toEqual(failure("internal-error", 500))
      expect(await ask(peer, { secret, response: token })).toEqual(codes(503, ["unavailable"]))
      expect(await ask(peer, { secret, response: token })).toEqual(failure("rate-limited", 429))
      expect((await ask(peer, { secret, response: token })).body).toMatchObject({ success: true })
      expect(peer.requests.map((r) => r.path)).toEqual([
        "/nowhere",
        ...Array(4).fill(new URL(peer.verifyUrl).pathname)
      ])
    })

    it("resets requests, queue and behaviour, but keeps used tokens used", async () => {
      const peer = await peerOf({ kind })
      expect((await ask(peer, { secret, response: token })).body).toMatchObject({ success: true })
      peer.setBehaviour("serverError")
      peer.queue("rateLimited")
      peer.reset()
      expect(peer.requests).toHaveLength(0)
      const fresh = peer.newToken()
      expect((await ask(peer, { secret, response: fresh })).body).toMatchObject({ success: true })
      expect(await ask(peer, { secret, response: token })).toEqual(
        failure(kind === "turnstile" ? "timeout-or-duplicate" : "invalid-or-already-seen-response")
      )
      expect(peer.requests).toHaveLength(2)
    })

    it("holds the next answer until release, then answers by the behaviour of that moment", async () => {
      const peer = await peerOf({ kind })
      const hold = peer.holdNextAnswer()
      let settled = false
      const pending = post(peer, { secret, response: token }).then((response) => {
        settled = true
        return answer(response)
      })
      await hold.reached
      expect(peer.requests).toHaveLength(1)
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(settled).toBe(false)
      peer.setBehaviour("serverError")
      hold.release()
      expect(await pending).toEqual(failure("internal-error", 500))
      peer.setBehaviour("correct")
      // Only the next answer was held.
      expect((await ask(peer, { secret, response: token })).body).toMatchObject({ success: true })
    })

    it("destroys a hung connection on close", async () => {
      const peer = await startSiteverifyPeer({ kind, behaviour: "hang" })
      const hold = peer.holdNextAnswer()
      const hung = post(peer, { secret, response: token })
      await hold.reached
      hold.release()
      await peer.close()
      await expect(hung).rejects.toThrow(TypeError)
      await expect(fetch(peer.verifyUrl, { method: "POST" })).rejects.toThrow(TypeError)
    })
  }
)
