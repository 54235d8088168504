// The signed-in postman, kept in IndexedDB so a morning sign-in lasts the day offline.
// Signing out ends the session on the phone at once; when the server cannot be told (no
// network), a "sign-out owed" mark makes the next start end the server session before
// anything else, so reopening the app never signs the previous postman back in.
import { call, rememberCsrf, request, ApiError } from "./api.js";
import { deleteMeta, readMeta, writeMeta } from "./store.js";

const OWED = "sign_out_owed";

export async function signIn(username, password) {
  await settleOwedSignOut();
  const session = await call("POST", "/auth/login", { username, password });
  rememberCsrf(session.csrf_token);
  await writeMeta("session", session);
  return session;
}

// Answers the session: the server's when reachable, else the one kept from sign-in.
export async function restoreSession() {
  if (await readMeta(OWED)) {
    // Signed out offline: the server's cookie may still be alive; it must not come back.
    await settleOwedSignOut();
    return { session: null, offline: !navigator.onLine };
  }
  try {
    const session = await call("GET", "/auth/me");
    rememberCsrf(session.csrf_token);
    await writeMeta("session", session);
    return { session, offline: false };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      await deleteMeta("session");
      return { session: null, offline: false };
    }
    const kept = await readMeta("session");
    if (kept) rememberCsrf(kept.csrf_token);
    return { session: kept ?? null, offline: true };
  }
}

// End the session on the phone now; tell the server now or, offline, as soon as it answers.
// Answers true when the server was told.
export async function signOut() {
  const kept = await readMeta("session");
  await deleteMeta("session");
  await writeMeta(OWED, { csrf_token: kept?.csrf_token ?? "", at: new Date().toISOString() });
  rememberCsrf("");
  return settleOwedSignOut();
}

// Tell the server about a sign-out made offline; answers true once nothing is owed.
export async function settleOwedSignOut() {
  const owed = await readMeta(OWED);
  if (!owed) return true;
  try {
    await logoutWith(owed.csrf_token);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status === 0 || error.status >= 500) return false;
    if (error.code === "csrf_failed") {
      // The kept token went stale while the cookie lives: ask for the current one, then end it.
      try {
        await logoutWith((await call("GET", "/auth/me")).csrf_token);
      } catch (again) {
        if (!(again instanceof ApiError) || again.status === 0 || again.status >= 500) return false;
      }
    }
    // 401: that session is already gone; nothing more is owed.
  }
  await deleteMeta(OWED);
  rememberCsrf("");
  return true;
}

function logoutWith(csrf) {
  return request("POST", "/auth/logout", { body: "{}", csrf });
}
