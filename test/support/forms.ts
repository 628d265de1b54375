/**
 * Two sites' forms for the several-forms suites (contract §10): ACME with every
 * setting, Globex with the required ones. The Lambda suite adds each form's own captcha
 * secret.
 */
export const acmeForm = {
  to: "ACME Owner <owner@acme.example>",
  successUrl: "https://acme.example/thanks",
  successUrls: { de: "https://acme.example/de/danke" },
  origins: ["https://acme.example"],
  fallbackEmail: "info@acme.example",
  subjectPrefix: "[ACME] ",
  from: "ACME form <forms@acme.example>"
}

export const globexForm = {
  to: "Globex Sales <sales@globex.example>",
  successUrl: "https://globex.example/merci",
  origins: ["https://globex.example"],
  fallbackEmail: "help@globex.example"
}
