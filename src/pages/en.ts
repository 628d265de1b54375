import type { Strings } from "./strings"

export const en: Strings = {
  lang: "en",
  errors: {
    invalid_form: {
      title: "Please check the form",
      lead: "Your message was not sent because some fields need attention:"
    },
    captcha_failed: {
      title: "We could not confirm you are human",
      lead: "Your message was not sent because the anti-spam check did not pass. Please go back, wait for the check to finish and send again."
    },
    delivery_failed: {
      title: "Something went wrong",
      lead: "Your message could not be delivered. Nothing is lost: your text is below, and you can send it to us directly."
    },
    origin_not_allowed: {
      title: "Form not accepted from this site",
      lead: "This contact form only accepts messages from the site it belongs to."
    },
    method_not_allowed: {
      title: "Nothing to see here",
      lead: "This address receives contact form submissions only."
    },
    payload_too_large: {
      title: "Your message is too long",
      lead: "Your message was not sent because it is larger than this form accepts. Please shorten it and send again."
    },
    unsupported_media_type: {
      title: "Form not understood",
      lead: "Your message was not sent because the form was submitted in a format this address does not accept."
    },
    already_received: {
      title: "This message has probably arrived already",
      lead: "The anti-spam check reports that this form was already sent, or that it has expired: your message has most likely reached us. If you are not sure, send us your text directly; it is below."
    },
    rate_limited: {
      title: "Too many messages at once",
      lead: "Several messages came from your address in a short time, so this one was not accepted. Please wait a moment and send it again, or write to us directly."
    },
    form_not_found: {
      title: "Form not found",
      lead: "There is no contact form at this address. Please check the link on the site you came from."
    },
    delivery_kept: {
      title: "Your message is safe with us",
      lead: "It could not be delivered right now, but it is kept and will reach us as soon as the problem is fixed: you do not need to send it again. Your text is below."
    },
    delivery_unknown: {
      title: "Your message has probably reached us",
      lead: "We could not confirm that it arrived, but it most likely did, so please do not send it again. If you hear nothing from us within two working days, write to us directly; your text is below."
    }
  },
  sizeLimit: (characters) =>
    `A message may be up to ${characters.toLocaleString("en")} characters long.`,
  retryAfter: (seconds) => `Please try again in ${seconds} second${seconds === 1 ? "" : "s"}.`,
  fallbackLead: "You can also reach us directly:",
  fallbackEmail: "Email",
  fallbackPhone: "Phone",
  writeUs: "Write to us by email (your text is filled in)",
  yourMessage: "What you wrote",
  subjectLabel: "Subject",
  messageLabel: "Message",
  back: "Go back to the form",
  issues: {
    required: () => "is required",
    blank: () => "must not be blank",
    too_long: (max) => `must be at most ${max} characters`,
    invalid_email: () => "must be a valid email address",
    not_one_line: () => "must be a single line without control characters",
    control_characters: () => "must not contain control characters",
    invalid_characters: () =>
      "contains characters that cannot be sent (U+FFFE, U+FFFF or a broken character)",
    duplicate: () => "was sent more than once",
    alias_conflict: () =>
      "was sent in two fields (body and message): please send it in one field only",
    too_many_fields: (max) => `has more than ${max} extra fields`,
    bad_field_name: () =>
      "has a field name that is too long, not a single line or holds characters that cannot be sent",
    not_text: () => "must be text",
    unreadable: () => "could not be read"
  },
  fieldNames: {
    email: "Email",
    body: "Message",
    message: "Message",
    subject: "Subject",
    name: "Name",
    _body: "Form"
  },
  form: {
    title: "Contact us",
    intro: "Write us a message and we will answer by email.",
    name: "Your name",
    email: "Your email address",
    subject: "Subject",
    message: "Your message",
    send: "Send message",
    sending: "Sending…",
    required: "required",
    honeypot: "Leave this field empty",
    sent: "Thank you, your message was sent",
    sentLead: "We will answer you by email as soon as we can.",
    captchaOff: "Demo mode: the captcha is off and mail is saved to the local outbox, not sent.",
    outbox: "Outbox",
    languageName: "English",
    languageNav: "Language",
    captchaOffProduction: "The captcha is off: messages are sent without an anti-spam check.",
    another: "Write another message",
    outboxLead:
      "Messages the form sent, newest first. Each is saved as an .eml file in the outbox folder; nothing leaves this computer.",
    outboxEmpty: "No messages yet. Send one with the form.",
    outboxColumns: {
      date: "Date",
      subject: "Subject",
      from: "From",
      replyTo: "Reply-To"
    },
    notFound: { title: "Page not found", lead: "There is nothing at this address." }
  }
}
