import type { Strings } from "./strings"

export const es: Strings = {
  lang: "es",
  errors: {
    invalid_form: {
      title: "Revise el formulario",
      lead: "Su mensaje no se ha enviado porque hay campos que debe corregir:"
    },
    captcha_failed: {
      title: "No se ha superado la comprobación antispam",
      lead: "Su mensaje no se ha enviado porque no ha superado la comprobación antispam. Vuelva atrás, espere a que termine la comprobación y envíelo de nuevo."
    },
    delivery_failed: {
      title: "Lo sentimos, algo ha salido mal",
      lead: "No se ha podido entregar su mensaje. No se ha perdido nada: su texto aparece a continuación y puede enviárnoslo directamente."
    },
    origin_not_allowed: {
      title: "Formulario no aceptado desde este sitio",
      lead: "Este formulario de contacto solo acepta mensajes del sitio web al que pertenece."
    },
    method_not_allowed: {
      title: "Aquí no hay nada que ver",
      lead: "Esta dirección solo recibe envíos de formularios de contacto."
    },
    payload_too_large: {
      title: "Su mensaje es demasiado largo",
      lead: "Su mensaje no se ha enviado porque supera el tamaño que admite este formulario. Acórtelo y envíelo de nuevo."
    },
    unsupported_media_type: {
      title: "Formulario no reconocido",
      lead: "Su mensaje no se ha enviado porque el formulario llegó en un formato que esta dirección no admite."
    },
    already_received: {
      title: "Probablemente este mensaje ya nos ha llegado",
      lead: "La comprobación antispam indica que este formulario ya se envió o que ha caducado: lo más probable es que su mensaje ya nos haya llegado. Si tiene dudas, envíenos su texto directamente; lo encontrará a continuación."
    },
    rate_limited: {
      title: "Demasiados mensajes seguidos",
      lead: "Desde su dirección se han enviado varios mensajes en poco tiempo, por lo que este no se ha aceptado. Espere un momento y vuelva a enviarlo, o escríbanos directamente."
    },
    form_not_found: {
      title: "Formulario no encontrado",
      lead: "No hay ningún formulario de contacto en esta dirección. Compruebe el enlace en el sitio web del que viene."
    },
    delivery_kept: {
      title: "Su mensaje está a salvo",
      lead: "No se ha podido entregar ahora mismo, pero lo guardamos y nos llegará en cuanto se resuelva el problema: no hace falta que lo envíe de nuevo. Su texto aparece a continuación."
    },
    delivery_unknown: {
      title: "Probablemente hemos recibido su mensaje",
      lead: "No hemos podido confirmar que llegara, pero lo más probable es que sí: por favor, no lo envíe de nuevo. Si no sabe nada de nosotros en dos días laborables, escríbanos directamente; su texto está abajo."
    }
  },
  sizeLimit: (characters) =>
    `Un mensaje puede tener hasta ${characters.toLocaleString("es")} caracteres.`,
  retryAfter: (seconds) =>
    `Vuelva a intentarlo dentro de ${seconds} ${seconds === 1 ? "segundo" : "segundos"}.`,
  fallbackLead: "También puede contactarnos directamente:",
  fallbackEmail: "Correo electrónico",
  fallbackPhone: "Teléfono",
  writeUs: "Escribirnos por correo electrónico (con su texto ya incluido)",
  yourMessage: "Lo que ha escrito",
  subjectLabel: "Asunto",
  messageLabel: "Mensaje",
  back: "Volver al formulario",
  // After a field name, every one of them masculine (correo, mensaje, asunto, nombre, formulario).
  issues: {
    required: () => "es obligatorio",
    blank: () => "no puede estar vacío",
    too_long: (max) => `no puede superar los ${max} caracteres`,
    invalid_email: () => "debe ser una dirección de correo electrónico válida",
    not_one_line: () => "debe ocupar una sola línea, sin caracteres de control",
    control_characters: () => "no puede contener caracteres de control",
    invalid_characters: () =>
      "contiene caracteres que no se pueden enviar (U+FFFE, U+FFFF o un carácter incompleto)",
    duplicate: () => "se ha enviado más de una vez",
    alias_conflict: () => "se ha enviado en dos campos (body y message): envíelo en un solo campo",
    too_many_fields: (max) => `tiene más de ${max} campos adicionales`,
    bad_field_name: () =>
      "tiene un nombre de campo demasiado largo, de más de una línea o con caracteres que no se pueden enviar",
    not_text: () => "debe ser texto",
    unreadable: () => "no se ha podido leer"
  },
  fieldNames: {
    email: "Correo electrónico",
    body: "Mensaje",
    message: "Mensaje",
    subject: "Asunto",
    name: "Nombre",
    _body: "Formulario"
  },
  form: {
    title: "Contacto",
    intro: "Escríbanos un mensaje y le responderemos por correo electrónico.",
    name: "Su nombre",
    email: "Su correo electrónico",
    subject: "Asunto",
    message: "Su mensaje",
    send: "Enviar mensaje",
    sending: "Enviando…",
    required: "obligatorio",
    honeypot: "Deje este campo vacío",
    sent: "Gracias, su mensaje se ha enviado",
    sentLead: "Le responderemos por correo electrónico lo antes posible.",
    captchaOff:
      "Modo de demostración: el captcha está desactivado y los correos se guardan en la bandeja de salida local en lugar de enviarse.",
    outbox: "Bandeja de salida",
    languageName: "Español",
    languageNav: "Idioma",
    captchaOffProduction:
      "El captcha está desactivado: los mensajes se envían sin comprobación antispam.",
    another: "Escribir otro mensaje",
    outboxLead:
      "Mensajes enviados por el formulario, del más reciente al más antiguo. Cada uno se guarda como archivo .eml en la carpeta outbox; nada sale de este equipo.",
    outboxEmpty: "Todavía no hay mensajes. Envíe uno con el formulario.",
    outboxColumns: {
      date: "Fecha",
      subject: "Asunto",
      from: "De",
      replyTo: "Responder a"
    },
    notFound: { title: "Página no encontrada", lead: "No hay nada en esta dirección." }
  }
}
