// The call-back queue (GET /api/callbacks): dropped and silent calls waiting to be called back,
// oldest first, the oldest wait ticking in the panel's title. Each try is recorded with one button;
// "Tersambung, darurat" fills the intake with the number, and the incident it opens is linked to the
// dropped call (callback_for_call_id). A number that called again meanwhile says so. What it shows
// comes from the server: events only say when to ask again.
import { ApiError, get, post } from "../api.js";
import { explain } from "../errors.js";
import { $, el, replace } from "../dom.js";
import { t } from "../i18n.js";
import { clock, duration, secondsSince } from "../time.js";
import { codes, term } from "../vocabulary.js";

const OUTCOMES = ["no_answer", "reached_no_emergency", "reached_emergency", "wrong_number"];
let queue = { items: [], total: 0 };
let request = 0;
let timer = null;
let onEmergency = null;     // set by the console: fills the intake for a call-back that reached an emergency
let notice = null;

export function callbacksPanel() {
  return el("details", { id: "callbacks", class: "callbacks", hidden: true });
}

export function watchCallbacks(startIntake) {
  onEmergency = startIntake;
  refreshCallbacks();
}

// An event that may change the queue: a dropped or silent call logged, a call-back recorded.
export function callbacksChanged(event) {
  const call = event?.data?.call;
  if (!event || event.type === "call.callback_recorded"
    || (event.type === "call.received" && (["dropped", "silent"].includes(call?.disposition)
      || call?.caller_flags?.includes("awaiting_callback")))) {
    clearTimeout(timer);
    timer = setTimeout(refreshCallbacks, 150);
  }
}

export async function refreshCallbacks() {
  const mine = ++request;
  try {
    const answer = await get("/api/callbacks");
    if (mine !== request) return;
    queue = answer;
    render();
  } catch {
    // offline: the panel keeps what it had; the live indicator says the screen is not current
  }
}

function render() {
  const panel = $("#callbacks");
  if (!panel) return;
  panel.hidden = queue.total === 0 && !notice;
  const oldest = queue.items[0];
  const label = (code) => (codes("callback_outcomes").length ? term("callback_outcomes", code) : t(`callbacks.${code}`));
  replace(panel,
    el("summary", { id: "callbacks-summary" }, el("b", { text: t("callbacks.title", { n: queue.total }) }),
      oldest ? [" · ", t("callbacks.oldest"), " ", age(oldest.call.received_at)] : null),
    notice ? el("p", { class: "notice", role: "alert", text: notice }) : null,
    el("ol", { class: "callback-list", id: "callback-list" }, queue.items.map((item) => {
      const c = item.call;
      const again = item.called_again.at(-1);
      return el("li", { dataset: { call: c.id } },
        el("div", {},
          el("a", { class: "phone", href: `tel:${c.caller_phone}`, text: c.caller_phone_display || c.caller_phone }),
          " · ", term("dispositions", c.disposition), " · ", clock(c.received_at), " · ",
          age(c.received_at)),
        item.attempts.length ? el("div", { class: "muted", text: t("callbacks.tried", {
          n: item.attempts.length, last: label(item.attempts.at(-1).outcome) }) }) : null,
        again ? el("div", { class: "called-again", text: t("callbacks.called_again", {
          n: item.called_again.length, at: clock(again.received_at) }) }) : null,
        el("div", { class: "callback-actions" }, OUTCOMES.map((outcome) => el("button", {
          type: "button", class: outcome === "reached_emergency" ? "primary" : "", dataset: { outcome },
          text: label(outcome), onclick: () => attempt(item, outcome) }))));
    })));
}

// How long it has waited, ticking with the queue's ages (console/queue.js tickAges).
function age(since) {
  return el("span", { class: "age", dataset: { since }, text: duration(secondsSince(since)) });
}

async function attempt(item, outcome) {
  notice = null;
  if (outcome === "reached_emergency") {
    onEmergency?.(item.call);
    return;
  }
  try {
    await post(`/api/calls/${item.call.id}/callbacks`, { outcome, attempts_seen: item.attempts.length });
  } catch (err) {
    // Another operator was quicker (callback_changed / callback_done): said, and the list asked again.
    notice = err instanceof ApiError ? explain(err) : String(err);
  }
  await refreshCallbacks();
}
