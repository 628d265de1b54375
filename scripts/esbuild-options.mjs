// The esbuild options of both artifacts, shared by scripts/build.mjs and the benchmark's
// builds (bench/build.mjs), so all are bundled with the same flags. Callers add
// `entryPoints`, `outdir` or `outfile`, and what is theirs alone (the Lambda bundle's
// built-ins plugin, the server bundle's `require` banner).
/**
 * @effect/platform-node's HTTP client module can load undici (its `Undici` re-export, by a
 * dynamic import) for the undici-based client; ours is the `node:http` one
 * (NodeHttpClient.layerNodeHttp), so that import never runs. Bundled, it would still add a
 * 720 KiB chunk to each artifact. Here it becomes a module that says why, if ever loaded.
 */
const withoutUndici = {
  name: "without-undici",
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: "undici", namespace: "left-out" }))
    build.onLoad({ filter: /.*/, namespace: "left-out" }, () => ({
      contents:
        'throw new Error("undici is left out of this bundle: its HTTP client is node:http\'s")',
      loader: "js"
    }))
  }
}

export const esbuildOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  minify: true,
  // The AWS SDK's CommonJS build does a dynamic require("node:https") that crashes in an
  // ESM bundle; its ESM build (the "module" field) does not.
  mainFields: ["module", "main"],
  // No `require` shim here: nodemailer 10 ships ESM and the Lambda bundle requires nothing
  // at run time; the server bundle adds its own (some of its dependencies require built-ins).
  legalComments: "none",
  metafile: true,
  plugins: [withoutUndici],
  logLevel: "warning"
}
