// Type or scan a tracking number: the check digit is verified before anything happens.
import { t } from "./i18n.js";
import { Scanner } from "./scanner.js";
import { trackingNumberFromScan } from "./s10.js";
import { h } from "./ui.js";

export class ScanBox {
  constructor(onNumber) {
    this._onNumber = onNumber;
    this._error = h("p", { class: "error", role: "alert", id: "scan-error" });
    this._input = h("input", { id: "tracking-input", inputmode: "text", autocomplete: "off", autocapitalize: "characters", placeholder: "KQ000000014VN", maxlength: "40" });
    this._video = h("video", { class: "camera hidden", id: "camera", muted: true, playsinline: true });
    this._scanner = null;
    const form = h("form", { class: "scan-form", id: "scan-form", onsubmit: (event) => { event.preventDefault(); this._accept(this._input.value); } },
      h("label", { for: "tracking-input" }, t("type_number")),
      h("div", { class: "row" }, this._input, h("button", { type: "submit", class: "primary small" }, t("open"))));
    this._cameraButton = h("button", { type: "button", class: "secondary", id: "scan-button", onclick: () => this._toggleCamera() }, t("scan"));
    this.element = h("section", { class: "scan-box" }, this._cameraButton, this._video, form, this._error);
  }

  _accept(text) {
    const parsed = trackingNumberFromScan(text);
    if (!parsed.ok) {
      this._error.textContent = t(parsed.code);
      return;
    }
    if (!parsed.number.endsWith("VN")) {
      // Only Vietnam Post's own numbers carry a dossier or result of this service.
      this._error.textContent = t("not_this_service", { tn: parsed.number });
      return;
    }
    this._error.textContent = "";
    this._input.value = "";
    this._onNumber(parsed.number);
  }

  showError(message) {
    this._error.textContent = message;
  }

  async _toggleCamera() {
    if (this._scanner) return this.stop();
    this._video.classList.remove("hidden");
    this._cameraButton.textContent = t("stop_camera");
    let last = "";
    this._scanner = new Scanner(this._video, (text) => {
      if (text === last) return;
      last = text;
      this._accept(text);
    });
    try {
      await this._scanner.start();
    } catch {
      this.stop();
      this._error.textContent = t("camera_unavailable");
    }
  }

  stop() {
    this._scanner?.stop();
    this._scanner = null;
    this._video.classList.add("hidden");
    this._cameraButton.textContent = t("scan");
  }
}
