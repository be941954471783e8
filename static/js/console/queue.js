// The console's queue: open incidents by priority, then waiting time, with a ticking age, the
// priority's colour, status and the units on it. Click or Enter selects one.
import { $, el, replace } from "../dom.js";
import { t } from "../i18n.js";
import { duration, secondsSince } from "../time.js";
import { dispatchTarget, term } from "../vocabulary.js";
import { offerLine } from "./offers.js";
import { actions, PRIORITY_RANK, resolvedPlace, state, view } from "./shared.js";

// An assignment the crew has not accepted in time, from the server's state (the snapshot, the
// API, and the events that keep them current): a console reloaded or taken over sees it too.
export function notAccepted(incident, unitId = null) {
  return (incident?.assignments || []).some((a) => a.active && !a.accepted_at && a.unacknowledged_at
    && (unitId === null || a.unit_id === unitId));
}

// How long a call of a priority may wait for a unit: the centre's timer (GET /api/settings/timers,
// the limit past which the waiting alert is raised), else the priority's target.
export function waitingLimit(priority) {
  return view.timers?.waiting_s?.[priority] ?? dispatchTarget(priority);
}

// How a waiting call's age looks against its priority's limit from call to dispatch: "late"
// past the limit, "overdue" past twice it. A call with a unit on it is waiting no more.
function lateness(incident, now = Date.now()) {
  if (incident.status !== "pending") return "";
  const target = waitingLimit(incident.priority);
  const waited = secondsSince(incident.created_at, now);
  if (!target || waited === null) return "";
  return waited >= 2 * target ? "overdue" : waited >= target ? "late" : "";
}

export function sortedIncidents() {
  return [...state.incidents.values()].sort((a, b) =>
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.created_at.localeCompare(b.created_at));
}

function unitOf(incident) {
  const active = (incident.assignments || []).filter((a) => a.active);
  return active.map((a) => state.units.get(a.unit_id)?.call_sign || `#${a.unit_id}`).join(", ");
}

export function renderQueue() {
  const items = sortedIncidents();
  // The browser tab says how many calls wait for a unit, for a console behind another window.
  const waiting = items.filter((i) => i.status === "pending").length;
  document.title = `${waiting ? `(${waiting}) ` : ""}PSC 119 — ${t("console.title")}`;
  replace($("#queue-list"), items.length === 0 ? el("li", { class: "empty", text: t("console.queue_empty") })
    : items.map((i) => {
      const li = el("li", { class: `queue-item priority-${i.priority}${i.id === view.selected ? " selected" : ""}`,
        tabindex: 0, dataset: { incident: i.id }, "aria-selected": i.id === view.selected ? "true" : "false" },
      el("div", { class: "line1" }, el("b", { text: i.reference }), " ", el("span", { class: "badge", text: term("priorities", i.priority) }),
        " ", el("span", { class: `age ${lateness(i)}`.trim(), dataset: { since: i.created_at, incident: i.id },
          title: t("console.target", { target: duration(waitingLimit(i.priority)) }),
          text: duration(secondsSince(i.created_at)) })),
      el("div", { class: "line2" }, term("categories", i.category), " · ", term("incident_statuses", i.status),
        // A call sign is never broken at its hyphen ("PSC-" / "03").
        unitOf(i) ? [" · ", el("span", { class: "unit-on", text: t("console.unit_on", { unit: unitOf(i) }) })] : "",
        notAccepted(i) ? el("span", { class: "badge alarm", text: ` ${t("console.not_accepted")}` }) : null),
      el("div", { class: "line3" }, el("span", { class: "said", text: i.location_text ?? i.address_text ?? i.location_name ?? "" }),
        " ", resolvedPlace(i)),
      offerLine(i));
      li.addEventListener("click", () => actions.select(i.id));
      li.addEventListener("keydown", (ev) => { if (ev.key === "Enter") actions.select(i.id); });
      return li;
    }));
}

export function tickAges() {
  const now = Date.now();
  document.querySelectorAll(".age[data-since]").forEach((node) => {
    node.textContent = duration(secondsSince(node.dataset.since, now));
    const incident = node.dataset.incident && state.incidents.get(Number(node.dataset.incident));
    if (incident) {
      node.classList.remove("late", "overdue");
      const late = lateness(incident, now);
      if (late) node.classList.add(late);
    }
  });
}

// The most urgent call waiting for a unit: the highest priority, then the one waiting longest.
export function mostUrgentWaiting() {
  return sortedIncidents().find((i) => i.status === "pending") || null;
}

// The queue, rebuilt on every change, keeps the keyboard focus where it was.
export function keepFocus(render) {
  const focused = document.activeElement?.closest?.(".queue-item")?.dataset.incident;
  render();
  if (focused) document.querySelector(`.queue-item[data-incident="${focused}"]`)?.focus();
}
