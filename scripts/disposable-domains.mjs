#!/usr/bin/env node
// Compacts mailchecker's list of disposable email domains into src/spam/disposable-domains.txt:
// one lower-case domain a line, sorted by byte, after one header line that names the
// version it came from. The spam judgement looks a domain up there by binary search over the
// file's bytes (src/spam/disposable.ts), so a cold start pays for reading a file (well under a
// millisecond) instead of mailchecker's own module, whose 56,000-entry array literal and Set
// cost about 23 ms to load. The list is never fetched at run time: `npm update mailchecker`,
// then this script, then commit the file (test/spam.test.ts fails while the committed file
// differs from what this script would write).
//
//   node scripts/disposable-domains.mjs           writes the file
//   node scripts/disposable-domains.mjs --check   exits 1 if the committed file is stale
import { readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)
const target = new URL("../src/spam/disposable-domains.txt", import.meta.url)

// A host name of ASCII labels: what the lookup compares byte for byte against an address's
// domain (the form's email rule is ASCII only). Anything else in a future list stops the
// script rather than being dropped in silence.
const hostname = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/

/** The file's text for the installed mailchecker. */
const renderDisposableDomains = () => {
  // The package's own API rather than its source text: the list is the Set that
  // `blacklist()` returns, however the platform file happens to spell it.
  const mailchecker = require("mailchecker")
  const { version } = require("mailchecker/package.json")
  const domains = [...new Set([...mailchecker.blacklist()].map((d) => String(d).toLowerCase()))]
  const odd = domains.filter((d) => !hostname.test(d))
  if (odd.length > 0) {
    throw new Error(
      `mailchecker ${version}: ${odd.length} entries are not ASCII host names (${odd
        .slice(0, 5)
        .join(", ")}); the lookup in src/spam/disposable.ts assumes they are`
    )
  }
  // Code-unit order, which for ASCII is the byte order the lookup's binary search uses. The
  // header starts with "#", below every domain's first character, so it sorts first too.
  domains.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const header = `# Disposable email domains from mailchecker ${version} (${domains.length}), written by scripts/disposable-domains.mjs: do not edit.`
  return `${header}\n${domains.join("\n")}\n`
}

const text = renderDisposableDomains()
if (process.argv.includes("--check")) {
  let current = ""
  try {
    current = readFileSync(target, "utf8")
  } catch {}
  if (current !== text) {
    console.error(
      "src/spam/disposable-domains.txt differs from the installed mailchecker's list: run `node scripts/disposable-domains.mjs` and commit the file."
    )
    process.exit(1)
  }
} else {
  writeFileSync(target, text)
  console.log(`${text.split("\n")[0]}\n→ ${target.pathname}`)
}
