import type { Strings } from "./strings"

export const nl: Strings = {
  lang: "nl",
  errors: {
    invalid_form: {
      title: "Controleer het formulier",
      lead: "Uw bericht is niet verzonden, omdat enkele velden niet goed zijn ingevuld:"
    },
    captcha_failed: {
      title: "De spamcontrole is mislukt",
      lead: "Uw bericht is niet verzonden, omdat de spamcontrole niet is geslaagd. Ga terug, wacht tot de controle klaar is en verstuur het opnieuw."
    },
    delivery_failed: {
      title: "Er is iets misgegaan",
      lead: "Uw bericht kon niet worden afgeleverd. Er gaat niets verloren: uw tekst staat hieronder, en u kunt hem ons rechtstreeks sturen."
    },
    origin_not_allowed: {
      title: "Formulier niet geaccepteerd vanaf deze website",
      lead: "Dit contactformulier accepteert alleen berichten van de website waar het bij hoort."
    },
    method_not_allowed: {
      title: "Hier is niets te zien",
      lead: "Dit adres ontvangt alleen ingevulde contactformulieren."
    },
    payload_too_large: {
      title: "Uw bericht is te lang",
      lead: "Uw bericht is niet verzonden, omdat het groter is dan dit formulier toestaat. Maak het korter en verstuur het opnieuw."
    },
    unsupported_media_type: {
      title: "Formulier niet herkend",
      lead: "Uw bericht is niet verzonden, omdat het formulier is verstuurd in een formaat dat dit adres niet accepteert."
    },
    already_received: {
      title: "Dit bericht is waarschijnlijk al aangekomen",
      lead: "De spamcontrole meldt dat dit formulier al is verzonden of is verlopen: uw bericht heeft ons waarschijnlijk al bereikt. Twijfelt u, stuur ons uw tekst dan rechtstreeks; hij staat hieronder."
    },
    rate_limited: {
      title: "Te veel berichten tegelijk",
      lead: "Er kwamen in korte tijd meerdere berichten van uw adres, daarom is dit bericht niet geaccepteerd. Wacht even en verstuur het opnieuw, of schrijf ons rechtstreeks."
    },
    form_not_found: {
      title: "Formulier niet gevonden",
      lead: "Op dit adres staat geen contactformulier. Controleer de link op de website waar u vandaan komt."
    },
    delivery_kept: {
      title: "Uw bericht is veilig bij ons",
      lead: "Het kon nu niet worden afgeleverd, maar het wordt bewaard en bereikt ons zodra het probleem is opgelost: u hoeft het niet opnieuw te versturen. Uw tekst staat hieronder."
    },
    delivery_unknown: {
      title: "Uw bericht is waarschijnlijk bij ons aangekomen",
      lead: "We konden niet bevestigen dat het is aangekomen, maar dat is zeer waarschijnlijk wel zo: stuur het alstublieft niet opnieuw. Hoort u binnen twee werkdagen niets van ons, schrijf ons dan rechtstreeks; uw tekst staat hieronder."
    }
  },
  sizeLimit: (characters) =>
    `Een bericht mag maximaal ${characters.toLocaleString("nl")} tekens lang zijn.`,
  retryAfter: (seconds) =>
    `Probeer het over ${seconds} ${seconds === 1 ? "seconde" : "seconden"} opnieuw.`,
  fallbackLead: "U kunt ons ook rechtstreeks bereiken:",
  fallbackEmail: "E-mail",
  fallbackPhone: "Telefoon",
  writeUs: "Mail ons (uw tekst is al ingevuld)",
  yourMessage: "Wat u schreef",
  subjectLabel: "Onderwerp",
  messageLabel: "Bericht",
  back: "Terug naar het formulier",
  issues: {
    required: () => "is verplicht",
    blank: () => "mag niet leeg zijn",
    too_long: (max) => `mag maximaal ${max} tekens lang zijn`,
    invalid_email: () => "moet een geldig e-mailadres zijn",
    not_one_line: () => "moet één regel zijn, zonder stuurtekens",
    control_characters: () => "mag geen stuurtekens bevatten",
    invalid_characters: () =>
      "bevat tekens die niet kunnen worden verzonden (U+FFFE, U+FFFF of een onvolledig teken)",
    duplicate: () => "is meer dan eens verzonden",
    alias_conflict: () => "is in twee velden verzonden (body en message): stuur het in één veld",
    too_many_fields: (max) => `heeft meer dan ${max} extra velden`,
    bad_field_name: () =>
      "heeft een veldnaam die te lang is, uit meer dan één regel bestaat of tekens bevat die niet kunnen worden verzonden",
    not_text: () => "moet tekst zijn",
    unreadable: () => "kon niet worden gelezen"
  },
  fieldNames: {
    email: "E-mailadres",
    body: "Bericht",
    message: "Bericht",
    subject: "Onderwerp",
    name: "Naam",
    _body: "Formulier"
  },
  form: {
    title: "Contact",
    intro: "Stuur ons een bericht, dan antwoorden we per e-mail.",
    name: "Uw naam",
    email: "Uw e-mailadres",
    subject: "Onderwerp",
    message: "Uw bericht",
    send: "Bericht versturen",
    sending: "Bezig met versturen…",
    required: "verplicht",
    honeypot: "Laat dit veld leeg",
    sent: "Bedankt, uw bericht is verzonden",
    sentLead: "We antwoorden u zo snel mogelijk per e-mail.",
    captchaOff:
      "Demomodus: de captcha staat uit en e-mails worden lokaal in het Postvak UIT bewaard in plaats van verzonden.",
    outbox: "Postvak UIT",
    languageName: "Nederlands",
    languageNav: "Taal",
    captchaOffProduction: "De captcha staat uit: berichten worden zonder spamcontrole verzonden.",
    another: "Nog een bericht schrijven",
    outboxLead:
      "Berichten die het formulier heeft verzonden, nieuwste eerst. Elk bericht wordt als .eml-bestand in de map outbox opgeslagen; niets verlaat deze computer.",
    outboxEmpty: "Nog geen berichten. Verstuur er een met het formulier.",
    outboxColumns: {
      date: "Datum",
      subject: "Onderwerp",
      from: "Van",
      replyTo: "Antwoord aan"
    },
    notFound: { title: "Pagina niet gevonden", lead: "Op dit adres is niets te vinden." }
  }
}
