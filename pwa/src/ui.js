import { t } from "./i18n.js";

// Small DOM helpers: build elements without innerHTML (no injection, CSP without inline code).
export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === undefined || value === null) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

let toastTimer;

export function toast(message, kind = "info") {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.className = `toast ${kind} visible`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.remove("visible"), 4000);
}

// An event handler that runs one at a time: its button is disabled while it runs (a second
// tap would queue a second event for the same act), and a failure is shown, not lost.
export function oneAtATime(handler) {
  let running = false;
  return async (event) => {
    event.preventDefault();
    if (running) return;
    running = true;
    const button = event.submitter ?? (event.currentTarget instanceof HTMLButtonElement ? event.currentTarget : null);
    if (button) button.disabled = true;
    try {
      await handler(event);
    } catch (error) {
      toast(error?.message ?? String(error), "error");
    } finally {
      running = false;
      if (button) button.disabled = false;
    }
  };
}

export function field(labelText, input) {
  const id = input.id || `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, labelText), input);
}

// The bottom of a doorstep form: its message and its confirm button, kept within the thumb's
// reach (stuck to the bottom of the screen while the form is in view, styles.css).
export function actionBar(...children) {
  return h("div", { class: "action-bar" }, ...children);
}

// A photo input as a large button in the app's language (the browser's own "Choose File" /
// "No file chosen" speak the browser's language, not the postman's), with the chosen file.
export function photoField(labelText, input) {
  const id = input.id || `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  input.classList.add("visually-hidden");
  const chosen = h("span", { class: "file-chosen", id: `${id}-chosen` }, t("no_photo"));
  input.setAttribute("aria-describedby", chosen.id);
  input.addEventListener("change", () => { chosen.textContent = input.files[0]?.name ?? t("no_photo"); });
  return h("div", { class: "field file-field" },
    h("label", { for: id }, labelText),
    input,
    h("label", { for: id, class: "file-button" }, t("take_photo")),
    chosen);
}
