import { rmSync } from "node:fs"
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { generate } from "selfsigned"

export interface TestCertificate {
  /** PEM private key of the peer. */
  readonly key: string
  /** PEM self-signed certificate, valid for `localhost` and `127.0.0.1`. */
  readonly cert: string
  /** Path of the certificate PEM: what the code under test trusts via `SMTP_TLS_CA_FILE`. */
  readonly caFile: string
  /** The fresh temporary directory holding `cert.pem` and `key.pem`. */
  readonly dir: string
}

let cached: Promise<TestCertificate> | undefined

// Vitest ends its workers with a signal, so an exit handler alone leaves directories
// behind: each one is named after its process and swept once that process is gone.
const root = join(tmpdir(), "contact-form-test-certs")

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error instanceof Error && "code" in error && error.code === "EPERM"
  }
}

const sweepStale = async () => {
  for (const name of await readdir(root)) {
    const pid = Number.parseInt(name, 10)
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) {
      await rm(join(root, name), { recursive: true, force: true })
    }
  }
}

const create = async (): Promise<TestCertificate> => {
  const notBeforeDate = new Date(Date.now() - 60_000)
  const notAfterDate = new Date(notBeforeDate.getTime() + 24 * 60 * 60 * 1000)
  // EC keys generate in a few ms where RSA 2048 costs ~100 ms per test file.
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          // The LocalStack suite's Lambda reaches this machine's peers by this name.
          { type: 2, value: "host.docker.internal" },
          { type: 7, ip: "127.0.0.1" }
        ]
      }
    ]
  })
  await mkdir(root, { recursive: true })
  await sweepStale()
  const dir = await mkdtemp(join(root, `${process.pid}-`))
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }))
  const caFile = join(dir, "cert.pem")
  await writeFile(caFile, pems.cert, { mode: 0o600 })
  await writeFile(join(dir, "key.pem"), pems.private, { mode: 0o600 })
  return { key: pems.private, cert: pems.cert, caFile, dir }
}

/** One certificate per process (so per test file in the forks pool), made on first use. */
export const makeTestCertificate = (): Promise<TestCertificate> => {
  cached ??= create().catch((error: unknown) => {
    cached = undefined
    throw error
  })
  return cached
}
