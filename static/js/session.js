// Logging in, for all three pages: the same accounts and roles as the API. When a session
// expires the login screen comes back over the page, so a half-typed form is not lost.
import { ApiError, currentUser, forget, get, post, remember, token } from "./api.js";
import { $, el, replace } from "./dom.js";
import { explain } from "./errors.js";
import { lang, setLang, t, translatePage } from "./i18n.js";

// Why a login did not go through, said plainly: a wrong password, too many failed tries (with
// how long to wait, or to ask a supervisor), the server's database away, or no network.
function loginRefusal(err) {
  if (!(err instanceof ApiError) || err.status === 0) return explain(err);
  if (err.status === 401) return t("login.failed");
  if (err.code === "too_many_attempts") {
    const minutes = Math.max(1, Math.ceil((err.details.retry_after_s ?? 60) / 60));
    return t(err.details.scope === "address" ? "login.throttled_address" : "login.throttled_account", { minutes });
  }
  return explain(err);
}

function loginForm(roles, resolve) {
  const error = el("p", { class: "form-error", role: "alert", id: "login-error" });
  const username = el("input", { id: "login-username", name: "username", autocomplete: "username", required: true });
  const password = el("input", { id: "login-password", name: "password", type: "password",
    autocomplete: "current-password", required: true });
  const form = el("form", { class: "login-card", id: "login-form" },
    el("h1", { text: t("app.title") }),
    el("label", { for: "login-username", text: t("login.username") }), username,
    el("label", { for: "login-password", text: t("login.password") }), password,
    error,
    el("button", { type: "submit", class: "primary", text: t("login.submit") }));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    try {
      const answer = await post("/api/auth/login", { username: username.value, password: password.value });
      if (!roles.includes(answer.user.role)) {
        error.textContent = t("login.wrong_role");
        // not for this page: the token just issued is given back at once
        fetch("/api/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${answer.token}` } }).catch(() => {});
        return;
      }
      remember(answer.token, answer.user);
      resolve(answer.user);
    } catch (err) {
      error.textContent = loginRefusal(err);
    }
  });
  setTimeout(() => username.focus(), 0);
  return form;
}

// Resolves with the user once someone with one of `roles` is logged in. A stored token is checked
// first (an expired one brings the login form); with no network the stored user goes on (the
// crew's outbox works offline).
export async function login(roles) {
  const overlay = $("#login") || document.body.appendChild(el("div", { id: "login", class: "overlay" }));
  const user = currentUser();
  if (token() && user && roles.includes(user.role)) {
    try {
      const me = await get("/api/auth/me");
      if (roles.includes(me.role)) {
        overlay.hidden = true;
        return me;
      }
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) {
        overlay.hidden = true;
        return user;
      }
    }
    forget();
  }
  return new Promise((resolve) => {
    overlay.hidden = false;
    replace(overlay, loginForm(roles, (who) => { overlay.hidden = true; resolve(who); }));
  });
}

// After a 401 (expired or revoked token): log in again over the page, then `resume()`. Someone
// else logging in (another crew on the phone, another operator at the desk) gets a fresh page:
// nothing of the last user's screen, unit or waiting presses is carried over.
export function watchSession(roles, resume) {
  let asking = false;
  const was = currentUser()?.id;
  window.addEventListener("psc119:session-expired", async () => {
    if (asking) return;
    asking = true;
    forget();
    const user = await login(roles);
    asking = false;
    if (user.id !== was) {
      location.reload();
      return;
    }
    resume(user);
  });
}

export async function logout() {
  try {
    await post("/api/auth/logout");
  } catch {
    // the token is forgotten here anyway
  }
  forget();
  location.reload();
}

// The language switch in a page's header.
export function languageSwitch(onChange) {
  const button = el("button", { type: "button", class: "lang", id: "lang-switch" });
  const show = () => { button.textContent = lang() === "id" ? "English" : "Bahasa Indonesia"; };
  button.addEventListener("click", () => {
    setLang(lang() === "id" ? "en" : "id");
    translatePage();
    show();
    onChange?.();
  });
  show();
  return button;
}
