/**
 * GET /form.js: progressive enhancement of the form page (src/pages/form.ts). Served from
 * the same origin because the page's CSP allows no inline script. It posts the same
 * urlencoded body as the plain form, asks for JSON, and shows the answer inline: success,
 * each issue next to its field, or the fallback contact; the visitor's text stays in the
 * form. The words come from the form's `data-messages`, in the page's language.
 */
import { lineBreakSource } from "../domain/fields"

export const formScript = String.raw`"use strict";
(() => {
  const form = document.getElementById("contact-form");
  const status = document.getElementById("form-status");
  if (!form || !status || !window.fetch || !window.URLSearchParams) return;
  const t = JSON.parse(form.getAttribute("data-messages") || "{}");
  const button = form.querySelector("button[type=submit]");
  // The form's field names and where their errors go ("body" is an alias of "message").
  const fieldIds = { name: "f-name", email: "f-email", subject: "f-subject", message: "f-message", body: "f-message" };

  const el = (tag, text, attributes) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    return node;
  };

  const clear = () => {
    status.replaceChildren();
    status.className = "status";
    for (const id of new Set(Object.values(fieldIds))) {
      const input = document.getElementById(id);
      const error = document.getElementById(id + "-error");
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      error.textContent = "";
      error.hidden = true;
    }
  };

  const show = (kind, nodes, focus) => {
    status.className = "status " + kind;
    status.replaceChildren(...nodes);
    (focus || status).focus();
  };

  // RFC 6068, as the server's error page builds it: %20 (never +), CRLF, body cut to 1,500.
  const mailto = (email, subject, body) => {
    const params = [];
    if (subject) params.push("subject=" + encodeURIComponent(subject));
    if (body) {
      const cut = Array.from(body).slice(0, 1500).join("").replace(/${lineBreakSource}/g, "\r\n");
      params.push("body=" + encodeURIComponent(cut));
    }
    return "mailto:" + encodeURI(email) + (params.length > 0 ? "?" + params.join("&") : "");
  };

  const contact = (fallback, href) => {
    const list = el("ul");
    const email = el("li", t.fallbackEmail + ": ");
    email.append(el("a", fallback.email, { href }));
    list.append(email);
    if (fallback.phone) {
      const phone = el("li", t.fallbackPhone + ": ");
      phone.append(el("a", fallback.phone, { href: "tel:" + fallback.phone.replace(/[^0-9+]/g, "") }));
      list.append(phone);
    }
    return [el("p", t.fallbackLead), list];
  };

  const problem = (kind, extra) => {
    const words = t.errors[kind] || t.errors.delivery_failed;
    return [el("h2", words.title), el("p", words.lead), ...extra];
  };

  // Each problem in the summary (a link to its field) and next to its field.
  const invalid = (issues) => {
    const summary = el("ul");
    let first;
    for (const issue of issues) {
      const id = fieldIds[issue.field];
      const input = id && document.getElementById(id);
      const name = Object.hasOwn(t.fieldNames, issue.field) ? t.fieldNames[issue.field] : issue.field;
      const item = el("li");
      item.append(input ? el("a", name, { href: "#" + id }) : el("strong", name), " " + issue.message);
      summary.append(item);
      if (!input) continue;
      const error = document.getElementById(id + "-error");
      error.textContent = error.textContent ? error.textContent + "; " + issue.message : issue.message;
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id + "-error");
      first = first || input;
    }
    show("problem", problem("invalid_form", [summary]), first);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    clear();
    // Contract §12: milliseconds from the page's load to this submit (the visitor's clock
    // plays no part), a spam signal the server reads from _t.
    const elapsed = form.querySelector("input[name=_t]");
    if (elapsed) elapsed.value = String(Math.round(performance.now()));
    const data = new FormData(form);
    button.disabled = true;
    button.textContent = t.sending;
    form.setAttribute("aria-busy", "true");
    let answer;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        headers: { Accept: "application/json" },
        body: new URLSearchParams(data),
        credentials: "same-origin"
      });
      answer = await response.json();
    } catch {
      answer = undefined; // Unreachable, or not our answer: the visitor still gets the fallback.
    } finally {
      button.disabled = false;
      button.textContent = t.send;
      form.removeAttribute("aria-busy");
    }
    if (answer && answer.ok === true) {
      form.reset();
      show("ok", [el("h2", t.sent), el("p", t.sentLead)]);
    } else if (answer && answer.error === "invalid_form" && Array.isArray(answer.issues)) {
      invalid(answer.issues);
    } else if (answer && answer.error !== "delivery_failed" && t.errors[answer.error]) {
      show("problem", problem(answer.error, contact(t.fallback, mailto(t.fallback.email))));
    } else {
      const fallback = (answer && answer.fallback) || t.fallback;
      const href = fallback.mailto || mailto(fallback.email, String(data.get("subject") || ""), String(data.get("message") || ""));
      const write = el("p");
      write.append(el("a", t.writeUs, { href }));
      show("problem", problem("delivery_failed", [...contact(fallback, href), write]));
    }
  });
})();
`
