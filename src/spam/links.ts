/**
 * URLs and email addresses in a visitor's text, found by linkify-it (markdown-it's linkifier:
 * maintained, Unicode-aware, with schemaless "fuzzy" links and emails), in the way the
 * `links` and `name_link` signals count them (contract §12).
 *
 * - Fuzzy links are on: spam writes bare domains (`cheap-pills.xyz`, `www.example.com`) as
 *   often as `https://`. linkify-it accepts a bare domain only under a TLD of its list: every
 *   two-letter country code and a few generic ones, to which we add the generic TLDs that
 *   spam and businesses use most. IPs without a scheme are not links (version numbers).
 * - An email address is not a link: the links counter runs without fuzzy emails and without
 *   `mailto:`. The name's check is for both.
 * - `Hello.It's` (a sentence without its space, where `it`, `es`, `de`… are TLDs) is not a
 *   link: a schemaless match of one dot, no path, whose TLD is written as a capitalised word.
 *
 * Cost: linkify-it compiles its Unicode regular expressions on first use, once per process:
 * about 5 ms for a text with a link (more for an address in the name). A text in which it
 * cannot find anything (no `//`, no dot followed by two letters, and for the name no `@`)
 * never reaches it, so a message without links costs nothing here.
 */
import { LinkifyIt, type Match } from "linkify-it"

/** Generic TLDs recognised in schemaless links, beyond linkify-it's own list. */
const MORE_TLDS = [
  "app",
  "art",
  "blog",
  "buzz",
  "click",
  "cloud",
  "club",
  "dev",
  "email",
  "fun",
  "icu",
  "link",
  "live",
  "online",
  "site",
  "space",
  "store",
  "tech",
  "top",
  "website",
  "xyz"
]

let linksOnly: LinkifyIt | undefined
let emails: LinkifyIt | undefined

const linkFinder = (): LinkifyIt => {
  linksOnly ??= new LinkifyIt({ fuzzyLink: true, fuzzyEmail: false, fuzzyIP: false })
    .add("mailto:", null)
    .tlds(MORE_TLDS, true)
  return linksOnly
}

const emailFinder = (): LinkifyIt => {
  emails ??= new LinkifyIt({ fuzzyLink: false, fuzzyEmail: true })
  return emails
}

/**
 * Whether linkify-it could find a link in `text`: every scheme it knows is followed by `//`,
 * and a schemaless link ends in a dot and a TLD of at least two letters (`xn--` included).
 * A superset of what it finds (test/spam.test.ts checks it), and far cheaper to ask.
 */
export const mayHoldLink = (text: string): boolean => /\/\/|\.\p{L}{2}/u.test(text)

/** A sentence run into the next one: `Hello.It`, `preis.Es`. */
const runOnSentence = /^[^./:]+\.\p{Lu}\p{Ll}+$/u

const isLink = (match: Match): boolean => !(match.schema === "" && runOnSentence.test(match.raw))

/** The links linkify-it finds in `text`, ungated (the tests compare it with the gate). */
export const linksIn = (text: string): ReadonlyArray<string> =>
  (linkFinder().match(text) ?? []).filter(isLink).map((m) => m.raw)

/** How many URLs `text` holds. */
export const countLinks = (text: string): number => (mayHoldLink(text) ? linksIn(text).length : 0)

/** Whether `text` holds a URL or an email address. */
export const holdsLinkOrEmail = (text: string): boolean =>
  countLinks(text) > 0 || (text.includes("@") && emailFinder().test(text))
