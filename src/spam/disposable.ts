/**
 * Disposable (throwaway) email domains, from mailchecker's maintained list, compacted at build
 * time by scripts/disposable-domains.mjs into disposable-domains.txt beside this file: one
 * lower-case ASCII domain a line, sorted by byte, after one header line ("#…", which sorts
 * first). Nothing is fetched at run time; `npm update mailchecker` and the script update it.
 *
 * Why a file and not a module: mailchecker's own module costs about 23 ms to load (its
 * 56,000-entry array literal and Set), and the same list as a string literal about 3.5 ms to
 * parse, at every cold start; reading the file on the first lookup costs about 0.5 ms, and a
 * lookup is a binary search over its bytes, with nothing built. The bundles carry the file
 * beside their index.mjs (and chunks), where `import.meta.url` finds it.
 */
import { readFileSync } from "node:fs"

const LIST = new URL("./disposable-domains.txt", import.meta.url)
const NEWLINE = 0x0a

let list: Buffer | undefined

/**
 * The list, read once. A missing file is a packaging fault (the build did not copy it beside
 * the code), said loudly rather than letting every address pass as not disposable.
 */
const loaded = (): Buffer => {
  if (list !== undefined) return list
  try {
    list = readFileSync(LIST)
  } catch (cause) {
    throw new Error(`the disposable-domain list is missing: ${LIST.pathname}`, { cause })
  }
  return list
}

/** Whether `domain` (lower-case ASCII) is a line of the sorted list: binary search by line. */
const listed = (lines: Buffer, domain: Buffer): boolean => {
  // [lo, hi) always starts at a line's first byte and ends at a line's first byte (or the end).
  let lo = 0
  let hi = lines.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const start = mid === 0 ? 0 : lines.lastIndexOf(NEWLINE, mid - 1) + 1
    const newline = lines.indexOf(NEWLINE, start)
    const end = newline === -1 ? lines.length : newline
    // compare() answers how the line [start, end) sorts against `domain`.
    const order = lines.compare(domain, 0, domain.length, start, end)
    if (order === 0) return true
    if (order < 0) lo = end + 1
    else hi = start
  }
  return false
}

/**
 * Whether the domain of `email` or one of its parent domains is disposable, as mailchecker
 * itself judges (`a.b.mailinator.com` is, because `mailinator.com` is listed).
 */
export const isDisposableEmail = (email: string): boolean => {
  const at = email.lastIndexOf("@")
  let domain = email.slice(at + 1).toLowerCase()
  // The form's email rule admits ASCII only; anything else cannot be in the list.
  if (domain === "" || !/^[\x21-\x7e]+$/.test(domain)) return false
  const lines = loaded()
  for (;;) {
    if (listed(lines, Buffer.from(domain, "latin1"))) return true
    const dot = domain.indexOf(".")
    if (dot === -1) return false
    domain = domain.slice(dot + 1)
  }
}
