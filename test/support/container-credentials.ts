/**
 * The credentials endpoint a container gets on ECS/Fargate (and EKS Pod Identity), on
 * 127.0.0.1 with port 0: the AWS SDK's default chain asks it when
 * AWS_CONTAINER_CREDENTIALS_FULL_URI is set and no key is in the environment, sending
 * AWS_CONTAINER_AUTHORIZATION_TOKEN as `Authorization`. Reaching it loads the SDK's lazily
 * loaded credential providers, so a bundle that lacks one of those chunks fails here.
 */
import http from "node:http"

export interface ContainerCredentials {
  /** AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN. */
  readonly env: Readonly<Record<string, string>>
  /** The `Authorization` header of each request, in order. */
  readonly requests: ReadonlyArray<string>
  close(): Promise<void>
}

export const startContainerCredentials = async (): Promise<ContainerCredentials> => {
  const token = "container-authorization-token"
  const requests: Array<string> = []
  const server = http.createServer((req, res) => {
    requests.push(req.headers.authorization ?? "")
    if (req.headers.authorization !== token) {
      res.writeHead(401, { "content-type": "application/json" })
      return void res.end(JSON.stringify({ message: "missing or wrong token" }))
    }
    res.writeHead(200, { "content-type": "application/json" })
    res.end(
      JSON.stringify({
        AccessKeyId: "ASIACONTAINEREXAMPLE",
        SecretAccessKey: "container-secret-access-key",
        Token: "container-session-token",
        Expiration: new Date(Date.now() + 60 * 60 * 1000).toISOString()
      })
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("credentials: no port")
  return {
    env: {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${address.port}/v2/credentials/task`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: token
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}
