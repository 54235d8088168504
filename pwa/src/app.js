// The field app: session, header (who, network, outbox counter), hash routes to the
// screens, the outbox drain triggers, and the service worker's update prompt.
import { currentLanguage, t, toggleLanguage } from "./i18n.js";
import { refreshFromServer } from "./items.js";
import { drain, OUTBOX_CHANGED, refusedEntries, waitingCount, waitingEventCount } from "./outbox.js";
import { DrainScheduler } from "./drain-scheduler.js";
import { restoreSession, settleOwedSignOut, signOut } from "./session.js";
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
    // One drain at a time; a request during a drain runs another after it; offline, retried.
    this._drains = new DrainScheduler(() => this._drainOnce());
    this._updateRequested = false;
    // A screen with unsaved work (a signature, filled fields) answers true: leaving asks first.
    this._leaveGuard = null;
    this._shownHash = null;
  }

  async start() {
    document.documentElement.lang = currentLanguage();
    this._registerWorker();
    globalThis.addEventListener(OUTBOX_CHANGED, () => this._updateCounter());
    globalThis.addEventListener("online", () => { this._updateNetwork(); settleOwedSignOut(); if (this.session) this.syncNow(); });
    globalThis.addEventListener("offline", () => this._updateNetwork());
    globalThis.addEventListener("hashchange", () => this._navigated());
    const { session } = await restoreSession();
    if (!session) return this._show(signInScreen(this));
    await this.started(session);
  }

  async started(session) {
    this.session = session;
    this._askForPersistentStorage();
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

  // `hasUnsavedWork()` answers true while leaving the screen would throw work away.
  guardLeave(hasUnsavedWork) {
    this._leaveGuard = hasUnsavedWork;
  }

  // The back button (or any link) while a form holds unsaved work: ask before leaving.
  _navigated() {
    const target = location.hash || "#/";
    if (this._leaveGuard?.() && this._shownHash && target !== this._shownHash) {
      history.pushState(null, "", this._shownHash);
      this._confirmLeave(target);
      return;
    }
    this.render();
  }

  _confirmLeave(target) {
    const dialog = h("div", { class: "confirm-panel", id: "leave-confirm", role: "alertdialog", "aria-labelledby": "leave-confirm-text" },
      h("p", { id: "leave-confirm-text" }, t("leave_form")),
      h("button", { type: "button", class: "danger", id: "leave-form", onclick: () => { this._leaveGuard = null; dialog.remove(); location.hash = target; } }, t("leave")),
      h("button", { type: "button", class: "secondary", id: "stay-on-form", onclick: () => dialog.remove() }, t("stay")));
    document.getElementById("leave-confirm")?.remove();
    this._main.prepend(dialog);
    dialog.querySelector("button").focus();
  }

  async render() {
    if (!this.session) return;
    this._leaveGuard = null;
    this._shownHash = location.hash || "#/";
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
    // A new screen opens at its top (not where the last one was scrolled to).
    globalThis.scrollTo?.(0, 0);
    this._mountHandlers.splice(0).forEach((handler) => handler());
    this._updateCounter();
  }

  // Drain the outbox now; then, with nothing waiting, refresh the local copy from the server.
  async syncNow() {
    return this._drains.request();
  }

  syncSoon() {
    navigator.serviceWorker?.ready.then((registration) => registration.sync?.register("outbox")).catch(() => {});
    setTimeout(() => this.syncNow(), 0);
  }

  async _drainOnce() {
    if (!this.session) return { offline: false, skipped: true };
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
      h("button", { type: "button", id: "language", class: "link light", onclick: () => { toggleLanguage(); this._renderHeader(); this._askForPersistentStorage(); this.render(); } }, t("language")),
      h("button", { type: "button", id: "sign-out", class: "link light", onclick: () => this._signOutAsked() }, t("sign_out")));
    document.getElementById("who").textContent = `${this.session.user.full_name || this.session.user.username} · ${this.session.user.unit.name}`;
    this._updateNetwork();
  }

  // Entries still waiting are the postman's proof: say they stay, in his name, before leaving.
  async _signOutAsked() {
    const waiting = await waitingEventCount();
    if (waiting === 0) return this._signOutNow();
    const panel = h("div", { class: "confirm-panel", id: "sign-out-confirm", role: "alertdialog", "aria-labelledby": "sign-out-waiting" },
      h("p", { id: "sign-out-waiting" }, t("sign_out_waiting", { n: waiting })),
      h("button", { type: "button", class: "danger", id: "confirm-sign-out", onclick: () => this._signOutNow() }, t("confirm_sign_out")),
      h("button", { type: "button", class: "secondary", id: "cancel-sign-out", onclick: () => panel.remove() }, t("cancel")));
    document.getElementById("sign-out-confirm")?.remove();
    this._main.prepend(panel);
    panel.querySelector("button").focus();
  }

  // The phone forgets the session at once (identity, screens, header); the server is told
  // now or when the network returns.
  async _signOutNow() {
    this.session = null;
    this._drains.stop();
    this._leaveGuard = null;
    this._leaveHandlers.splice(0).forEach((handler) => handler());
    document.getElementById("header-tools").replaceChildren();
    document.getElementById("who").textContent = "";
    document.getElementById("refused-alert")?.classList.add("hidden");
    const told = await signOut();
    this._show(signInScreen(this, told ? "" : t("signed_out_offline")));
  }

  // An evicted outbox is lost proof: ask the browser to keep our storage, say when it won't.
  async _askForPersistentStorage() {
    const banner = document.getElementById("storage-warning");
    if (!banner || !navigator.storage?.persist) return;
    const kept = (await navigator.storage.persisted?.()) || (await navigator.storage.persist().catch(() => false));
    banner.textContent = kept ? "" : t("storage_refused");
    banner.classList.toggle("hidden", Boolean(kept));
  }

  _updateNetwork(failed = false) {
    const badge = document.getElementById("network");
    if (!badge) return;
    const offline = failed || !navigator.onLine;
    badge.textContent = offline ? t("offline") : t("online");
    badge.className = `network ${offline ? "offline" : "online"}`;
  }

  // The header counts events waiting (one per act, not its images); a refused entry raises
  // an alert on every screen until the postman corrects or discards it.
  async _updateCounter() {
    if (!this.session) return;
    const counter = document.getElementById("outbox-count");
    if (counter) counter.textContent = t("outbox_waiting", { n: await waitingEventCount() });
    const alert = document.getElementById("refused-alert");
    if (!alert) return;
    const refused = (await refusedEntries()).length;
    alert.replaceChildren(refused ? h("a", { href: "#/outbox", id: "refused-alert-link" }, t("refused_alert", { n: refused })) : "");
    alert.classList.toggle("hidden", refused === 0);
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
