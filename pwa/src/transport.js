// How the outbox reaches the server: the media PUT and the sync POST, with the session's
// CSRF token from IndexedDB (so the service worker can drain as well as the page).
import { ApiError } from "./api.js";
import { readMeta } from "./store.js";

async function send(method, path, body, contentType) {
  const session = await readMeta("session");
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": contentType, "X-CSRF-Token": session?.csrf_token ?? "", Accept: "application/json" },
      body,
    });
  } catch {
    throw new ApiError(0, "offline", "offline");
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = answer.error ?? {};
    throw new ApiError(response.status, error.code ?? "http_error", error.message ?? response.statusText, error.details);
  }
  return answer;
}

export const serverTransport = {
  putMedia: (entry) => send("PUT", `/media/${entry.sha256}`, entry.bytes, entry.type),
  postEvents: (events) => send("POST", "/sync", JSON.stringify({ events }), "application/json"),
};
