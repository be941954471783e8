// The REST API, with the token of the logged-in user. A 401 means the session is over: the
// page shows the login screen again (session.js) and keeps whatever was typed.
const TOKEN = "psc119.token";
const USER = "psc119.user";

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = error?.code || "error";
    this.fields = error?.fields || {};
    this.details = error?.details || {};
  }
}

export function token() {
  return localStorage.getItem(TOKEN);
}

export function currentUser() {
  try {
    return JSON.parse(localStorage.getItem(USER) || "null");
  } catch {
    return null;
  }
}

export function remember(tokenValue, user) {
  localStorage.setItem(TOKEN, tokenValue);
  localStorage.setItem(USER, JSON.stringify(user));
}

export function forget() {
  localStorage.removeItem(TOKEN);
  localStorage.removeItem(USER);
}

// The session is over: the login screen comes back (session.js). Only for the token in use now: a
// late answer to a request sent with the token before a new login is not a new expiry.
export function sessionExpired(usedToken) {
  if (usedToken && usedToken === token()) window.dispatchEvent(new CustomEvent("psc119:session-expired"));
}

const TIMEOUT_MS = 15000;   // no answer by then: said, never a page waiting forever

export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const used = token();
  if (used) headers.Authorization = `Bearer ${used}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const timedOut = err?.name === "TimeoutError";
    throw new ApiError(0, { code: timedOut ? "timeout" : "offline", message: String(err) });
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && path !== "/api/auth/login") sessionExpired(used);
  if (!response.ok) throw new ApiError(response.status, data?.error);
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body = {}) => api("POST", path, body);
export const patch = (path, body) => api("PATCH", path, body);
export const put = (path, body) => api("PUT", path, body);
