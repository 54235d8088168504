// How the outbox reaches the server: the media PUT and the sync POST, with the session's
// CSRF token from IndexedDB (so the service worker can drain as well as the page).
import { request } from "./api.js";
import { readMeta } from "./store.js";

async function send(method, path, body, contentType) {
  const session = await readMeta("session");
  return request(method, path, { body, contentType, csrf: session?.csrf_token ?? "" });
}

export const serverTransport = {
  putMedia: (entry) => send("PUT", `/media/${entry.sha256}`, entry.bytes, entry.type),
  // sent_at: the phone's clock as it sends, so the server can see a skewed clock (clock_skew).
  postEvents: (events) => send("POST", "/sync", JSON.stringify({ events, sent_at: new Date().toISOString() }), "application/json"),
};
