// The esbuild options of the Lambda artifact, shared by scripts/build.mjs and the
// benchmark's baseline build (bench/build.mjs), so both are bundled with the same flags.
// Callers add `entryPoints` and `outfile`.
export const esbuildOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  minify: true,
  // The AWS SDK's CommonJS build does a dynamic require("node:https") that crashes in an
  // ESM bundle; its ESM build (the "module" field) does not.
  mainFields: ["module", "main"],
  // No `require` shim: nodemailer 10 ships ESM, and nothing bundled requires at run time.
  legalComments: "none",
  metafile: true,
  logLevel: "warning"
}
