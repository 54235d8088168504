// The custody page's behaviour (a file, since the CSP forbids inline scripts): the print
// button, and each doorstep step's position drawn against the address with the same sketch
// the supervisor sees when opening a flag.
import { positionSketch } from "./dashboard/workspace.js";

for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}

for (const slot of document.querySelectorAll("[data-sketch]")) {
  slot.replaceChildren(positionSketch(JSON.parse(slot.dataset.sketch)));
}
