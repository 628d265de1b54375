/**
 * How large a body must be allowed to be (contract §2): every form the field rules
 * accept fits, in every encoding a browser sends. The worst is urlencoded text outside the
 * Basic Multilingual Plane: four bytes of UTF-8 per character, each escaped as `%XX`, twelve
 * bytes a character (CJK: nine). Multipart and JSON carry the same text in fewer bytes.
 */
import { maxChars, maxExtraChars, maxExtraFields, maxExtraNameChars } from "./form"
import { maxTokenChars } from "./token"

const worstBytesPerChar = 12
/** An address and a token are ASCII: `%XX` at most. */
const worstBytesPerAsciiChar = 3
/** A field's name, `=` and `&` urlencoded, or a part's boundary and headers in multipart. */
const bytesPerField = 200
/** The fields a largest form has: the four known, the extras, the token, `language`, `_gotcha`. */
const fields = 4 + maxExtraFields + 3
/** `language`'s value: a supported tag; anything longer is not one, and is not text to keep. */
const languageChars = 16

const textChars =
  maxChars.body +
  maxChars.subject +
  maxChars.name +
  maxExtraFields * (maxExtraNameChars + maxExtraChars)

/** The default MAX_BODY_BYTES: about 640 KiB, well under Lambda's 6 MB payload limit. */
export const bodyBytesForEveryForm =
  worstBytesPerChar * textChars +
  worstBytesPerAsciiChar * (maxChars.email + maxTokenChars + languageChars) +
  bytesPerField * fields

/**
 * The message a body of `maxBytes` has room for in characters of any script, the other
 * fields aside: what the 413 page tells a visitor (the whole 10,000 with the default).
 */
export const messageCharactersWithin = (maxBytes: number): number =>
  Math.min(maxChars.body, Math.floor(maxBytes / worstBytesPerChar))
