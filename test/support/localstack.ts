/**
 * What the LocalStack suite sends to Lambda, as plain data, so that it can be checked on a
 * machine without Docker: the CreateFunction input, and the zip it uploads (the built
 * dist/lambda.zip plus the test CA, which the function reads via SMTP_TLS_CA_FILE).
 */
import { readFileSync } from "node:fs"
import { arch } from "node:os"
import type { CreateFunctionCommandInput, Runtime } from "@aws-sdk/client-lambda"
import AdmZip from "adm-zip"

export const functionName = "contact-form-backend-e2e"
/** Lambda's own runtime first; LocalStack versions without it get the older one. */
export const runtimes: ReadonlyArray<Runtime> = ["nodejs24.x", "nodejs22.x"]
/** The host's architecture: LocalStack runs the function natively, without emulation. */
export const lambdaArchitecture = arch() === "arm64" ? "arm64" : "x86_64"
export const caPathInZip = "test-ca.pem"

/** dist/lambda.zip with the test CA added next to index.mjs. */
export const zipWithCa = (zipPath: string, caFile: string): Buffer => {
  const zip = new AdmZip(zipPath)
  zip.addFile(caPathInZip, readFileSync(caFile))
  return zip.toBuffer()
}

export const createFunctionInput = (
  zipFile: Uint8Array,
  runtime: Runtime,
  environment: Readonly<Record<string, string>>
): CreateFunctionCommandInput => ({
  FunctionName: functionName,
  Runtime: runtime,
  Handler: "index.handler",
  Architectures: [lambdaArchitecture],
  Role: "arn:aws:iam::000000000000:role/lambda-role",
  Code: { ZipFile: zipFile },
  MemorySize: 512,
  Timeout: 25,
  Environment: {
    Variables: {
      ...environment,
      SMTP_TLS_CA_FILE: `/var/task/${caPathInZip}`,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true"
    }
  }
})
