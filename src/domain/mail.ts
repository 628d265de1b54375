/**
 * The mail of contract §5, literally: what the owner receives for one submission.
 * Sender, recipients and prefix come from the configuration; everything else from the form.
 */
import type { Mailbox } from "./contact"
import type { CaptchaVerdict } from "./errors"
import { withLineBreaks } from "./fields"
import type { ContactForm } from "./form"
import {
  SPAM_SUBJECT_MARKER,
  type SpamVerdict,
  spamFooterLine,
  spamHeaderValue
} from "./spam-verdict"

export interface OutgoingMail {
  /** The submission's id, sent as `X-Contact-Submission-Id` (SES replaces Message-ID). */
  readonly id: string
  readonly from: Mailbox
  readonly to: ReadonlyArray<Mailbox>
  readonly replyTo: Mailbox
  readonly subject: string
  readonly text: string
  /**
   * The ISO time of an earlier attempt that may have reached the owner (contract §7a),
   * sent as `X-Contact-Possible-Duplicate`; absent on a first copy.
   */
  readonly possibleDuplicate?: string
  /** Marked spam (contract §12): `X-Contact-Spam`'s value, `score=<n>; reasons=<a,b>`. */
  readonly spam?: string
}

/** The configuration a mail is composed with (a part of AppConfig). */
export interface MailSettings {
  readonly mailFrom: Mailbox
  readonly mailTo: ReadonlyArray<Mailbox>
  readonly subjectPrefix: string
}

const captchaLine = (verdict: CaptchaVerdict): string => {
  switch (verdict._tag) {
    case "Verified":
      return "Captcha: verified"
    case "Disabled":
      return "Captcha: disabled"
    case "Unverified":
      return `Captcha: NOT verified (${verdict.reason})`
  }
}

/** A multi-line extra value is indented, so that no visitor line can pose as ours. */
const extraLine = ([name, value]: readonly [string, string]): string =>
  `${name}: ${withLineBreaks(value, "\n  ")}`

/** A submission delivered from the queue (contract §7): when it came, why it waited. */
export interface LateDelivery {
  readonly receivedAt: string
  readonly reason: string
  /** An earlier attempt's outcome was unknown, at this ISO time (contract §7a). */
  readonly unknownAt?: string
}

export const composeMail = (
  settings: MailSettings,
  submission: {
    readonly id: string
    readonly form: ContactForm
    readonly captcha: CaptchaVerdict
    readonly late?: LateDelivery
    /**
     * An attempt at this ISO time was left by a process that is gone (contract §9: a
     * shared claim that expired): it may have reached the owner.
     */
    readonly earlier?: string
    /**
     * The spam judgement when the mail shows it (contract §12): its header and footer line;
     * `marked` (the score reached the threshold) puts `[Spam?] ` in the subject too.
     */
    readonly spam?: { readonly verdict: SpamVerdict; readonly marked: boolean }
  }
): OutgoingMail => {
  const { captcha: verdict, form, id, late, spam } = submission
  const earlier = late?.unknownAt ?? submission.earlier
  const unverified = verdict._tag === "Unverified" ? "[unverified] " : ""
  const footer = [
    ...(form.name === undefined ? [] : [`Name: ${form.name}`]),
    `Email: ${form.email}`,
    `Language: ${form.language}`,
    ...form.extras.map(extraLine),
    // Just before the Captcha line, which stays last.
    ...(spam === undefined ? [] : [spamFooterLine(spam.verdict)]),
    ...(earlier === undefined
      ? []
      : [
          `Possible duplicate: an attempt at ${earlier} may have reached you already, same id ${id}`
        ]),
    ...(late === undefined
      ? []
      : [
          `Delivered late: received ${late.receivedAt}, first attempt failed (${late.reason}), id ${id}`
        ]),
    captchaLine(verdict)
  ]
  return {
    id,
    from: settings.mailFrom,
    to: settings.mailTo,
    replyTo: { name: form.name ?? "", address: form.email },
    subject: `${settings.subjectPrefix}${spam?.marked === true ? SPAM_SUBJECT_MARKER : ""}${unverified}${form.subject ?? "Contact form message"}`,
    // One rule for line breaks, so the mail shows the breaks the pages show.
    text: withLineBreaks(`${form.body}\n\n--\n${footer.join("\n")}\n`, "\n"),
    ...(earlier === undefined ? {} : { possibleDuplicate: earlier }),
    ...(spam === undefined ? {} : { spam: spamHeaderValue(spam.verdict) })
  }
}
