// The selected incident's detail: the timeline, the callers, the location (typed, or the pin on
// the small map dragged or placed), notes, priority, the destination hospital, the units on it,
// and cancelling and closing it. Live changes do not wipe a field the operator is typing in.
import { get, patch, post } from "../api.js";
import { explain } from "../errors.js";
import { $, el, replace } from "../dom.js";
import { t } from "../i18n.js";
import { baseMap, L, PONTIANAK } from "../mapbase.js";
import { LiveState } from "../state.js";
import { clock, duration } from "../time.js";
import { term } from "../vocabulary.js";
import { actions, alertIn, focusedIn, refocus, resolvedPlace, state, view } from "./shared.js";
import { enteredLateNote } from "./papercard.js";
import { showWay, wayFor } from "./way.js";

let detailMap = null;           // the selected incident's map: one, moved into each rebuilt detail
let detailPin = null;
let detailFor = null;           // the incident the detail map shows
let detailUnits = [];           // markers of the units on it
let firstRecommendation = { incident: null, rec: null };   // whose road is drawn while no unit is on it
let detailRequest = 0;
let asking = null;              // {incident, action, assignment?, value, error, units}: the action being asked for

// The statuses an incident may be closed from (dispatch/core/statemachine.py): a unit has reached
// the patient. One nobody reached is cancelled, not closed.
const CLOSABLE = new Set(["on_scene", "transporting"]);

// -- cancel, close, withdraw a unit, reopen: each asks for its own reason when it is taken ------

const PROMPTS = {
  cancel: { label: "console.cancel_reason", confirm: "console.cancel_confirm", required: "console.reason_needed" },
  close: { label: "console.close_outcome", confirm: "console.close_confirm" },
  withdraw: { label: "console.withdraw_reason", confirm: "console.withdraw_confirm", required: "console.reason_needed_withdraw" },
  reopen: { label: "console.reopen_reason", confirm: "console.reopen_confirm", required: "console.reopen_reason_needed" },
  // A supervisor merges two incidents that are one event: this one into the one typed (its number).
  merge: { label: "console.merge_into", confirm: "console.merge_confirm", required: "console.merge_needed" },
};

// The open incident a supervisor typed for a merge: its reference, or its number of the day ("12",
// "0012"), the newest first when two days share it; never this one.
function mergeTarget(text, self) {
  const typed = text.trim().toUpperCase();
  const number = /^\d{1,4}$/.test(typed) ? typed.padStart(4, "0") : null;
  const open = [...state.incidents.values()].filter((i) => i.id !== self.id)
    .sort((a, b) => new Date(b.created_at) - new Date(a.created_at));
  return open.find((i) => i.reference === typed) || (number && open.find((i) => i.reference.endsWith(`-${number}`))) || null;
}

function ask(incident, action, assignment = null) {
  asking = { incident, action, assignment, value: "", error: "", focus: true };
  loadDetail();
}

function prompt(incident, active) {
  const spec = PROMPTS[asking.action];
  // The status changed under an open close panel (a unit withdrawn elsewhere): it says why it cannot close now.
  const blocked = asking.action === "close" && !CLOSABLE.has(incident.status);
  const input = el("input", { id: "action-input", class: `reason-${asking.action}`, autocomplete: "off",
    value: asking.value, "aria-describedby": "action-error" });
  input.addEventListener("input", () => { asking.value = input.value; });
  // Closing with units still on it offers to release them in the same action.
  const releasing = asking.action === "close" && active.length > 0;
  const unitsText = active.map((a) => `${a.call_sign} (${term("unit_statuses", a.status)})`).join(", ");
  const form = el("form", { class: `action-prompt prompt-${asking.action}`, id: "action-prompt", novalidate: true },
    el("label", { for: "action-input", text: t(spec.label, { unit: asking.assignment?.call_sign || "" }) }),
    releasing ? el("p", { class: "notice", id: "release-note", text: t("console.close_units", { units: unitsText }) }) : null,
    el("div", { class: "inline" }, input,
      el("button", { type: "submit", class: "primary", id: "action-confirm", disabled: blocked,
        text: t(releasing ? "console.close_release" : spec.confirm) }),
      el("button", { type: "button", id: "action-back", text: t("console.back"),
        onclick: () => { asking = null; loadDetail(); } })),
    el("p", { class: "field-error", id: "action-error", role: "alert",
      text: asking.error || (blocked ? t("console.close_not_yet") : "") }));
  form.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") { asking = null; loadDetail(); }
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!blocked) confirmAction(incident, releasing);
  });
  return form;
}

async function confirmAction(incident, releasing) {
  const { action, assignment } = asking;
  const text = asking.value.trim();
  const spec = PROMPTS[action];
  if (spec.required && !text) {
    asking.error = t(spec.required);
    asking.focus = true;
    loadDetail();
    return;
  }
  let into = null;
  if (action === "merge") {
    into = mergeTarget(text, incident);
    if (!into) {
      asking.error = t("console.merge_unknown", { typed: text });
      asking.focus = true;
      loadDetail();
      return;
    }
  }
  const [path, body] = {
    merge: ["merge", { into: into?.id }],
    cancel: ["cancel", { reason: text }],
    close: ["close", { outcome: text || null, ...(releasing ? { release_units: true } : {}) }],
    withdraw: [`assignments/${assignment?.id}/cancel`, { reason: text }],
    reopen: ["reopen", { reason: text }],
  }[action];
  try {
    await post(`/api/incidents/${incident.id}/${path}`, body);
    asking = null;
    // Merged: the incident that carries on is the one to look at (it has the calls and the units now).
    if (into) {
      actions.select(into.id);
      return;
    }
  } catch (err) {
    asking.error = refusal(err, action);
    asking.focus = true;
  }
  loadDetail();
}

// Why an action was refused, naming the units when the server does.
function refusal(err, action) {
  const units = (err?.details?.units || []).map((u) => `${u.call_sign} (${term("unit_statuses", u.status)})`).join(", ");
  if (err?.code === "units_transporting") return t("console.units_transporting", { units });
  // Closing one no unit has reached (it changed meanwhile): it is to be cancelled instead.
  if (err?.code === "invalid_transition" && action === "close") return t("console.close_invalid");
  return explain(err);
}

export async function loadDetail({ force = true } = {}) {
  const panel = $("#detail");
  if (!view.selected) { replace(panel); return; }
  // Live changes do not wipe what the operator is typing into the detail; an open action's field is
  // kept in `asking` and rebuilt as it was, so its panel follows them (the units' statuses).
  const typing = panel.contains(document.activeElement) && document.activeElement.matches("input, textarea, select");
  if (!force && typing && !(asking && document.activeElement.id === "action-input")) return;
  const request = ++detailRequest;
  const wanted = view.selected;
  let incident;
  try {
    incident = await get(`/api/incidents/${wanted}`);
  } catch {
    return;
  }
  if (request !== detailRequest || wanted !== view.selected) return;
  const id = incident.id;
  const save = async (changes) => {
    try {
      await patch(`/api/incidents/${id}`, changes);
      loadDetail();
    } catch (err) {
      alertIn(panel, err);
    }
  };
  const priority = el("select", { id: "change-priority" }, ["P1", "P2", "P3"].map((p) =>
    el("option", { value: p, text: term("priorities", p), selected: p === incident.priority })));
  priority.addEventListener("change", () => save({ priority: priority.value }));
  const typed = incident.location_text ?? incident.address_text ?? "";
  const active = (incident.assignments || []).filter((a) => a.active);
  const merged = incident.status === "merged";
  const finished = incident.status === "closed" || incident.status === "cancelled" || merged;
  // A closed or cancelled incident is reopened before its location or notes change.
  const address = el("input", { id: "change-address", value: typed, readonly: finished });
  const notes = el("textarea", { id: "change-notes", rows: 2, readonly: finished });
  notes.value = incident.notes || "";
  const hospitals = el("ol", { id: "hospital-list", class: "hospital-list" });
  const closable = CLOSABLE.has(incident.status);
  if (asking && (asking.incident !== id || (finished && asking.action !== "reopen"))) asking = null;
  const mapSlot = detailMapElement();
  const focused = focusedIn(panel);
  const field = document.activeElement?.id === "action-input" ? document.activeElement : null;
  const caret = field ? [field.selectionStart, field.selectionEnd] : null;
  replace(panel,
    el("h2", { text: `${t("console.detail")} ${incident.reference}` }),
    el("p", {}, term("categories", incident.category), " · ", term("incident_statuses", incident.status)),
    related(incident),
    enteredLateNote(incident, (incident.timeline || []).find((e) => e.type === "incident.created")?.actor?.username),
    el("div", { class: "detail-actions" }, merged ? null : finished
      ? el("button", { type: "button", id: "reopen-incident", text: t("console.reopen"),
        onclick: () => ask(id, "reopen") })
      : [el("label", { for: "change-priority", text: t("console.change_priority") }), priority,
        el("span", { class: "spacer" }),
        view.user?.role === "supervisor" ? el("button", { type: "button", id: "merge-incident", text: t("console.merge"),
          title: t("console.merge_hint"), onclick: () => ask(id, "merge") }) : null,
        el("button", { type: "button", id: "cancel-incident", text: t("console.cancel"), onclick: () => ask(id, "cancel") }),
        el("button", { type: "button", id: "close-incident", text: t("console.close"), disabled: !closable,
          title: closable ? null : t("console.close_not_yet"), "aria-describedby": closable ? null : "close-hint",
          onclick: () => ask(id, "close") })]),
    finished || closable ? null : el("small", { class: "hint", id: "close-hint", text: t("console.close_not_yet") }),
    asking ? prompt(incident, active) : null,
    incident.complaint ? el("p", { class: "complaint", text: incident.complaint }) : null,
    // Who to call back: the caller who opened it, and anyone who called about it again.
    (incident.calls || []).length ? el("ul", { class: "callers", id: "callers" }, incident.calls.map((c) =>
      el("li", { dataset: { call: c.id } }, el("span", { class: "muted", text: `${t("console.caller")}: ` }),
        el("b", { class: "phone", text: c.caller_phone_display || c.caller_phone }), c.caller_name ? ` · ${c.caller_name}` : "",
        ` · ${clock(c.received_at)}`,
        // A repeat call linked by mistake is given an incident of its own.
        c.disposition === "duplicate" ? [" ", el("span", { class: "badge", text: term("dispositions", "duplicate") }), " ",
          el("button", { type: "button", class: "unlink-call", dataset: { call: c.id }, text: t("console.unlink"),
            title: t("console.unlink_hint"), onclick: () => unlink(panel, c) })] : null))) : null,
    el("h3", { text: t("console.units_on_incident") }),
    el("ul", { id: "assignment-list", class: "assignment-list" }, finished ? pastUnits(incident)
      : active.length === 0 ? el("li", { class: "muted", text: t("console.no_unit_yet") })
      : active.map((a) => el("li", { dataset: { assignment: a.id, unit: a.unit_id } },
        el("b", { text: a.call_sign }), ` · ${term("unit_statuses", a.status)} · ${clock(a.dispatched_at)}`,
        // Not accepted in time (the server flagged it) is an alarm; before that, the crew is being waited for.
        a.accepted_at ? el("span", { class: "badge ok", text: t("console.accepted") })
          : a.unacknowledged_at ? el("span", { class: "badge alarm", text: ` ${t("console.not_accepted")}` })
            : el("span", { class: "badge", text: t("console.awaiting_accept") }), " ",
        el("button", { type: "button", class: "withdraw", dataset: { assignment: a.id },
          text: t("console.withdraw"), title: t("console.withdraw_hint"), onclick: () => ask(id, "withdraw", a) })))),
    el("div", { class: "detail-edit" },
      el("label", { for: "change-address", text: t("console.location") }),
      el("div", { class: "inline" }, address, finished ? null : el("button", { type: "button", id: "save-address",
        text: t("console.save"), onclick: () => relocate(address.value, save) })),
      resolvedPlace(incident, "detail-place"),
      incident.location_known ? el("small", { class: "hint", id: "detail-location",
        text: `${incident.lat.toFixed(5)}, ${incident.lon.toFixed(5)} · ${[incident.kelurahan, incident.kecamatan].filter(Boolean).join(", ")}` })
        : el("small", { class: "hint", id: "detail-location", text: t("console.location_unknown") }),
      mapSlot,
      el("small", { class: "hint", id: finished ? "read-only-hint" : null, text: t(finished ? "console.finished_readonly"
        : incident.location_known ? "console.drag_to_correct" : "console.click_to_place") }),
      el("label", { for: "change-notes", text: t("console.notes") }), notes,
      finished ? null : el("button", { type: "button", id: "save-notes", text: t("console.save"),
        onclick: () => save({ notes: notes.value || null }) })),
    el("h3", { text: t("console.hospitals") }), hospitals,
    el("h3", { text: t("console.timeline") }),
    el("ol", { class: "timeline", id: "timeline" }, (incident.timeline || []).map((e) =>
      el("li", { dataset: { type: e.type } }, el("time", { text: clock(e.occurred_at || e.at) }),
        // A paper card's event happened at the card's time and was recorded later: both are shown.
        e.occurred_at && e.occurred_at !== e.at ? el("small", { class: "recorded-at",
          text: ` (${t("card.recorded_at", { at: clock(e.at) })})` }) : null, " ", t(`event.${e.type}`),
        // An incident's status is named as in the queue (a unit's as on the map): "pending" is no unit status.
        e.data?.to ? `: ${term(e.type === "incident.status_changed" ? "incident_statuses" : "unit_statuses", e.data.to)}` : "",
        e.actor ? ` · ${e.actor.username}` : ""))));
  refocus(panel, focused);
  if (asking?.focus) {
    asking.focus = false;
    $("#action-input")?.focus();
  }
  if (caret && document.activeElement?.id === "action-input") document.activeElement.setSelectionRange(...caret);
  await showOnDetailMap(incident, save);
  if (incident.location_known) {
    try {
      const { items } = await get(`/api/incidents/${id}/hospitals?limit=4`);
      replace(hospitals, items.map((h) => el("li", { dataset: { hospital: h.hospital.id },
        class: h.hospital.id === incident.destination_hospital_id ? "chosen" : "" },
      el("b", { text: h.hospital.short_name || h.hospital.name }),
      ` · ${duration(h.eta_s)} · ${(h.distance_m / 1000).toFixed(1)} km`,
      h.via.length ? ` · ${t("console.via", { via: h.via.join(", ") })}` : "",
      h.hospital.beds_available === null ? "" : ` · ${t("map.beds", { n: h.hospital.beds_available })}`, " ",
      h.hospital.id === incident.destination_hospital_id ? el("span", { class: "badge", text: t("console.destination") })
        : finished ? null : el("button", { type: "button", class: "set-destination", text: t("console.set_destination"),
          onclick: () => save({ destination_hospital_id: h.hospital.id }) }))));
    } catch {
      // no suggestions: the rest of the detail stands
    }
  }
}

// The units that were on a closed or cancelled incident, each with how and when it left it:
// finished (cleared by its crew, or released when the incident was closed), released when it was
// cancelled, or withdrawn before.
// The incidents merged into this one, or the one it was merged into (NENA EIDO: replacing / replaced).
function related(incident) {
  const links = incident.related || [];
  if (!links.length) return null;
  return el("ul", { class: "related", id: "related" }, links.map((r) =>
    el("li", { dataset: { incident: r.id, relation: r.relation } },
      t(r.relation === "replaced" ? "console.merged_into" : "console.merged_from", { ref: r.reference }), " · ",
      clock(r.at), " ",
      el("button", { type: "button", class: "link", text: t("console.open_incident"), onclick: () => actions.select(r.id) }))));
}

async function unlink(panel, call) {
  try {
    const answer = await post(`/api/calls/${call.id}/unlink`, {});
    actions.select(answer.incident.id);
  } catch (err) {
    alertIn(panel, err);
  }
}

function pastUnits(incident) {
  const past = (incident.assignments || []).filter((a) => !a.active);
  if (past.length === 0) return el("li", { class: "muted", text: t("console.no_unit_yet") });
  const same = (a, b) => a && b && new Date(a).getTime() === new Date(b).getTime();
  return past.map((a) => {
    // From a paper card: the times it gives.
    if (a.entered_late_at) {
      const times = ["dispatched_at", "on_scene_at", "at_hospital_at", "cleared_at"].filter((p) => a[p])
        .map((p) => `${t(`card.${p}`)} ${clock(a[p])}`);
      return el("li", { class: "past", dataset: { assignment: a.id, unit: a.unit_id } },
        el("b", { text: a.call_sign }), ` — ${t("card.from_card")}: ${times.join(", ")}`);
    }
    const ended = a.status === "cleared" ? t("console.unit_finished", { time: clock(a.cleared_at) })
      : same(a.cancelled_at, incident.closed_at) ? t("console.unit_finished", { time: clock(a.cancelled_at) })
        : same(a.cancelled_at, incident.cancelled_at) ? t("console.unit_released_cancel", { time: clock(a.cancelled_at) })
          : t("console.unit_withdrawn", { time: clock(a.cancelled_at) });
    return el("li", { class: "past", dataset: { assignment: a.id, unit: a.unit_id } },
      el("b", { text: a.call_sign }), ` — ${ended}`);
  });
}

// The detail's map is made once and moved into each rebuilt detail (a live event rebuilds it).
function detailMapElement() {
  let node = document.getElementById("detail-map");
  if (!node) {
    node = detailMap ? detailMap.getContainer() : el("div", { id: "detail-map", class: "mini-map detail-map" });
  }
  return node;
}

// The incident's pin, dragged to correct the location (source "operator"). An incident whose place
// is unknown gets one where the operator clicks on the map.
async function showOnDetailMap(incident, save) {
  const node = document.getElementById("detail-map");
  if (!node) return;
  if (!detailMap) {
    detailMap = baseMap(node, { zoom: 15, zones: true, focusable: false });
    detailMap.on("click", (ev) => {
      if (detailFor && !detailFor.known && !detailFor.finished) detailFor.save({ lat: ev.latlng.lat, lon: ev.latlng.lng });
    });
  }
  if (incident.id !== view.selected) return;
  detailMap.invalidateSize();
  const first = detailFor?.id !== incident.id;
  const merged = incident.status === "merged";
  const finished = incident.status === "closed" || incident.status === "cancelled" || merged;
  detailFor = { id: incident.id, known: incident.location_known, finished, save, incident,
    unitIds: (incident.assignments || []).filter((a) => a.active).map((a) => a.unit_id) };
  drawDetailUnits();
  if (!incident.location_known) {
    detailPin?.remove();
    detailPin = null;
    detailMap.setView(PONTIANAK, 12);
    return;
  }
  const at = [incident.lat, incident.lon];
  if (!detailPin) {
    detailPin = L.marker(at, { draggable: true, keyboard: false, title: t("console.drag_to_correct") }).addTo(detailMap);
    detailPin.on("dragend", () => {
      const p = detailPin.getLatLng();
      detailFor?.save({ lat: p.lat, lon: p.lng });
    });
  } else {
    detailPin.setLatLng(at);
  }
  if (finished) detailPin.dragging?.disable();        // reopened first, then corrected
  else detailPin.dragging?.enable();
  // A newly selected incident is framed with its units; later rebuilds keep the operator's view.
  if (first) {
    const units = detailUnits.map((m) => m.getLatLng());
    if (units.length) detailMap.fitBounds([at, ...units], { padding: [25, 25], maxZoom: 15 });
    else detailMap.setView(at, 15);
  }
}

// The units on the selected incident, where they are now (they move with the positions).
export function drawDetailUnits() {
  if (!detailMap || !detailFor) return;
  detailUnits.forEach((marker) => marker.remove());
  detailUnits = detailFor.unitIds.map((id) => state.units.get(id)).filter(Boolean).map((unit) =>
    L.circleMarker(LiveState.whereIs(unit), { radius: 8, weight: 3, interactive: false,
      className: `unit-marker unit-${unit.id} status-${unit.status}` })
      .bindTooltip(el("span", { text: unit.call_sign }), { permanent: true, direction: "right", offset: [8, 0], className: "unit-label" })
      .addTo(detailMap));
  drawWay();
}

// The first recommended unit of incident `id` (recommend.js), whose road is drawn while no unit is on it.
export function setFirstRecommendation(id, rec) {
  firstRecommendation = { incident: id, rec };
  drawWay();
}

function drawWay() {
  if (!detailMap || !detailFor) return;
  const units = detailFor.unitIds.map((id) => state.units.get(id)).filter(Boolean);
  const first = firstRecommendation.incident === detailFor.id ? firstRecommendation.rec : null;
  showWay(detailMap, detailFor.finished ? null : wayFor(detailFor.incident, units, first));
}

// The operator corrects the location: the words are stored as typed; the place found for them
// moves the pin (source "chosen", its name beside the words); text that matches nothing is
// kept as said and the pin stays.
async function relocate(text, save) {
  let found = null;
  if (text.trim()) {
    try {
      found = (await get(`/api/geocode?q=${encodeURIComponent(text)}&limit=1&typing=false`)).items[0] || null;
    } catch {
      found = null;
    }
  }
  await save(found ? { location_text: text, lat: found.lat, lon: found.lon, location_name: found.name,
    location_kind: found.kind } : { location_text: text || null });
}
