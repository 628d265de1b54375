/**
 * The message every transport sends (contract §5 and §8): nodemailer's options for one
 * OutgoingMail, so SMTP and SES carry the same headers and encodings.
 */

import type Mail from "nodemailer/lib/mailer"
import { encodeWord } from "nodemailer/lib/mime-funcs"
import type { OutgoingMail } from "../domain/mail"
import { SPAM_HEADER } from "../domain/spam-verdict"

/**
 * nodemailer passes a valid RFC 2047 encoded-word in a subject through, as if we had encoded
 * it: every mail client would then show a visitor's `=?UTF-8?Q?…?=` decoded, line breaks and
 * all, which the one-line rule refused. Such a subject is encoded here, whole: it reads as typed.
 */
const literalSubject = (subject: string): string =>
  subject.includes("=?") ? encodeWord(subject, "Q", 52) : subject

/** The message for every transport: the owner, the visitor as Reply-To, our own id header. */
export const messageOptions = (mail: OutgoingMail): Mail.Options => ({
  from: mail.from,
  to: [...mail.to],
  replyTo: mail.replyTo,
  subject: literalSubject(mail.subject),
  text: mail.text,
  headers: {
    // SES replaces Message-ID with its own: this is the id an owner can trust.
    "X-Contact-Submission-Id": mail.id,
    // A copy of an attempt that may have arrived already (contract §7a).
    ...(mail.spam === undefined ? {} : { [SPAM_HEADER]: mail.spam }),
    ...(mail.possibleDuplicate === undefined
      ? {}
      : { "X-Contact-Possible-Duplicate": mail.possibleDuplicate })
  }
})
