// A signature pad (signature_pad from npm) sized to its box, answering a PNG blob.
import SignaturePad from "signature_pad";
import { h } from "./ui.js";
import { t } from "./i18n.js";

export class SignatureField {
  constructor(label, options = {}) {
    this._canvas = h("canvas", { class: "signature", "aria-label": label, "data-signature": options.name ?? "" });
    this.element = h("div", { class: "field signature-field" },
      h("span", { class: "label" }, label),
      this._canvas,
      h("button", { type: "button", class: "link", onclick: () => this.clear() }, t("clear")));
    this._pad = null;
  }

  // Called once the element is in the page, so the canvas has its real size.
  mount() {
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    this._canvas.width = this._canvas.offsetWidth * ratio;
    this._canvas.height = this._canvas.offsetHeight * ratio;
    this._canvas.getContext("2d").scale(ratio, ratio);
    this._pad = new SignaturePad(this._canvas, { backgroundColor: "rgb(255,255,255)", penColor: "rgb(0,0,64)" });
  }

  isEmpty() {
    return !this._pad || this._pad.isEmpty();
  }

  clear() {
    this._pad?.clear();
  }

  toBlob() {
    return new Promise((resolve) => this._canvas.toBlob(resolve, "image/png"));
  }
}
