// A signature pad (signature_pad from npm) sized to its box, answering a PNG blob.
// The strokes are kept as points: when the box changes size (the phone rotates, the
// keyboard opens) the canvas is re-laid out at its new size and the strokes redrawn,
// scaled as a whole so that none is stretched or cut off.
import SignaturePad from "signature_pad";
import { h } from "./ui.js";
import { t } from "./i18n.js";

export class SignatureField {
  constructor(label, options = {}) {
    this._canvas = h("canvas", { class: "signature", "aria-label": label, "data-signature": options.name ?? "", role: "img" });
    this.element = h("div", { class: "field signature-field" },
      h("span", { class: "label" }, label),
      this._canvas,
      h("button", { type: "button", class: "link", onclick: () => this.clear() }, t("clear")));
    this._pad = null;
    this._size = null;
    this._drawing = false;
    this._relayoutPending = false;
    this._onChange = options.onChange ?? (() => {});
  }

  // Called once the element is in the page, so the canvas has its real size.
  mount() {
    this._pad = new SignaturePad(this._canvas, { backgroundColor: "rgb(255,255,255)", penColor: "rgb(0,0,64)" });
    // A re-layout while a stroke is being drawn (the keyboard closing as the finger lands,
    // the phone turning) would clear the pad under the finger and lose that stroke: it
    // waits for the stroke's end.
    this._pad.addEventListener("beginStroke", () => { this._drawing = true; });
    this._pad.addEventListener("endStroke", () => {
      this._drawing = false;
      if (this._relayoutPending) this._layout();
      this._onChange();
    });
    this._layout();
    const relayout = () => this._layout();
    if (globalThis.ResizeObserver) new ResizeObserver(relayout).observe(this._canvas);
    globalThis.addEventListener("orientationchange", relayout);
    globalThis.addEventListener("resize", relayout);
  }

  // Size the bitmap to the box (× the screen's pixel ratio) and redraw the strokes in it.
  _layout() {
    if (!this._pad || !this._canvas.isConnected) return;
    if (this._drawing) {
      this._relayoutPending = true;
      return;
    }
    this._relayoutPending = false;
    const width = this._canvas.offsetWidth;
    const height = this._canvas.offsetHeight;
    if (!width || !height || (this._size && this._size.width === width && this._size.height === height)) return;
    const strokes = this._pad.toData();
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    this._canvas.width = width * ratio;
    this._canvas.height = height * ratio;
    this._canvas.getContext("2d").scale(ratio, ratio);
    const scale = this._size ? Math.min(width / this._size.width, height / this._size.height) : 1;
    this._size = { width, height };
    this._pad.clear();
    if (strokes.length) this._pad.fromData(scaled(strokes, scale));
  }

  isEmpty() {
    return !this._pad || this._pad.isEmpty();
  }

  clear() {
    this._pad?.clear();
    this._onChange();
  }

  toBlob() {
    this._layout();
    return new Promise((resolve) => this._canvas.toBlob(resolve, "image/png"));
  }
}

// The strokes with every point scaled by `factor` from the top-left corner.
function scaled(strokes, factor) {
  return strokes.map((stroke) => ({ ...stroke, points: stroke.points.map((point) => ({ ...point, x: point.x * factor, y: point.y * factor })) }));
}
