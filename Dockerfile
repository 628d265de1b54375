# syntax=docker/dockerfile:1
# The Node server as a container image (README: "Run the server in production").
#   docker build -t contact-form-backend .
#   docker run --rm -p 127.0.0.1:3000:3000 --stop-timeout 30 --env-file prod.env contact-form-backend
# The final stage holds dist/server/ alone: the bundle that test/server-artifact.test.ts
# starts, with the same command, from a copy of that directory in an empty one.

# Build: the exact lock file, then `npm run build` (dist/server/ and the Lambda zip).
FROM node:24-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: the build needs none (esbuild finds its binary through its optional
# platform package), and none of the others' downloads belong in an image build.
RUN npm ci --ignore-scripts --no-audit --no-fund
# What the build reads, and nothing else: an edit to the README or a test keeps the layers.
COPY tsconfig.json ./
COPY scripts/ scripts/
COPY src/ src/
RUN npm run build

# Run: Node 24 slim with the bundle and nothing else: no node_modules, npm install or source.
# Node 22 (22.19 or later) runs it too, and the artifact's suites start it on both: for 22,
# `node:22-bookworm-slim` here is the one change.
FROM node:24-bookworm-slim
WORKDIR /app
# Owned by root and read-only to the server: the process cannot change its own code.
COPY --from=build /src/dist/server/ ./
# Embedded mode (the demo) saves its mails in ./outbox; a volume mounted there inherits this.
RUN mkdir outbox && chown node:node outbox
# The official image's unprivileged user (uid 1000).
USER node
# In a container the server must listen on every interface, or nothing outside reaches it.
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
# No curl in slim images: Node itself asks /healthz. The Host header is localhost's, which
# embedded mode accepts whatever address it listens on.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "require('http').get({host:'127.0.0.1',port:process.env.PORT,path:'/healthz',headers:{host:'localhost:'+process.env.PORT},timeout:4000},(r)=>process.exit(r.statusCode===200?0:1)).on('timeout',()=>process.exit(1)).on('error',()=>process.exit(1))"]
# The server drains on SIGTERM: answers in flight are finished, then it exits 0. Give it
# longer than a submission can take (docker run --stop-timeout, compose stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["node", "index.mjs"]
