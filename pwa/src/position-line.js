// Takes a fresh position when a form opens, shows it with its accuracy (or that none could
// be had), and takes another when the postman confirms if the first has grown old.
import { currentPosition, isFresh } from "./geo.js";
import { t } from "./i18n.js";
import { h } from "./ui.js";

export class PositionLine {
  constructor() {
    this.position = null;
    this.element = h("p", { class: "position", id: "position", "aria-live": "polite" });
    this.ready = this._take();
  }

  _take() {
    this.element.textContent = `${t("position")}: ${t("waiting_position")}`;
    this.element.dataset.state = "waiting";
    return currentPosition().then((position) => {
      this.position = position;
      this.element.dataset.state = position ? "fixed" : "none";
      this.element.textContent = position
        ? `${t("position")}: ${position.lat.toFixed(5)}, ${position.lon.toFixed(5)} (${t("accuracy", { m: Math.round(position.accuracy_m) })})`
        : `${t("position")}: ${t("no_position")}`;
      return position;
    });
  }

  // The position to record with the event: the form's fix when still fresh, else a new one.
  async fresh() {
    const position = await this.ready;
    if (isFresh(position)) return position;
    this.ready = this._take();
    return this.ready;
  }
}
