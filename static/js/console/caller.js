// The caller's history beside the phone field: shown as soon as the number is typed, so the
// operator knows at once a repeat prank caller, a blocked number, or a caller who already called
// about an incident still open. It only informs: every call is taken.
import { ApiError, get } from "../api.js";
import { el, replace } from "../dom.js";
import { t } from "../i18n.js";
import { dateTime } from "../time.js";

let request = 0;
let timer = null;

export function callerPanel() {
  return el("div", { id: "caller-history", class: "caller-history", role: "status", "aria-live": "polite" });
}

// Called on every change of the phone field: asks after a short pause, shows the latest answer only.
export function callerTyped(value) {
  clearTimeout(timer);
  if (!looksWhole(value || "")) { clearCaller(); return; }
  timer = setTimeout(() => lookUp(value.trim()), 250);
}

// Whether what is typed can already be a whole number (the server has the last word): a mobile or
// landline with its 0 or country code, a Pontianak number without its area code, or a service
// number such as 112. A number half typed is not asked about.
export function looksWhole(value) {
  const digits = value.replace(/[^0-9]/g, "");
  if (value.trim().startsWith("+") || digits.startsWith("62")) return digits.length >= 10;
  if (digits.startsWith("0")) return digits.length >= (digits.startsWith("08") ? 10 : 9);
  return (digits.length >= 3 && digits.length <= 4) || (digits.length >= 6 && digits.length <= 8);
}

export function clearCaller() {
  clearTimeout(timer);
  request += 1;
  const panel = document.getElementById("caller-history");
  if (panel) { replace(panel, []); delete panel.dataset.state; }
}

async function lookUp(phone) {
  const mine = ++request;
  let history;
  try {
    history = await get(`/api/callers/${encodeURIComponent(phone)}`);
  } catch (err) {
    if (mine !== request) return;
    // A number still being typed is not a number yet: say nothing until it is one.
    if (err instanceof ApiError && err.status === 422) clearCaller();
    return;
  }
  if (mine !== request) return;
  showCaller(history);
}

export function showCaller(h) {
  const panel = document.getElementById("caller-history");
  if (!panel) return;
  const lines = [];
  if (h.block) {
    lines.push(el("p", { class: "flag flag-blocked" },
      el("b", { text: t("caller.blocked", { until: dateTime(h.block.until) }) }), " ",
      t("caller.block_reason", { reason: h.block.reason })));
  }
  if (h.flags.includes("repeat_prank")) {
    lines.push(el("p", { class: "flag flag-prank" }, el("b", { text: t("caller.repeat_prank",
      { n: h.window.prank_like, hours: h.window.hours }) })));
  }
  const waiting = h.awaiting_callback || [];
  if (waiting.length) {
    // Its dropped or silent call is still to be called back: this call may be that caller again.
    lines.push(el("p", { class: "caller-callback", id: "caller-awaiting-callback" }, t("caller.awaiting_callback",
      { n: h.awaiting_callback_count ?? waiting.length, at: dateTime(waiting[0].received_at) })));
  }
  const now = new Date(h.now).getTime();
  for (const open of h.open_incidents.slice(0, 3)) {
    const ago = Math.max(0, Math.round((now - new Date(open.last_call_at).getTime()) / 60000));
    lines.push(el("p", { class: "caller-open" }, t("caller.open_incident",
      { ago: ago < 1 ? t("caller.just_now") : t("caller.minutes_ago", { n: ago }), ref: open.incident.reference })));
  }
  const today = h.today;
  const parts = [];
  if (today.prank) parts.push(t("caller.today_prank", { n: today.prank }));
  if (today.silent) parts.push(t("caller.today_silent", { n: today.silent }));
  if (today.dropped) parts.push(t("caller.today_dropped", { n: today.dropped }));
  if (today.emergency) parts.push(t("caller.today_emergency", { n: today.emergency }));
  if (parts.length) lines.push(el("p", { class: "caller-today", text: parts.join(" · ") }));
  lines.push(el("p", { class: "caller-summary", text: h.calls_total
    ? t("caller.summary", { display: h.display, n: h.calls_total, last: dateTime(h.last_call.received_at) })
    : t("caller.new_number", { display: h.display }) }));
  replace(panel, lines);
  panel.dataset.state = h.block ? "blocked" : h.flags.includes("repeat_prank") ? "prank" : h.calls_total ? "known" : "new";
}
