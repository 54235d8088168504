// The outbox (hàng chờ gửi): every event and image goes into IndexedDB first and stays
// until the server has acknowledged it (docs/design.md §5). Drained oldest first; images before
// the events that name them; an entry whose sending fails on the network is kept as is;
// an entry the server refuses is kept, marked rejected with the server's message, until
// the postman corrects it (a new event, the refused one kept as "corrected") or discards it
// with a reason (kept as "discarded"). Every entry belongs to the postman signed in when it
// was made: another postman on the same phone never sees nor sends it.
import { database, readMeta } from "./store.js";

export const OUTBOX_CHANGED = "outbox-changed";
const EVENT_BATCH = 50;
// An image queued while a drain runs (a delivery saved meanwhile) is taken in another round
// of the same drain; a bound keeps a postman who saves without pause from holding it forever.
const MAX_ROUNDS = 5;

function announce() {
  globalThis.dispatchEvent?.(new CustomEvent(OUTBOX_CHANGED));
}

// The SHA-256 of some bytes as hex: the address under which the server keeps an image.
export async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// The username of the postman signed in on this phone (null once signed out).
async function currentOwner() {
  return (await readMeta("session"))?.user?.username ?? null;
}

// Queue an image; answers its SHA-256 (the address the event refers to).
export async function queueMedia(blob) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const sha256 = await sha256Hex(bytes);
  const owner = await currentOwner();
  const existing = (await entries()).find((entry) => entry.kind === "media" && entry.sha256 === sha256);
  if (!existing) {
    await (await database()).add("outbox", { kind: "media", sha256, type: blob.type, bytes, owner, state: "waiting", created_at: new Date().toISOString() });
  }
  announce();
  return sha256;
}

// Queue one custody event (it already carries its UUID, made on the phone).
export async function queueEvent(event) {
  const owner = await currentOwner();
  await (await database()).add("outbox", { kind: "event", id: event.id, event, owner, state: "waiting", created_at: new Date().toISOString() });
  announce();
}

// The entries of the postman signed in (none when nobody is).
export async function entries() {
  const owner = await currentOwner();
  if (!owner) return [];
  return (await (await database()).getAll("outbox")).filter((entry) => entry.owner === owner);
}

// Entries waiting to be sent (events and images): what the outbox holds back.
export async function waitingCount() {
  return (await entries()).filter((entry) => entry.state === "waiting").length;
}

// Events waiting: what the header counts (one delivery is one entry, not its images).
export async function waitingEventCount() {
  return (await entries()).filter((entry) => entry.kind === "event" && entry.state === "waiting").length;
}

// Entries the server refused that the postman has not yet corrected or discarded.
export async function refusedEntries() {
  return (await entries()).filter((entry) => entry.state === "rejected");
}

// Drop a refused entry from the queue with the postman's reason; it stays on the phone.
export async function discard(seq, reason) {
  const db = await database();
  const entry = await db.get("outbox", seq);
  if (entry) await db.put("outbox", { ...entry, state: "discarded", discard_reason: reason, discarded_at: new Date().toISOString() });
  announce();
}

// Mark a refused entry as replaced by the corrected event `newId` (queued by the caller).
export async function markCorrected(seq, newId) {
  const db = await database();
  const entry = await db.get("outbox", seq);
  if (entry) await db.put("outbox", { ...entry, state: "corrected", corrected_by: newId, corrected_at: new Date().toISOString() });
  announce();
}

async function remove(seq) {
  await (await database()).delete("outbox", seq);
}

async function markRejected(entry, error) {
  await (await database()).put("outbox", { ...entry, state: "rejected", error });
}

// Put a rejected entry back in the queue (after the postman fixed what the server said).
export async function requeue(seq) {
  const db = await database();
  const entry = await db.get("outbox", seq);
  if (entry) await db.put("outbox", { ...entry, state: "waiting", error: undefined });
  announce();
}

// Send everything waiting through `transport` ({putMedia(entry), postEvents(events)}).
// Answers {sent, rejected, offline, signedOut?}: a network failure or a lost session stops
// the drain and keeps every entry; any other fault (a bug of ours) is thrown.
export async function drain(transport) {
  const summary = { sent: 0, rejected: 0, offline: false };
  try {
    // Each round uploads the images waiting, then sends the events. An event whose image was
    // queued after the round took its list of images (missing_media) waits for the next
    // round of this drain, not for a next drain that nothing may ever start.
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      await drainMedia(transport, summary);
      await drainEvents(transport, summary);
      if (!(await imagesWaiting())) break;
    }
  } catch (error) {
    if (needsSignIn(error)) summary.signedOut = true;
    else if (isTransient(error)) summary.offline = true;
    else throw error;
  } finally {
    announce();
  }
  return summary;
}

// The session is gone or its CSRF token is stale: keep everything, sign in again.
function needsSignIn(error) {
  return error?.status === 401 || error?.code === "csrf_failed";
}

// Network down, server busy or failing: keep everything and try again later.
function isTransient(error) {
  return !error?.status || error.status >= 500 || error.status === 429;
}

async function drainMedia(transport, summary) {
  for (const entry of (await entries()).filter((e) => e.kind === "media" && e.state === "waiting")) {
    try {
      await transport.putMedia(entry);
      await remove(entry.seq);
      summary.sent += 1;
    } catch (error) {
      if (isTransient(error) || needsSignIn(error)) throw error;
      await markRejected(entry, { code: error.code, message: error.message });
      summary.rejected += 1;
    }
  }
}

async function drainEvents(transport, summary) {
  // Events whose image is still queued: not sent again in this round (the next uploads it).
  const deferred = new Set();
  for (;;) {
    const waiting = (await entries()).filter((e) => e.kind === "event" && e.state === "waiting" && !deferred.has(e.seq)).slice(0, EVENT_BATCH);
    if (waiting.length === 0) return;
    let results;
    try {
      ({ results } = await transport.postEvents(waiting.map((entry) => entry.event)));
    } catch (error) {
      if (isTransient(error) || needsSignIn(error)) throw error;
      // The server refused the batch as a whole: show why on each entry, never loop on it.
      for (const entry of waiting) await markRejected(entry, { code: error.code, message: error.message });
      summary.rejected += waiting.length;
      continue;
    }
    let progressed = false;
    for (const [index, entry] of waiting.entries()) {
      const result = results[index];
      if (result.status === "accepted" || result.status === "duplicate") {
        await remove(entry.seq);
        summary.sent += 1;
        progressed = true;
      } else if (result.error?.code === "missing_media" && (await mediaStillQueued(result.error.details?.missing))) {
        deferred.add(entry.seq); // its image is still in the queue: the next round uploads it first
        continue;
      } else {
        await markRejected(entry, result.error ?? { code: "rejected", message: "" });
        summary.rejected += 1;
        progressed = true;
      }
    }
    if (!progressed) return;
  }
}

async function imagesWaiting() {
  return (await entries()).some((e) => e.kind === "media" && e.state === "waiting");
}

async function mediaStillQueued(hashes = []) {
  const queued = new Set((await entries()).filter((e) => e.kind === "media" && e.state === "waiting").map((e) => e.sha256));
  return hashes.some((hash) => queued.has(hash));
}
