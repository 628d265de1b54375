/**
 * The valid form whose queue item is the largest there can be (contract §7a: every valid
 * form fits in its queue item): every field at its limit, in the characters that cost the
 * item the most bytes.
 *
 * An item is JSON.stringify's text as UTF-8, and every limit counts code points. What one
 * code point costs there: ASCII 1 byte; `"` and `\` 2 (escaped); TAB, CR and LF 2 (`\t`,
 * `\r`, `\n`: the only control characters a field may hold, in the message and extras'
 * values); U+0080–U+07FF 2; the rest of the Basic Multilingual Plane 3; a character outside
 * it 4 (one code point, two UTF-16 units). JSON's six-byte `\uXXXX` escapes are for the other
 * control characters and for lone surrogates, and validation refuses both, as it refuses
 * U+FFFE and U+FFFF (six bytes each when they were escaped for SQS). So in every field but
 * the address the worst is 4 bytes a code point: characters outside the BMP, here
 * mathematical letters and emoji. The address is ASCII by the HTML rule (1 byte a
 * character, none escaped: the rule allows no `"` or `\`), 254 of them.
 */
import type { Fields } from "../../src/domain/fields"
import { maxChars, maxExtraChars, maxExtraFields, maxExtraNameChars } from "../../src/domain/form"

/** Four bytes of UTF-8, one code point. */
const astral = "𝕳"
const astralText = (codePoints: number) => astral.repeat(codePoints)

/** 64 + 1 + 189 = 254 characters, the longest address the rule accepts. */
const longestAddress = `${"a".repeat(64)}@${["b".repeat(63), "c".repeat(63), "d".repeat(61)].join(".")}`

export const largestValidForm: Fields = [
  ["email", longestAddress],
  ["name", astralText(maxChars.name)],
  ["subject", astralText(maxChars.subject)],
  ["body", astralText(maxChars.body)],
  // Distinct names: the last code point of each is its own emoji.
  ...Array.from({ length: maxExtraFields }, (_, i): readonly [string, string] => [
    `${astralText(maxExtraNameChars - 1)}${String.fromCodePoint(0x1f600 + i)}`,
    astralText(maxExtraChars)
  ])
]
