// An esbuild plugin for the Lambda bundle: Node's built-in modules through
// `process.getBuiltinModule(id)` instead of an ESM `import`.
//
// Why: Node builds an ESM namespace for a built-in module the first time one is imported,
// and reads every export to do so, getters included. `node:http`'s `WebSocket`,
// `CloseEvent` and `MessageEvent` getters load undici (the whole fetch implementation),
// `node:tls`'s `rootCertificates` parses the root store, `node:crypto`'s `webcrypto` loads
// Web Crypto: on Node 24 the 18 built-ins the bundle imports cost ~45 ms as ESM and ~15 ms
// through getBuiltinModule, on every cold start, for exports the bundle never uses.
// `getBuiltinModule` returns the module object itself (the same one `require` does), and
// a getter runs only if the code reads it.
//
// Each built-in becomes a small module exporting the names the bundle may import, read from
// that object; the names are this Node's own, minus the lazy ones below (importing one of
// those fails the build, so none is dropped unnoticed; a lazy function is forwarded).
import { builtinModules, createRequire, isBuiltin } from "node:module"

const require = createRequire(import.meta.url)

/**
 * Exports that are getters are left out: some load whole subsystems (`http.WebSocket` loads
 * undici, `tls.rootCertificates` parses the root store), some warn that they are deprecated
 * (`fs.F_OK`). Those the bundle does import are listed here: read at once when cheap, or
 * forwarded (a function whose getter runs on its first call).
 */
const readAtOnce = new Set(["promises", "ReadStream"])
const forwarded = new Set(["getRandomValues"])
const identifier = /^[A-Za-z_$][\w$]*$/

const namesOf = (id) =>
  Object.entries(Object.getOwnPropertyDescriptors(require(id)))
    .filter(
      ([name, property]) =>
        identifier.test(name) &&
        name !== "default" &&
        (property.get === undefined || readAtOnce.has(name) || forwarded.has(name))
    )
    .map(([name]) => name)

const moduleSource = (id) => {
  const names = namesOf(id)
  return [
    `const m = process.getBuiltinModule(${JSON.stringify(id)});`,
    // The Node that runs the bundle may make a getter of what the building one had as a
    // value (fs.F_OK became a deprecated getter in Node 24): such a getter is not read.
    "const value = (name) => { const p = Object.getOwnPropertyDescriptor(m, name); return p === undefined || p.get === undefined ? m[name] : undefined; };",
    "export default m;",
    ...names.map((name) =>
      forwarded.has(name)
        ? `export const ${name} = (...args) => m.${name}(...args);`
        : readAtOnce.has(name)
          ? `export const ${name} = m.${name};`
          : `export const ${name} = /* @__PURE__ */ value(${JSON.stringify(name)});`
    )
  ].join("\n")
}

export const builtinsThroughGetBuiltinModule = {
  name: "builtins-through-getBuiltinModule",
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      if (!isBuiltin(args.path) || args.namespace === "builtin") return undefined
      const id = args.path.startsWith("node:") ? args.path : `node:${args.path}`
      // Only what `process.getBuiltinModule` serves (every public built-in).
      if (!builtinModules.includes(id.slice(5))) return undefined
      return { path: id, namespace: "builtin" }
    })
    build.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => ({
      contents: moduleSource(args.path),
      loader: "js"
    }))
  }
}
