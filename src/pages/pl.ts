import type { Strings } from "./strings"

// As Polish sites write: sentences impersonal or with "prosimy" (no stiff "Pan/Pani"),
// buttons and links in the imperative. Messages after a field name avoid gendered forms:
// "Wiadomość" is feminine, "E-mail" and "Temat" masculine.
const rules = new Intl.PluralRules("pl")

/** Polish nouns after a number: 1 sekundę, 2–4 (22–24, …) sekundy, 5–21 (25, …) sekund. */
const counted = (n: number, forms: { one: string; few: string; many: string }) => {
  const category = rules.select(n)
  return category === "one" ? forms.one : category === "few" ? forms.few : forms.many
}

const characters = (n: number) => counted(n, { one: "znak", few: "znaki", many: "znaków" })

export const pl: Strings = {
  lang: "pl",
  errors: {
    invalid_form: {
      title: "Formularz wymaga poprawek",
      lead: "Wiadomość nie została wysłana, ponieważ niektóre pola wymagają poprawienia:"
    },
    captcha_failed: {
      title: "Weryfikacja antyspamowa nie powiodła się",
      lead: "Wiadomość nie została wysłana, ponieważ nie przeszła weryfikacji antyspamowej. Prosimy wrócić do formularza, poczekać na zakończenie weryfikacji i wysłać ją ponownie."
    },
    delivery_failed: {
      title: "Coś poszło nie tak",
      lead: "Nie udało się dostarczyć wiadomości. Nic nie przepadło: jej treść znajduje się poniżej i można ją wysłać do nas bezpośrednio."
    },
    origin_not_allowed: {
      title: "Formularz nie jest przyjmowany z tej strony",
      lead: "Ten formularz kontaktowy przyjmuje wiadomości tylko ze strony, do której należy."
    },
    method_not_allowed: {
      title: "Nic tu nie ma",
      lead: "Ten adres służy wyłącznie do przyjmowania formularzy kontaktowych."
    },
    payload_too_large: {
      title: "Wiadomość jest za długa",
      lead: "Wiadomość nie została wysłana, ponieważ przekracza rozmiar akceptowany przez ten formularz. Prosimy ją skrócić i wysłać ponownie."
    },
    unsupported_media_type: {
      title: "Nieobsługiwany format formularza",
      lead: "Wiadomość nie została wysłana, ponieważ formularz przesłano w formacie, którego ten adres nie obsługuje."
    },
    already_received: {
      title: "Ta wiadomość prawdopodobnie już do nas dotarła",
      lead: "Weryfikacja antyspamowa zgłasza, że ten formularz został już wysłany albo wygasł: wiadomość najpewniej już do nas dotarła. W razie wątpliwości prosimy wysłać nam jej treść bezpośrednio – znajduje się poniżej."
    },
    rate_limited: {
      title: "Zbyt wiele wiadomości naraz",
      lead: "Z tego adresu wysłano w krótkim czasie kilka wiadomości, dlatego ta nie została przyjęta. Prosimy chwilę poczekać i wysłać ją ponownie albo napisać do nas bezpośrednio."
    },
    form_not_found: {
      title: "Nie znaleziono formularza",
      lead: "Pod tym adresem nie ma formularza kontaktowego. Prosimy sprawdzić link na stronie, która tu prowadzi."
    },
    delivery_kept: {
      title: "Wiadomość jest u nas bezpieczna",
      lead: "Nie udało się jej teraz dostarczyć, ale została zachowana i dotrze do nas, gdy tylko problem zostanie usunięty: nie trzeba wysyłać jej ponownie. Jej treść znajduje się poniżej."
    },
    delivery_unknown: {
      title: "Twoja wiadomość najprawdopodobniej do nas dotarła",
      lead: "Nie udało się potwierdzić jej doręczenia, ale najprawdopodobniej dotarła: prosimy nie wysyłać jej ponownie. Jeśli w ciągu dwóch dni roboczych nie otrzymasz od nas odpowiedzi, napisz do nas bezpośrednio; Twój tekst znajduje się poniżej."
    }
  },
  sizeLimit: (limit) =>
    `Wiadomość może mieć najwyżej ${limit.toLocaleString("pl")} ${characters(limit)}.`,
  retryAfter: (seconds) =>
    `Prosimy spróbować ponownie za ${seconds} ${counted(seconds, { one: "sekundę", few: "sekundy", many: "sekund" })}.`,
  fallbackLead: "Można też skontaktować się z nami bezpośrednio:",
  fallbackEmail: "E-mail",
  fallbackPhone: "Telefon",
  writeUs: "Wyślij do nas e-mail (treść jest już wpisana)",
  yourMessage: "Wprowadzona treść",
  subjectLabel: "Temat",
  messageLabel: "Wiadomość",
  back: "Wróć do formularza",
  issues: {
    required: () => "wymaga wypełnienia",
    blank: () => "nie może składać się z samych spacji",
    too_long: (max) => `może mieć najwyżej ${max} ${characters(max)}`,
    invalid_email: () => "musi być poprawnym adresem e-mail",
    not_one_line: () => "musi mieścić się w jednym wierszu, bez znaków sterujących",
    control_characters: () => "nie może zawierać znaków sterujących",
    invalid_characters: () =>
      "zawiera znaki, których nie można wysłać (U+FFFE, U+FFFF lub niepełny znak)",
    duplicate: () => "występuje więcej niż raz",
    alias_conflict: () => "występuje w dwóch polach (body i message): wyślij ją tylko w jednym",
    too_many_fields: (max) => `ma więcej niż ${max} dodatkowych pól`,
    bad_field_name: () =>
      "zawiera pole o zbyt długiej lub wielowierszowej nazwie albo o nazwie ze znakami, których nie można wysłać",
    not_text: () => "musi być tekstem",
    unreadable: () => "nie daje się odczytać"
  },
  fieldNames: {
    email: "E-mail",
    body: "Wiadomość",
    message: "Wiadomość",
    subject: "Temat",
    name: "Imię i nazwisko",
    _body: "Formularz"
  },
  form: {
    title: "Kontakt",
    intro: "Chętnie odpowiemy na wiadomość e-mailem.",
    name: "Imię i nazwisko",
    email: "Adres e-mail",
    subject: "Temat",
    message: "Wiadomość",
    send: "Wyślij wiadomość",
    sending: "Wysyłanie…",
    required: "wymagane",
    honeypot: "Tego pola nie należy wypełniać",
    sent: "Dziękujemy, wiadomość została wysłana",
    sentLead: "Odpowiemy e-mailem najszybciej, jak to możliwe.",
    captchaOff:
      "Tryb demonstracyjny: captcha jest wyłączona, a e-maile trafiają do lokalnej skrzynki nadawczej, zamiast zostać wysłane.",
    outbox: "Skrzynka nadawcza",
    languageName: "Polski",
    languageNav: "Język",
    captchaOffProduction:
      "Captcha jest wyłączona: wiadomości są wysyłane bez weryfikacji antyspamowej.",
    another: "Napisz kolejną wiadomość",
    outboxLead:
      "Wiadomości wysłane przez formularz, od najnowszych. Każda jest zapisywana jako plik .eml w folderze outbox; nic nie opuszcza tego komputera.",
    outboxEmpty: "Nie ma jeszcze wiadomości. Można wysłać pierwszą za pomocą formularza.",
    outboxColumns: {
      date: "Data",
      subject: "Temat",
      from: "Od",
      replyTo: "Odpowiedź do"
    },
    notFound: { title: "Nie znaleziono strony", lead: "Pod tym adresem nic nie ma." }
  }
}
