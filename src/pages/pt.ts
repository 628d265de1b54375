import type { Strings } from "./strings"

// One file for Portugal and Brazil: the post-1990 spelling both share, impersonal and
// third-person forms (never "tu" nor "você"), and words written alike on both sides, so no
// contacto/contato, aceite/aceito, a enviar/enviando, connosco/conosco.
export const pt: Strings = {
  lang: "pt",
  errors: {
    invalid_form: {
      title: "Verifique o formulário",
      lead: "A mensagem não foi enviada porque há problemas em alguns campos:"
    },
    captcha_failed: {
      title: "A verificação contra spam falhou",
      lead: "A mensagem não foi enviada porque não passou na verificação contra spam. Volte à página anterior, aguarde até a verificação terminar e envie novamente."
    },
    delivery_failed: {
      title: "Ocorreu um problema",
      lead: "Não foi possível entregar a mensagem. Nada se perdeu: o seu texto está abaixo e pode enviá-lo diretamente para nós."
    },
    origin_not_allowed: {
      title: "Este formulário não aceita envios deste site",
      lead: "Este formulário só aceita mensagens do site a que pertence."
    },
    method_not_allowed: {
      title: "Não há nada para ver aqui",
      lead: "Este endereço só recebe envios de formulários."
    },
    payload_too_large: {
      title: "A mensagem é muito longa",
      lead: "A mensagem não foi enviada porque excede o tamanho que este formulário aceita. Encurte-a e envie novamente."
    },
    unsupported_media_type: {
      title: "Formulário não reconhecido",
      lead: "A mensagem não foi enviada porque este endereço não aceita o formato em que o formulário foi enviado."
    },
    already_received: {
      title: "Esta mensagem provavelmente já chegou",
      lead: "A verificação contra spam indica que este formulário já foi enviado ou expirou: é muito provável que a mensagem já nos tenha chegado. Em caso de dúvida, envie-nos diretamente o texto, que está abaixo."
    },
    rate_limited: {
      title: "Muitas mensagens em pouco tempo",
      lead: "Chegaram várias mensagens do seu endereço em pouco tempo, por isso esta foi recusada. Aguarde um momento e envie-a novamente, ou escreva-nos diretamente."
    },
    form_not_found: {
      title: "Formulário não encontrado",
      lead: "Não existe nenhum formulário neste endereço. Verifique o link no site de onde veio."
    },
    delivery_kept: {
      title: "A sua mensagem está guardada em segurança",
      lead: "Não foi possível entregá-la agora, mas está guardada e chegará até nós assim que o problema for resolvido: não é necessário enviá-la novamente. O seu texto está abaixo."
    },
    delivery_unknown: {
      title: "A sua mensagem provavelmente chegou até nós",
      lead: "Não conseguimos confirmar que chegou, mas muito provavelmente chegou: por favor, não a envie novamente. Se não tiver notícias nossas dentro de dois dias úteis, escreva-nos diretamente; o seu texto está abaixo."
    }
  },
  sizeLimit: (characters) =>
    `Uma mensagem pode ter até ${characters.toLocaleString("pt")} caracteres.`,
  retryAfter: (seconds) =>
    `Tente novamente daqui a ${seconds} ${seconds === 1 ? "segundo" : "segundos"}.`,
  fallbackLead: "Também pode chegar até nós diretamente:",
  fallbackEmail: "E-mail",
  fallbackPhone: "Telefone",
  writeUs: "Escrever por e-mail (com o seu texto já preenchido)",
  yourMessage: "O que escreveu",
  subjectLabel: "Assunto",
  messageLabel: "Mensagem",
  back: "Voltar ao formulário",
  // Without gender: they follow a field name, and "Mensagem" is feminine, the others not.
  issues: {
    required: () => "é de preenchimento obrigatório",
    blank: () => "não pode estar em branco",
    too_long: (max) => `pode ter no máximo ${max} caracteres`,
    invalid_email: () => "deve ser um endereço de e-mail válido",
    not_one_line: () => "deve ocupar uma só linha, sem caracteres não imprimíveis",
    control_characters: () => "não pode conter caracteres não imprimíveis",
    invalid_characters: () =>
      "contém caracteres que não podem ser enviados (U+FFFE, U+FFFF ou um carácter incompleto)",
    duplicate: () => "aparece mais de uma vez",
    alias_conflict: () => "aparece em dois campos (body e message): envie o texto num só campo",
    too_many_fields: (max) => `tem mais de ${max} campos adicionais`,
    bad_field_name: () =>
      "tem um nome de campo muito longo, com mais de uma linha ou com caracteres que não podem ser enviados",
    not_text: () => "deve ser texto",
    unreadable: () => "está ilegível"
  },
  fieldNames: {
    email: "E-mail",
    body: "Mensagem",
    message: "Mensagem",
    subject: "Assunto",
    name: "Nome",
    _body: "Formulário"
  },
  form: {
    title: "Envie-nos uma mensagem",
    intro: "Escreva a sua mensagem e responderemos por e-mail.",
    name: "Nome",
    email: "Endereço de e-mail",
    subject: "Assunto",
    message: "Mensagem",
    send: "Enviar mensagem",
    sending: "Aguarde…",
    required: "obrigatório",
    honeypot: "Deixe este campo vazio",
    sent: "Obrigado, a mensagem foi enviada",
    sentLead: "Responderemos por e-mail assim que possível.",
    captchaOff:
      "Modo de demonstração: o captcha está desativado e os e-mails são guardados na caixa de saída local em vez de serem enviados.",
    outbox: "Caixa de saída",
    languageName: "Português",
    languageNav: "Idioma",
    captchaOffProduction:
      "O captcha está desativado: as mensagens são enviadas sem verificação contra spam.",
    another: "Escrever outra mensagem",
    outboxLead:
      "Mensagens enviadas pelo formulário, das mais recentes para as mais antigas. Cada uma é guardada em formato .eml na pasta outbox; nada sai deste computador.",
    outboxEmpty: "Ainda não há mensagens. Envie uma com o formulário.",
    outboxColumns: {
      date: "Data",
      subject: "Assunto",
      from: "De",
      replyTo: "Responder a"
    },
    notFound: { title: "Página não encontrada", lead: "Não há nada neste endereço." }
  }
}
