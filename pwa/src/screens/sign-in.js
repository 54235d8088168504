// Sign in (needs the network once; the session then lasts the day offline).
import { t, toggleLanguage } from "../i18n.js";
import { signIn } from "../session.js";
import { h } from "../ui.js";

export function signInScreen(app, message = "") {
  const error = h("p", { class: "error", role: "alert", id: "sign-in-error" }, message);
  const form = h("form", { class: "card", id: "sign-in", onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await app.started(await signIn(String(data.get("username")), String(data.get("password"))));
    } catch (failure) {
      error.textContent = failure.message;
    }
  } },
    h("h1", {}, t("sign_in")),
    h("label", { for: "username" }, t("username")),
    h("input", { id: "username", name: "username", autocomplete: "username", required: true }),
    h("label", { for: "password" }, t("password")),
    h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true }),
    error,
    h("button", { type: "submit", class: "primary" }, t("sign_in")),
    // The language is chosen before signing in too (the header's switch needs a session).
    h("button", { type: "button", class: "link", id: "sign-in-language", onclick: () => {
      toggleLanguage();
      form.replaceWith(signInScreen(app, message));
    } }, t("language")));
  return form;
}
