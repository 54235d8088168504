// The signed-in postman, kept in IndexedDB so a morning sign-in lasts the day offline.
import { call, rememberCsrf, ApiError } from "./api.js";
import { deleteMeta, readMeta, writeMeta } from "./store.js";

export async function signIn(username, password) {
  const session = await call("POST", "/auth/login", { username, password });
  rememberCsrf(session.csrf_token);
  await writeMeta("session", session);
  return session;
}

// Answers the session: the server's when reachable, else the one kept from sign-in.
export async function restoreSession() {
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

export async function signOut() {
  await call("POST", "/auth/logout", {}).catch(() => {});
  await deleteMeta("session");
}
