// The unit board: every unit at a glance (call sign, status, time in that status, its incident,
// how old its position is, whether the crew's phone is connected), sortable by any column and
// kept current by the live state. State comes from the snapshot and the API; events only update it.
import { $, el, replace } from "../dom.js";
import { t } from "../i18n.js";
import { duration, secondsSince } from "../time.js";
import { codes, term } from "../vocabulary.js";
import { actions, state, view } from "./shared.js";
import { notAccepted } from "./queue.js";

const since = (iso) => (iso ? new Date(iso).getTime() : Infinity);
const incidentOf = (unit) => {
  const a = unit.current_assignment;
  if (!a) return null;
  const incident = state.incidents.get(a.incident_id);
  return { id: a.incident_id, reference: a.incident_reference || incident?.reference || `#${a.incident_id}`, incident };
};

// Each column: its key, its heading, and the value it sorts by (ties: by call sign).
const COLUMNS = [
  ["call_sign", (u) => u.call_sign],
  ["status", (u) => codes("unit_statuses").indexOf(u.status)],
  ["since", (u) => since(u.status_changed_at)],                 // longest in its status first
  ["incident", (u) => incidentOf(u)?.reference || "\uffff"],
  ["fix", (u) => -since(u.position?.at)],                       // oldest (or none) first
  ["device", (u) => (u.presence?.device_connected ? 1 : 0)],    // disconnected first
];
let sortBy = "status";
let ascending = true;

export function boardPanel() {
  return el("section", { class: "board", id: "board", "aria-labelledby": "board-title" },
    el("h2", { id: "board-title", text: t("console.board") }),
    el("div", { class: "board-scroll" }, el("table", { id: "unit-board", class: "unit-board" },
      el("thead", {}, el("tr", {}, COLUMNS.map(([key]) => el("th", { scope: "col", dataset: { column: key } },
        el("button", { type: "button", class: "sort", dataset: { sort: key }, title: t("console.board.sort"),
          text: t(`console.board.${key}`), onclick: () => sortOn(key) }))))),
      el("tbody", { id: "unit-board-body" }))));
}

function sortOn(key) {
  ascending = sortBy === key ? !ascending : true;
  sortBy = key;
  renderBoard();
}

function sortedUnits() {
  const value = COLUMNS.find(([key]) => key === sortBy)[1];
  const order = (a, b) => {
    const x = value(a), y = value(b);
    const c = typeof x === "string" ? x.localeCompare(y) : x - y;
    return c || a.call_sign.localeCompare(b.call_sign);
  };
  const units = [...state.units.values()].sort(order);
  return ascending ? units : units.reverse();
}

export function renderBoard() {
  const body = $("#unit-board-body");
  if (!body) return;
  document.querySelectorAll("#unit-board th").forEach((th) => {
    const on = th.dataset.column === sortBy;
    th.setAttribute("aria-sort", on ? (ascending ? "ascending" : "descending") : "none");
  });
  const focused = document.activeElement?.closest?.("#unit-board-body button")?.dataset.incident;
  replace(body, sortedUnits().map((u) => {
    const job = incidentOf(u);
    const fixAt = u.position?.at;
    const connected = !!u.presence?.device_connected;
    const late = job?.incident && notAccepted(job.incident, u.id);
    return el("tr", { class: `unit-row status-${u.status}`, dataset: { unit: u.id, status: u.status } },
      el("th", { scope: "row", class: "call-sign", text: u.call_sign }),
      el("td", { class: "status" }, el("span", { class: `status-dot status-${u.status}` }), term("unit_statuses", u.status)),
      el("td", { class: "since age", dataset: { since: u.status_changed_at || "" },
        text: duration(secondsSince(u.status_changed_at)) }),
      el("td", { class: "incident" }, job ? el("button", { type: "button", class: "link", dataset: { incident: job.id },
        text: job.reference.replace(/^PSC-\d{8}-/, ""), title: job.reference,
        "aria-current": job.id === view.selected ? "true" : null, onclick: () => actions.select(job.id) }) : "–",
      late ? el("span", { class: "badge alarm", title: t("console.not_accepted"), text: "!" }) : null),
      el("td", { class: `fix${u.presence?.position_stale ? " stale" : ""}` }, fixAt
        ? el("span", { class: "age", dataset: { since: fixAt }, text: duration(secondsSince(fixAt)) })
        : el("span", { class: "muted", text: t("console.board.at_station") })),
      el("td", { class: `device ${connected ? "on" : "off"}`, text: t(connected ? "console.board.online" : "console.board.offline") }));
  }));
  if (focused) body.querySelector(`button[data-incident="${focused}"]`)?.focus();
}
