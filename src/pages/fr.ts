import type { Strings } from "./strings"

// French typography: a no-break space (U+00A0) before ":" and ";", typographic apostrophes.
const one = new Intl.PluralRules("fr")

export const fr: Strings = {
  lang: "fr",
  errors: {
    invalid_form: {
      title: "Veuillez vérifier le formulaire",
      lead: "Votre message n’a pas été envoyé, car certains champs sont à corriger :"
    },
    captcha_failed: {
      title: "La vérification anti-spam a échoué",
      lead: "Votre message n’a pas été envoyé, car la vérification anti-spam n’a pas abouti. Veuillez revenir en arrière, attendre la fin de la vérification, puis envoyer à nouveau."
    },
    delivery_failed: {
      title: "Un problème est survenu",
      lead: "Votre message n’a pas pu être transmis. Rien n’est perdu : votre texte figure ci-dessous, et vous pouvez nous l’envoyer directement."
    },
    origin_not_allowed: {
      title: "Formulaire non accepté depuis ce site",
      lead: "Ce formulaire de contact n’accepte que les messages envoyés depuis le site auquel il appartient."
    },
    method_not_allowed: {
      title: "Il n’y a rien à voir ici",
      lead: "Cette adresse reçoit uniquement les envois de formulaires de contact."
    },
    payload_too_large: {
      title: "Votre message est trop long",
      lead: "Votre message n’a pas été envoyé, car il dépasse la taille acceptée par ce formulaire. Veuillez le raccourcir et l’envoyer à nouveau."
    },
    unsupported_media_type: {
      title: "Format du formulaire non reconnu",
      lead: "Votre message n’a pas été envoyé, car le formulaire a été transmis dans un format que cette adresse n’accepte pas."
    },
    already_received: {
      title: "Ce message nous est sans doute déjà parvenu",
      lead: "La vérification anti-spam indique que ce formulaire a déjà été envoyé ou qu’il a expiré : votre message nous est très probablement parvenu. En cas de doute, envoyez-nous directement votre texte ; il figure ci-dessous."
    },
    rate_limited: {
      title: "Trop de messages à la fois",
      lead: "Plusieurs messages ont été envoyés depuis votre adresse en peu de temps ; celui-ci n’a donc pas été accepté. Veuillez patienter un instant avant de le renvoyer, ou écrivez-nous directement."
    },
    form_not_found: {
      title: "Formulaire introuvable",
      lead: "Il n’y a pas de formulaire de contact à cette adresse. Veuillez vérifier le lien sur le site d’où vous venez."
    },
    delivery_kept: {
      title: "Votre message est entre de bonnes mains",
      lead: "Il n’a pas pu être transmis pour l’instant, mais il est conservé et nous parviendra dès que le problème sera résolu : inutile de le renvoyer. Votre texte figure ci-dessous."
    },
    delivery_unknown: {
      title: "Votre message nous est probablement parvenu",
      lead: "Nous n’avons pas pu confirmer sa réception, mais il est très probablement arrivé : merci de ne pas le renvoyer. Si vous n’avez pas de nouvelles de nous sous deux jours ouvrés, écrivez-nous directement ; votre texte figure ci-dessous."
    }
  },
  sizeLimit: (characters) =>
    `Un message peut compter jusqu’à ${characters.toLocaleString("fr")} caractères.`,
  // French counts 0 and 1 as singular: "dans 1 seconde", "dans 2 secondes".
  retryAfter: (seconds) =>
    `Veuillez réessayer dans ${seconds} ${one.select(seconds) === "one" ? "seconde" : "secondes"}.`,
  fallbackLead: "Vous pouvez aussi nous joindre directement :",
  fallbackEmail: "E-mail",
  fallbackPhone: "Téléphone",
  writeUs: "Nous écrire par e-mail (votre texte est prérempli)",
  yourMessage: "Ce que vous avez écrit",
  subjectLabel: "Objet",
  messageLabel: "Message",
  back: "Retour au formulaire",
  // After a field name, every one of them masculine (e-mail, message, objet, nom, formulaire).
  issues: {
    required: () => "est obligatoire",
    blank: () => "ne doit pas être vide",
    too_long: (max) => `ne doit pas dépasser ${max} caractères`,
    invalid_email: () => "doit être une adresse e-mail valide",
    not_one_line: () => "doit tenir sur une seule ligne, sans caractères de contrôle",
    control_characters: () => "ne doit pas contenir de caractères de contrôle",
    invalid_characters: () =>
      "contient des caractères qui ne peuvent pas être envoyés (U+FFFE, U+FFFF ou un caractère incomplet)",
    duplicate: () => "a été envoyé plusieurs fois",
    alias_conflict: () =>
      "a été envoyé dans deux champs (body et message) : envoyez-le dans un seul champ",
    too_many_fields: (max) => `contient plus de ${max} champs supplémentaires`,
    bad_field_name: () =>
      "contient un nom de champ trop long, sur plusieurs lignes ou avec des caractères qui ne peuvent pas être envoyés",
    not_text: () => "doit être du texte",
    unreadable: () => "n’a pas pu être lu"
  },
  fieldNames: {
    email: "E-mail",
    body: "Message",
    message: "Message",
    subject: "Objet",
    name: "Nom",
    _body: "Formulaire"
  },
  form: {
    title: "Nous contacter",
    intro: "Écrivez-nous un message, nous vous répondrons par e-mail.",
    name: "Votre nom",
    email: "Votre adresse e-mail",
    subject: "Objet",
    message: "Votre message",
    send: "Envoyer le message",
    sending: "Envoi en cours…",
    required: "obligatoire",
    honeypot: "Laissez ce champ vide",
    sent: "Merci, votre message a bien été envoyé",
    sentLead: "Nous vous répondrons par e-mail dans les meilleurs délais.",
    captchaOff:
      "Mode démo : le captcha est désactivé et les e-mails sont enregistrés dans la boîte d’envoi locale au lieu d’être envoyés.",
    outbox: "Boîte d’envoi",
    languageName: "Français",
    languageNav: "Langue",
    captchaOffProduction:
      "Le captcha est désactivé : les messages sont envoyés sans vérification anti-spam.",
    another: "Écrire un autre message",
    outboxLead:
      "Messages envoyés par le formulaire, du plus récent au plus ancien. Chacun est enregistré sous forme de fichier .eml dans le dossier outbox ; rien ne quitte cet ordinateur.",
    outboxEmpty: "Aucun message pour l’instant. Envoyez-en un avec le formulaire.",
    outboxColumns: {
      date: "Date",
      subject: "Objet",
      from: "De",
      replyTo: "Répondre à"
    },
    notFound: { title: "Page introuvable", lead: "Il n’y a rien à cette adresse." }
  }
}
