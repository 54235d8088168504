// Service worker: a versioned app-shell cache. Navigations and shell files come from the
// cache when the network fails; the API is never cached here (the app keeps its own data).
const VERSION = "__VERSION__";
const SHELL_CACHE = `tantay-shell-${VERSION}`;
const SHELL_FILES = __SHELL__;

async function cacheShell() {
  const cache = await caches.open(SHELL_CACHE);
  await cache.addAll(SHELL_FILES);
}

async function deleteOldCaches() {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith("tantay-shell-") && name !== SHELL_CACHE).map((name) => caches.delete(name)));
}

async function networkFirstShell(request) {
  try {
    return await fetch(request);
  } catch {
    const cache = await caches.open(SHELL_CACHE);
    return (await cache.match(request, { ignoreSearch: true })) ?? (await cache.match("/"));
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  return (await cache.match(request)) ?? fetch(request);
}

self.addEventListener("install", (event) => event.waitUntil(cacheShell()));
self.addEventListener("activate", (event) => event.waitUntil(deleteOldCaches().then(() => self.clients.claim())));
self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (event.request.mode === "navigate") event.respondWith(networkFirstShell(event.request));
  else if (SHELL_FILES.includes(url.pathname)) event.respondWith(cacheFirst(event.request));
});
