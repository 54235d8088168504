// The server's API as the field app uses it: JSON answers, the CSRF header on unsafe
// calls, and errors turned into ApiError carrying the server's code and message.
// Works in the page and in the service worker (the token comes from the caller or memory).

let csrfToken = "";

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function rememberCsrf(token) {
  csrfToken = token ?? "";
}

// One HTTP call. `body` is sent as is with `contentType`; status 0 means no network.
export async function request(method, path, { body, contentType = "application/json", csrf = csrfToken } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = contentType;
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, credentials: "same-origin", body });
  } catch {
    throw new ApiError(0, "offline", "Mất kết nối. Dữ liệu được giữ trên máy và sẽ gửi khi có mạng.");
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = answer.error ?? {};
    throw new ApiError(response.status, error.code ?? "http_error", error.message ?? response.statusText, error.details);
  }
  return answer;
}

// A JSON call.
export function call(method, path, body) {
  return request(method, path, { body: body === undefined ? undefined : JSON.stringify(body) });
}
