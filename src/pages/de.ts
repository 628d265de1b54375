import type { Strings } from "./strings"

export const de: Strings = {
  lang: "de",
  errors: {
    invalid_form: {
      title: "Bitte prüfen Sie das Formular",
      lead: "Ihre Nachricht wurde nicht gesendet, weil einige Felder korrigiert werden müssen:"
    },
    captcha_failed: {
      title: "Die Spam-Prüfung ist fehlgeschlagen",
      lead: "Ihre Nachricht wurde nicht gesendet, weil die Anti-Spam-Prüfung nicht bestanden wurde. Bitte gehen Sie zurück, warten Sie, bis die Prüfung abgeschlossen ist, und senden Sie erneut."
    },
    delivery_failed: {
      title: "Leider ist etwas schiefgelaufen",
      lead: "Ihre Nachricht konnte nicht zugestellt werden. Es geht nichts verloren: Ihr Text steht unten, und Sie können ihn uns direkt senden."
    },
    origin_not_allowed: {
      title: "Formular von dieser Website nicht angenommen",
      lead: "Dieses Kontaktformular nimmt nur Nachrichten von der zugehörigen Website an."
    },
    method_not_allowed: {
      title: "Hier gibt es nichts zu sehen",
      lead: "Diese Adresse nimmt nur Kontaktformulare entgegen."
    },
    payload_too_large: {
      title: "Ihre Nachricht ist zu lang",
      lead: "Ihre Nachricht wurde nicht gesendet, weil sie größer ist, als dieses Formular annimmt. Bitte kürzen Sie sie und senden Sie erneut."
    },
    unsupported_media_type: {
      title: "Formular nicht verstanden",
      lead: "Ihre Nachricht wurde nicht gesendet, weil das Formular in einem Format übermittelt wurde, das diese Adresse nicht annimmt."
    },
    already_received: {
      title: "Diese Nachricht ist wahrscheinlich schon angekommen",
      lead: "Die Anti-Spam-Prüfung meldet, dass dieses Formular bereits gesendet wurde oder abgelaufen ist: Ihre Nachricht hat uns sehr wahrscheinlich schon erreicht. Wenn Sie unsicher sind, senden Sie uns Ihren Text direkt; er steht unten."
    },
    rate_limited: {
      title: "Zu viele Nachrichten auf einmal",
      lead: "Von Ihrer Adresse kamen in kurzer Zeit mehrere Nachrichten, deshalb wurde diese nicht angenommen. Bitte warten Sie einen Moment und senden Sie sie erneut, oder schreiben Sie uns direkt."
    },
    form_not_found: {
      title: "Formular nicht gefunden",
      lead: "Unter dieser Adresse gibt es kein Kontaktformular. Bitte prüfen Sie den Link auf der Website, von der Sie kommen."
    },
    delivery_kept: {
      title: "Ihre Nachricht ist bei uns sicher",
      lead: "Sie konnte gerade nicht zugestellt werden, wird aber aufbewahrt und erreicht uns, sobald das Problem behoben ist: Sie müssen sie nicht noch einmal senden. Ihr Text steht unten."
    },
    delivery_unknown: {
      title: "Ihre Nachricht hat uns wahrscheinlich erreicht",
      lead: "Wir konnten den Empfang nicht bestätigen, aber sie ist sehr wahrscheinlich angekommen: Bitte senden Sie sie nicht noch einmal. Wenn Sie innerhalb von zwei Werktagen nichts von uns hören, schreiben Sie uns direkt; Ihr Text steht unten."
    }
  },
  sizeLimit: (characters) =>
    `Eine Nachricht darf bis zu ${characters.toLocaleString("de")} Zeichen lang sein.`,
  retryAfter: (seconds) =>
    `Bitte versuchen Sie es in ${seconds} ${seconds === 1 ? "Sekunde" : "Sekunden"} erneut.`,
  fallbackLead: "Sie erreichen uns auch direkt:",
  fallbackEmail: "E-Mail",
  fallbackPhone: "Telefon",
  writeUs: "Per E-Mail schreiben (Ihr Text ist schon eingetragen)",
  yourMessage: "Was Sie geschrieben haben",
  subjectLabel: "Betreff",
  messageLabel: "Nachricht",
  back: "Zurück zum Formular",
  issues: {
    required: () => "ist ein Pflichtfeld",
    blank: () => "darf nicht leer sein",
    too_long: (max) => `darf höchstens ${max} Zeichen lang sein`,
    invalid_email: () => "muss eine gültige E-Mail-Adresse sein",
    not_one_line: () => "muss eine einzelne Zeile ohne Steuerzeichen sein",
    control_characters: () => "darf keine Steuerzeichen enthalten",
    invalid_characters: () =>
      "enthält Zeichen, die nicht gesendet werden können (U+FFFE, U+FFFF oder ein defektes Zeichen)",
    duplicate: () => "wurde mehrfach gesendet",
    alias_conflict: () =>
      "wurde in zwei Feldern gesendet (body und message): bitte nur in einem Feld senden",
    too_many_fields: (max) => `hat mehr als ${max} zusätzliche Felder`,
    bad_field_name: () =>
      "hat einen Feldnamen, der zu lang oder nicht einzeilig ist oder Zeichen enthält, die nicht gesendet werden können",
    not_text: () => "muss Text sein",
    unreadable: () => "konnte nicht gelesen werden"
  },
  fieldNames: {
    email: "E-Mail",
    body: "Nachricht",
    message: "Nachricht",
    subject: "Betreff",
    name: "Name",
    _body: "Formular"
  },
  form: {
    title: "Kontakt",
    intro: "Schreiben Sie uns eine Nachricht, wir antworten per E-Mail.",
    name: "Ihr Name",
    email: "Ihre E-Mail-Adresse",
    subject: "Betreff",
    message: "Ihre Nachricht",
    send: "Nachricht senden",
    sending: "Wird gesendet …",
    required: "Pflichtfeld",
    honeypot: "Dieses Feld bitte leer lassen",
    sent: "Danke, Ihre Nachricht wurde gesendet",
    sentLead: "Wir antworten Ihnen so bald wie möglich per E-Mail.",
    captchaOff:
      "Demo-Modus: Das Captcha ist aus, und E-Mails werden im lokalen Postausgang gespeichert statt versendet.",
    outbox: "Postausgang",
    languageName: "Deutsch",
    languageNav: "Sprache",
    captchaOffProduction:
      "Das Captcha ist aus: Nachrichten werden ohne Anti-Spam-Prüfung gesendet.",
    another: "Weitere Nachricht schreiben",
    outboxLead:
      "Vom Formular gesendete Nachrichten, die neuesten zuerst. Jede wird als .eml-Datei im Ordner outbox gespeichert; nichts verlässt diesen Rechner.",
    outboxEmpty: "Noch keine Nachrichten. Senden Sie eine mit dem Formular.",
    outboxColumns: {
      date: "Datum",
      subject: "Betreff",
      from: "Von",
      replyTo: "Antwort an"
    },
    notFound: { title: "Seite nicht gefunden", lead: "Unter dieser Adresse gibt es nichts." }
  }
}
