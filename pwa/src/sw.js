// Service worker: handlers wired to named strategies. A versioned app-shell cache (old ones
// deleted on activate), the update flow (waiting → "update available" → skip-waiting), and
// Background Sync draining the outbox where the browser has it. The API is never cached.
import { drain } from "./outbox.js";
import { serverTransport } from "./transport.js";

/* global __VERSION__, __SHELL__ */
const SHELL_CACHE = `tantay-shell-${__VERSION__}`;
const SHELL_FILES = __SHELL__;

async function cacheShell() {
  const cache = await caches.open(SHELL_CACHE);
  await cache.addAll(SHELL_FILES);
}

async function deleteOldCaches() {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith("tantay-shell-") && name !== SHELL_CACHE).map((name) => caches.delete(name)));
}

// Pages: the network when it answers (fresh app after a deploy), else the cached shell.
async function networkFirstShell(request) {
  try {
    return await fetch(request);
  } catch {
    const cache = await caches.open(SHELL_CACHE);
    return (await cache.match("/")) ?? Response.error();
  }
}

// Versioned files: the cache of this version, which always holds them.
async function cacheFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  return (await cache.match(request, { ignoreSearch: true })) ?? fetch(request);
}

// A drain that ended offline fails the sync event, so the browser tries it again later
// (Background Sync's own retry) instead of believing the outbox sent.
async function drainOutbox() {
  const run = () => drain(serverTransport);
  const summary = await (self.navigator.locks ? self.navigator.locks.request("outbox-drain", run) : run());
  for (const client of await self.clients.matchAll()) client.postMessage("outbox-drained");
  if (summary.offline) throw new Error("offline: the outbox waits for the next sync");
}

self.addEventListener("install", (event) => event.waitUntil(cacheShell()));
self.addEventListener("activate", (event) => event.waitUntil(deleteOldCaches().then(() => self.clients.claim())));
self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});
self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") event.waitUntil(drainOutbox());
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/t/")) return;
  // Only the app itself ("/") falls back to the shell; other pages (the supervisors'
  // dashboard, printable records) are the browser's own business.
  if (event.request.mode === "navigate") {
    if (url.pathname === "/") event.respondWith(networkFirstShell(event.request));
    return;
  }
  if (SHELL_FILES.includes(url.pathname)) event.respondWith(cacheFirst(event.request));
});
