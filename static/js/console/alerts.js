// The alert panel at the top of the console (core/alerts.py): what has run past a timer, open ones
// first (the urgent ones red, and sounded when raised), acknowledged ones dimmer with who took them.
// "Tanggapi" asks for an optional note (Enter saves it, Escape goes back). What it lists is the live
// state's (the snapshot's alerts, kept current by alert.* events): a reload shows the same panel.
import { alarm } from "../alarm.js";
import { ApiError, post } from "../api.js";
import { explain } from "../errors.js";
import { $, el, replace } from "../dom.js";
import { label, t } from "../i18n.js";
import { clock, duration, secondsSince } from "../time.js";
import { term } from "../vocabulary.js";
import { actions, focusedIn, refocus, state } from "./shared.js";

let acking = null;      // the alert whose note is being written
let note = "";          // what has been typed into it, kept across the panel's rebuilds
let notice = null;      // {id, text}: what the server said to the last acknowledgement
let sending = false;

export function alertsPanel() {
  return el("section", { id: "alerts", class: "alerts", "aria-live": "polite" });
}

// Open first, the urgent among them first, then the oldest raised.
export function sortedAlerts() {
  const rank = (a) => (a.state === "open" ? (a.urgent ? 0 : 1) : 2);
  return [...state.alerts.values()].sort((a, b) => rank(a) - rank(b) || a.raised_at.localeCompare(b.raised_at));
}

// An event may raise one: it sounds, urgent ones with the three tones.
export function alertsChanged(event) {
  if (event?.type === "alert.raised" && event.data?.alert?.state === "open") alarm(Boolean(event.data.alert.urgent));
  if (acking !== null && !state.alerts.has(acking)) acking = null;     // resolved while the note was written
  renderAlerts();
}

// What the alert is about: the incident (and its priority), the unit, the caller, the hospital.
function subject(a) {
  return [
    a.incident_reference ? `${a.incident_reference}${a.priority ? ` (${term("priorities", a.priority)})` : ""}` : null,
    a.call_sign, a.caller_phone, a.hospital_name,
  ].filter(Boolean).join(" · ");
}

export function renderAlerts() {
  const panel = $("#alerts");
  if (!panel) return;
  const items = sortedAlerts();
  const open = items.filter((a) => a.state === "open").length;
  const focused = focusedIn(panel);
  panel.classList.toggle("has-open", open > 0);
  panel.classList.toggle("has-urgent", items.some((a) => a.state === "open" && a.urgent));
  replace(panel,
    el("h2", { id: "alerts-title" }, t("alerts.title"), " ",
      el("span", { class: "count", id: "alerts-count", text: items.length ? t("alerts.count", { open, all: items.length }) : "" })),
    items.length === 0 ? el("p", { class: "muted empty", id: "alerts-empty", text: t("alerts.none") }) : null,
    items.length ? el("ol", { class: "alert-list", id: "alert-list" }, items.map(row)) : null);
  refocus(panel, focused);
  if (acking !== null) {
    const input = panel.querySelector(`li[data-alert="${acking}"] input.ack-note`);
    if (input && !panel.contains(document.activeElement)) input.focus();
  }
}

function row(a) {
  const said = notice?.id === a.id ? notice.text : null;
  return el("li", { class: `alert-item ${a.state}${a.urgent ? " urgent" : ""}`, dataset: { alert: a.id, kind: a.kind } },
    el("div", { class: "line1" }, el("b", { text: label(a.kind_label) }),
      subject(a) ? [" · ", el("span", { class: "subject", text: subject(a) })] : null),
    el("div", { class: "line2" },
      t("alerts.since"), " ", el("span", { class: "age", dataset: { since: a.since }, text: duration(secondsSince(a.since)) }),
      " ", el("span", { class: "muted", text: t("alerts.limit", { limit: duration(a.limit_s) }) }),
      actionsOf(a)),
    a.state === "acknowledged" ? el("div", { class: "acked", text: t("alerts.acked_by", {
      who: a.acknowledged_by || "?", at: clock(a.acknowledged_at) }) + (a.note ? ` · “${a.note}”` : "") }) : null,
    said ? el("p", { class: "notice", role: "alert", text: said }) : null);
}

// Beside the time, at the right of the second line (a row stays two lines high on a busy desk).
function actionsOf(a) {
  return el("span", { class: "alert-actions" },
      a.state === "open" && acking !== a.id ? el("button", { type: "button", class: "primary ack", dataset: { alert: a.id },
        text: t("alerts.ack"), onclick: () => startAck(a.id) }) : null,
      acking === a.id ? ackForm(a) : null,
      a.incident_id && state.incidents.has(a.incident_id) ? el("button", { type: "button", class: "open-incident",
        dataset: { alert: a.id }, text: t("alerts.open_incident"), onclick: () => actions.select(a.incident_id) }) : null);
}

function ackForm(a) {
  const input = el("input", { type: "text", class: "ack-note", maxlength: 500, value: note,
    placeholder: t("alerts.note_placeholder"), "aria-label": t("alerts.note") });
  input.value = note;
  input.addEventListener("input", () => { note = input.value; });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.isComposing) { ev.preventDefault(); acknowledge(a.id); }
    if (ev.key === "Escape") { ev.preventDefault(); acking = null; renderAlerts(); }
  });
  return el("span", { class: "ack-form" }, input,
    el("button", { type: "button", class: "primary save-ack", text: t("alerts.save"), onclick: () => acknowledge(a.id) }),
    el("button", { type: "button", class: "cancel-ack", text: t("alerts.back"),
      onclick: () => { acking = null; renderAlerts(); } }));
}

function startAck(id) {
  acking = id;
  note = "";
  notice = null;
  renderAlerts();
  $("#alerts")?.querySelector(`li[data-alert="${id}"] input.ack-note`)?.focus();
}

async function acknowledge(id) {
  if (sending) return;
  sending = true;
  notice = null;
  try {
    const alert = await post(`/api/alerts/${id}/ack`, note.trim() ? { note: note.trim() } : {});
    state.putAlert(alert);           // the answer may come before the event
    acking = null;
    note = "";
  } catch (err) {
    // Someone at another desk was quicker, or the cause ended meanwhile: said, and the row shows it.
    const by = err instanceof ApiError ? err.details?.acknowledged_by : null;
    notice = { id, text: err instanceof ApiError && err.code === "alert_not_open"
      ? (by ? t("alerts.taken_by", { who: by }) : t("alerts.gone")) : explain(err) };
    if (err instanceof ApiError && err.code === "alert_not_open") acking = null;
  } finally {
    sending = false;
  }
  renderAlerts();
}
