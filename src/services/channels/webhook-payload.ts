/**
 * The webhook's JSON body (contract §11): `contact.submission.v1`, documented by the JSON
 * Schema in docs/schemas/contact.submission.v1.json. Exactly what the mail carries.
 */
import type { ChannelSubmission } from "./submission"
import { verdictText } from "./submission"

export const webhookType = "contact.submission.v1"

export const webhookPayload = (submission: ChannelSubmission, sentAt: Date) => {
  const { contact } = submission
  return {
    type: webhookType,
    timestamp: sentAt.toISOString(),
    data: {
      form: submission.form,
      id: submission.id,
      receivedAt: submission.receivedAt,
      language: contact.language,
      name: contact.name ?? null,
      email: contact.email,
      subject: contact.subject ?? null,
      message: contact.body,
      extras: contact.extras.map(([name, value]) => ({ name, value })),
      captcha: verdictText(submission.captcha),
      ...(submission.possibleDuplicate === undefined
        ? {}
        : { possibleDuplicate: submission.possibleDuplicate }),
      ...(submission.spam === undefined
        ? {}
        : { spam: { score: submission.spam.score, reasons: submission.spam.reasons } })
    }
  }
}
