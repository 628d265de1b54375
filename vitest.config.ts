import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "infra/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Child processes and peers on loopback: two cores, keep the pool small.
    pool: "forks",
    maxWorkers: 2,
    setupFiles: ["test/support/fast-check.setup.ts"],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }
  }
})
