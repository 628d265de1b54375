import type { Strings } from "./strings"

// Running text addresses the visitor with "Lei" (lower-case pronouns, as current usage has
// it); buttons and links use the imperative Italian interfaces use ("Invia", "Torna").
export const it: Strings = {
  lang: "it",
  errors: {
    invalid_form: {
      title: "Controlli i dati del modulo",
      lead: "Il messaggio non è stato inviato perché alcuni campi vanno corretti:"
    },
    captcha_failed: {
      title: "Verifica anti-spam non superata",
      lead: "Il messaggio non è stato inviato perché la verifica anti-spam non è stata superata. Torni indietro, attenda il completamento della verifica e lo invii di nuovo."
    },
    delivery_failed: {
      title: "Qualcosa è andato storto",
      lead: "Non è stato possibile recapitare il suo messaggio. Non si è perso nulla: il testo è riportato qui sotto e può inviarcelo direttamente."
    },
    origin_not_allowed: {
      title: "Modulo non accettato da questo sito",
      lead: "Questo modulo di contatto accetta solo messaggi dal sito a cui appartiene."
    },
    method_not_allowed: {
      title: "Qui non c’è niente da vedere",
      lead: "Questo indirizzo riceve soltanto invii di moduli di contatto."
    },
    payload_too_large: {
      title: "Il messaggio è troppo lungo",
      lead: "Il messaggio non è stato inviato perché supera le dimensioni accettate da questo modulo. Lo accorci e lo invii di nuovo."
    },
    unsupported_media_type: {
      title: "Modulo non riconosciuto",
      lead: "Il messaggio non è stato inviato perché il modulo è arrivato in un formato che questo indirizzo non accetta."
    },
    already_received: {
      title: "Probabilmente questo messaggio ci è già arrivato",
      lead: "La verifica anti-spam segnala che questo modulo è già stato inviato oppure è scaduto: molto probabilmente il messaggio ci è già arrivato. Se ha dubbi, ci invii direttamente il testo, che trova qui sotto."
    },
    rate_limited: {
      title: "Troppi messaggi in poco tempo",
      lead: "Dal suo indirizzo sono arrivati diversi messaggi in poco tempo, quindi questo non è stato accettato. Attenda un momento e lo invii di nuovo, oppure ci scriva direttamente."
    },
    form_not_found: {
      title: "Modulo non trovato",
      lead: "A questo indirizzo non c’è alcun modulo di contatto. Controlli il link sul sito da cui proviene."
    },
    delivery_kept: {
      title: "Il suo messaggio è al sicuro",
      lead: "Al momento non è stato possibile recapitarlo, ma è conservato e ci arriverà appena il problema sarà risolto: non serve inviarlo di nuovo. Il testo è riportato qui sotto."
    },
    delivery_unknown: {
      title: "Probabilmente abbiamo ricevuto il suo messaggio",
      lead: "Non siamo riusciti a confermarne l’arrivo, ma molto probabilmente è arrivato: non lo invii di nuovo. Se non riceve nostre notizie entro due giorni lavorativi, ci scriva direttamente; il suo testo è qui sotto."
    }
  },
  sizeLimit: (characters) =>
    `Un messaggio può contenere fino a ${characters.toLocaleString("it")} caratteri.`,
  retryAfter: (seconds) => `Riprovi tra ${seconds} ${seconds === 1 ? "secondo" : "secondi"}.`,
  fallbackLead: "Può anche contattarci direttamente:",
  fallbackEmail: "E-mail",
  fallbackPhone: "Telefono",
  writeUs: "Scriverci per e-mail (con il testo già inserito)",
  yourMessage: "Quello che ha scritto",
  subjectLabel: "Oggetto",
  messageLabel: "Messaggio",
  back: "Torna al modulo",
  // After a field name, every one of them masculine (indirizzo, messaggio, oggetto, nome, modulo).
  issues: {
    required: () => "è obbligatorio",
    blank: () => "non può essere vuoto",
    too_long: (max) => `può contenere al massimo ${max} caratteri`,
    invalid_email: () => "deve essere un indirizzo e-mail valido",
    not_one_line: () => "deve stare su una sola riga, senza caratteri di controllo",
    control_characters: () => "non può contenere caratteri di controllo",
    invalid_characters: () =>
      "contiene caratteri che non si possono inviare (U+FFFE, U+FFFF o un carattere incompleto)",
    duplicate: () => "è stato inviato più volte",
    alias_conflict: () => "è stato inviato in due campi (body e message): invialo in un solo campo",
    too_many_fields: (max) => `ha più di ${max} campi aggiuntivi`,
    bad_field_name: () =>
      "ha un nome di campo troppo lungo, su più righe o con caratteri che non si possono inviare",
    not_text: () => "deve essere testo",
    unreadable: () => "non è leggibile"
  },
  fieldNames: {
    email: "Indirizzo e-mail",
    body: "Messaggio",
    message: "Messaggio",
    subject: "Oggetto",
    name: "Nome",
    _body: "Modulo"
  },
  form: {
    title: "Contatti",
    intro: "Ci scriva un messaggio: le risponderemo via e-mail.",
    name: "Il suo nome",
    email: "Il suo indirizzo e-mail",
    subject: "Oggetto",
    message: "Il suo messaggio",
    send: "Invia messaggio",
    sending: "Invio in corso…",
    required: "obbligatorio",
    honeypot: "Lasci vuoto questo campo",
    sent: "Grazie, il messaggio è stato inviato",
    sentLead: "Le risponderemo via e-mail il prima possibile.",
    captchaOff:
      "Modalità demo: il captcha è disattivato e le e-mail vengono salvate nella posta in uscita locale anziché essere inviate.",
    outbox: "Posta in uscita",
    languageName: "Italiano",
    languageNav: "Lingua",
    captchaOffProduction:
      "Il captcha è disattivato: i messaggi vengono inviati senza verifica anti-spam.",
    another: "Scrivi un altro messaggio",
    outboxLead:
      "Messaggi inviati dal modulo, dal più recente. Ognuno è salvato come file .eml nella cartella outbox; nulla lascia questo computer.",
    outboxEmpty: "Ancora nessun messaggio. Ne invii uno con il modulo.",
    outboxColumns: {
      date: "Data",
      subject: "Oggetto",
      from: "Da",
      replyTo: "Rispondi a"
    },
    notFound: { title: "Pagina non trovata", lead: "A questo indirizzo non c’è nulla." }
  }
}
