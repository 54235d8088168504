// Takes the position when a form opens and shows it with its accuracy.
import { currentPosition } from "./geo.js";
import { t } from "./i18n.js";
import { h } from "./ui.js";

export class PositionLine {
  constructor() {
    this.position = null;
    this.element = h("p", { class: "position", id: "position" }, `${t("position")}: …`);
    this.ready = currentPosition().then((position) => {
      this.position = position;
      this.element.textContent = position
        ? `${t("position")}: ${position.lat.toFixed(5)}, ${position.lon.toFixed(5)} (${t("accuracy", { m: Math.round(position.accuracy_m) })})`
        : `${t("position")}: ${t("no_position")}`;
      return position;
    });
  }
}
