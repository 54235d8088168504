// The field app: session, header (who, network, outbox counter), hash routes to the
// screens, the outbox drain triggers, and the service worker's update prompt.
import { currentLanguage, t, toggleLanguage } from "./i18n.js";
import { refreshFromServer } from "./items.js";
import { drain, OUTBOX_CHANGED, waitingCount } from "./outbox.js";
import { restoreSession, signOut } from "./session.js";
import { serverTransport } from "./transport.js";
import { h, toast } from "./ui.js";
import { collectScreen } from "./screens/collect.js";
import { deliverScreen } from "./screens/deliver.js";
import { failScreen } from "./screens/fail.js";
import { homeScreen } from "./screens/home.js";
import { itemScreen } from "./screens/item.js";
import { loadCheckScreen } from "./screens/load-check.js";
import { outboxScreen } from "./screens/outbox.js";
import { routeScreen } from "./screens/route.js";
import { signInScreen } from "./screens/sign-in.js";
import { intakeCounterScreen } from "./screens/intake-counter.js";
import { intakePickupScreen } from "./screens/intake-pickup.js";
import { cashScreen } from "./screens/cash-day.js";
import { cashRemitScreen } from "./screens/cash-remit.js";
import { counterDeliverScreen, counterScreen } from "./screens/counter-pickup.js";
import { deadlinesScreen } from "./screens/deadlines-list.js";
import { calendarScreen } from "./screens/calendar.js";
import { handoverNewScreen, handoversScreen } from "./screens/handovers.js";
import { handoverRecordScreen } from "./screens/handover-record.js";

const ROUTES = [
  [/^#\/item\/(\w+)$/, itemScreen],
  [/^#\/deliver\/(\w+)$/, deliverScreen],
  [/^#\/fail\/(\w+)$/, failScreen],
  [/^#\/collect\/(\w+)$/, collectScreen],
  [/^#\/route$/, routeScreen],
  [/^#\/load-check$/, loadCheckScreen],
  [/^#\/outbox$/, outboxScreen],
  [/^#\/intake$/, intakeCounterScreen],
  [/^#\/pickup-request$/, intakePickupScreen],
  // The officer's filing is a handover record like any other (issue 12).
  [/^#\/agency\/filing\/(\d+)$/, handoverRecordScreen],
  [/^#\/handovers$/, handoversScreen],
  [/^#\/handovers\/new(?:\/(evening))?$/, handoverNewScreen],
  [/^#\/handovers\/(\d+)$/, handoverRecordScreen],
  [/^#\/deadlines(?:\/(overdue|due_today|at_risk))?$/, deadlinesScreen],
  [/^#\/counter(?:\/(\w+))?$/, counterScreen],
  [/^#\/counter\/(\w+)\/deliver$/, counterDeliverScreen],
  [/^#\/calendar(?:\/(\d{4}-\d{2}))?$/, calendarScreen],
  [/^#\/cash(?:\/(\d{4}-\d{2}-\d{2}))?$/, cashScreen],
  [/^#\/cash\/remit\/([\w.-]+)(?:\/(\d{4}-\d{2}-\d{2}))?$/, cashRemitScreen],
];

class FieldApp {
  constructor() {
    this.session = null;
    this._main = document.getElementById("main");
    this._leaveHandlers = [];
    this._mountHandlers = [];
    this._draining = null;
    this._updateRequested = false;
  }

  async start() {
    document.documentElement.lang = currentLanguage();
    this._registerWorker();
    globalThis.addEventListener(OUTBOX_CHANGED, () => this._updateCounter());
    globalThis.addEventListener("online", () => { this._updateNetwork(); this.syncNow(); });
    globalThis.addEventListener("offline", () => this._updateNetwork());
    globalThis.addEventListener("hashchange", () => this.render());
    const { session } = await restoreSession();
    if (!session) return this._show(signInScreen(this));
    await this.started(session);
  }

  async started(session) {
    this.session = session;
    this._renderHeader();
    await this.syncNow();
    await this.render();
  }

  // Screens call these: navigate, run code when leaving, and after the screen is in the page.
  go(hash, force = false) {
    if (location.hash === hash && force) this.render();
    else location.hash = hash;
  }

  onLeave(handler) {
    this._leaveHandlers.push(handler);
  }

  afterMount(handler) {
    this._mountHandlers.push(handler);
  }

  async render() {
    if (!this.session) return;
    this._leaveHandlers.splice(0).forEach((handler) => handler());
    const hash = location.hash || "#/";
    for (const [pattern, screen] of ROUTES) {
      const match = hash.match(pattern);
      if (match) return this._show(await screen(this, ...match.slice(1)));
    }
    this._show(await homeScreen(this));
  }

  _show(node) {
    this._main.replaceChildren(node);
    this._mountHandlers.splice(0).forEach((handler) => handler());
    this._updateCounter();
  }

  // Drain the outbox now; then, with nothing waiting, refresh the local copy from the server.
  async syncNow() {
    this._draining ??= this._drainOnce().finally(() => { this._draining = null; });
    return this._draining;
  }

  syncSoon() {
    navigator.serviceWorker?.ready.then((registration) => registration.sync?.register("outbox")).catch(() => {});
    setTimeout(() => this.syncNow(), 0);
  }

  async _drainOnce() {
    const status = document.getElementById("sync-state");
    if (status) status.textContent = t("syncing");
    let summary;
    try {
      summary = await (navigator.locks
        ? navigator.locks.request("outbox-drain", () => drain(serverTransport))
        : drain(serverTransport));
    } catch (error) {
      // A fault of ours, not the network's: say so; the outbox keeps every entry.
      toast(error?.message ?? String(error), "error");
      summary = { offline: false, failed: true };
    }
    if (summary.signedOut) {
      this.session = null;
      this._show(signInScreen(this));
    } else if (!summary.offline && !summary.failed && (await waitingCount()) === 0) {
      await refreshFromServer().catch(() => {});
    }
    this._updateNetwork(summary.offline);
    this._updateCounter();
    return summary;
  }

  _renderHeader() {
    const header = document.getElementById("header-tools");
    header.replaceChildren(
      h("span", { id: "network", class: "network" }),
      h("button", { type: "button", id: "sync-now", class: "counter", onclick: () => this.syncNow() },
        h("span", { id: "outbox-count" }, t("outbox_waiting", { n: 0 }))),
      h("button", { type: "button", id: "language", class: "link light", onclick: () => { toggleLanguage(); this._renderHeader(); this.render(); } }, t("language")),
      h("button", { type: "button", id: "sign-out", class: "link light", onclick: async () => { await signOut(); this.session = null; this._show(signInScreen(this)); } }, t("sign_out")));
    document.getElementById("who").textContent = `${this.session.user.full_name || this.session.user.username} · ${this.session.user.unit.name}`;
    this._updateNetwork();
  }

  _updateNetwork(failed = false) {
    const badge = document.getElementById("network");
    if (!badge) return;
    const offline = failed || !navigator.onLine;
    badge.textContent = offline ? t("offline") : t("online");
    badge.className = `network ${offline ? "offline" : "online"}`;
  }

  async _updateCounter() {
    const counter = document.getElementById("outbox-count");
    if (counter) counter.textContent = t("outbox_waiting", { n: await waitingCount() });
  }

  _registerWorker() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/sw.js").then((registration) => {
      const offer = (worker) => this._offerUpdate(worker);
      if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
      registration.addEventListener("updatefound", () => {
        const worker = registration.installing;
        worker?.addEventListener("statechange", () => {
          if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
        });
      });
    }).catch(() => {});
    let reloading = false;
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (reloading || !this._updateRequested) return;
      reloading = true;
      location.reload();
    });
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data === "outbox-drained") this._updateCounter();
    });
  }

  _offerUpdate(worker) {
    const banner = document.getElementById("update-banner");
    banner.replaceChildren(t("update_available"), h("button", { type: "button", class: "small", id: "apply-update", onclick: () => {
      this._updateRequested = true;
      worker.postMessage("skip-waiting");
    } }, t("update")));
    banner.classList.remove("hidden");
  }
}

new FieldApp().start();
