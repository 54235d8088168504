// The app's IndexedDB: the outbox, the local copy of the postman's items, and small
// key/value settings (the session). Works in the page and in the service worker.
import { openDB } from "idb";

const NAME = "tantay";
const VERSION = 1;

let opening;

export function database() {
  opening ??= openDB(NAME, VERSION, {
    upgrade(db) {
      db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
      db.createObjectStore("items", { keyPath: "tracking_number" });
      db.createObjectStore("meta");
    },
  });
  return opening;
}

export async function readMeta(key) {
  return (await database()).get("meta", key);
}

export async function writeMeta(key, value) {
  return (await database()).put("meta", value, key);
}

export async function deleteMeta(key) {
  return (await database()).delete("meta", key);
}

export async function allItems() {
  return (await database()).getAll("items");
}

export async function getItem(trackingNumber) {
  return (await database()).get("items", trackingNumber);
}

export async function putItem(item) {
  return (await database()).put("items", item);
}

// Replaces the local copy with the server's list in one transaction.
export async function replaceItems(items) {
  const tx = (await database()).transaction("items", "readwrite");
  await tx.store.clear();
  for (const item of items) tx.store.put(item);
  await tx.done;
}
