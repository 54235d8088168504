// The QR code of the chip-based citizen ID card (CCCD / thẻ căn cước), read with the same
// camera scanner as parcels. Its text is
//   <12-digit personal number>|<9-digit old CMND or empty>|<full name>|<DDMMYYYY birth>|<sex>|<address>|<DDMMYYYY issue date>
// Only the type and the last four digits are kept at the door; at the counter intake the
// number goes to the server, which keeps its keyed hash and last four, never the number.
import { t } from "./i18n.js";
import { Scanner } from "./scanner.js";
import { h } from "./ui.js";

const CARD_QR = /^(\d{12})\|(\d{9})?\|([^|]+)\|(\d{8})\|([^|]*)\|([^|]*)\|(\d{8})$/;

// The card's fields, or null when the text is not a citizen ID card's QR.
export function parseCardQr(text) {
  const match = CARD_QR.exec((text ?? "").trim());
  if (!match) return null;
  const [, number, oldNumber, name, birth, sex, address, issued] = match;
  return { number, oldNumber: oldNumber ?? "", name: name.trim(), birth, sex, address, issued };
}

// A name without accents, case or extra spaces: "Nguyễn Văn Ánh" and "NGUYEN VAN ANH" match.
export function foldName(name) {
  return (name ?? "").replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
    .replace(/\p{Mn}/gu, "").toLowerCase().split(/\s+/).filter(Boolean).join(" ");
}

export const sameName = (first, second) => foldName(first) === foldName(second);

// Luật Căn cước 2023, Điều 46: a CMND is no longer valid after 31/12/2024 (the server says the same).
export function documentRefusal(idType, on = new Date()) {
  return idType === "cmnd" && on >= new Date(2025, 0, 1) ? t("cmnd_no_longer_valid") : null;
}

// A button that scans the card and hands its fields to `onCard(card)`; `prefix` keeps ids apart.
export class CardScan {
  constructor(prefix, onCard) {
    this._onCard = onCard;
    this._video = h("video", { class: "camera hidden", id: `${prefix}card-camera`, muted: true, playsinline: true });
    this._message = h("p", { class: "error", role: "alert", id: `${prefix}card-error` });
    this._button = h("button", { type: "button", class: "secondary", id: `${prefix}scan-card`, onclick: () => this._toggle() }, t("scan_id_card"));
    this._scanner = null;
    this.element = h("div", { class: "card-scan" }, this._button, this._video, this._message);
  }

  async _toggle() {
    if (this._scanner) return this.stop();
    this._video.classList.remove("hidden");
    this._button.textContent = t("stop_camera");
    this._message.textContent = "";
    this._scanner = new Scanner(this._video, (text) => {
      const card = parseCardQr(text);
      if (!card) return (this._message.textContent = t("not_an_id_card"));
      this.stop();
      this._onCard(card);
    });
    try {
      await this._scanner.start();
    } catch {
      this.stop();
      this._message.textContent = t("camera_unavailable");
    }
  }

  stop() {
    this._scanner?.stop();
    this._scanner = null;
    this._video.classList.add("hidden");
    this._button.textContent = t("scan_id_card");
  }
}
