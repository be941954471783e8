// Operator console (/console): call intake built for speed, the incident queue, the recommended
// units with one-key assignment, and the selected incident's detail.
import { alarm, soundSwitch } from "./alarm.js";
import { ApiError, get, patch, post } from "./api.js";
import { explain, fieldText } from "./errors.js";
import { newRef } from "./outbox.js";
import { $, el, replace } from "./dom.js";
import { label, onLangChange, t, translatePage } from "./i18n.js";
import { connectLive, indicator } from "./live.js";
import { baseMap, L, PONTIANAK } from "./mapbase.js";
import { languageSwitch, login, logout, watchSession } from "./session.js";
import { LiveState } from "./state.js";
import { clock, duration, secondsSince } from "./time.js";

const ROLES = ["operator", "supervisor"];
const CATEGORIES = ["traffic_accident", "trauma", "cardiac", "breathing", "stroke", "unconscious",
  "maternity", "burn", "poisoning", "other"];
const PRIORITY_RANK = { P1: 0, P2: 1, P3: 2 };
const state = new LiveState();
const unacknowledged = new Set();   // incidents whose crew has not accepted in time
let selected = null;            // incident id
let recommendations = [];
let pin = null;                 // the intake map's marker
let picked = null;              // {lat, lon, from: "suggestion" | "map", text} chosen by suggestion or on the map
let miniMap = null;
let detailMap = null;           // the selected incident's map: one, moved into each rebuilt detail
let detailPin = null;
let detailFor = null;           // the incident the detail map shows
let detailUnits = [];           // markers of the units on it

// -- intake -------------------------------------------------------------------------------------

function field(name, labelKey, input, hint) {
  return el("div", { class: "field", dataset: { field: name } },
    el("label", { for: input.id, text: t(labelKey) }), input,
    hint ? el("small", { class: "hint", text: t(hint) }) : null,
    el("span", { class: "field-error", role: "alert" }));
}

function intakeForm() {
  const phone = el("input", { id: "caller_phone", name: "caller_phone", type: "tel", autocomplete: "off", required: true });
  const name = el("input", { id: "caller_name", name: "caller_name", autocomplete: "off" });
  const where = el("input", { id: "location_text", name: "location_text", autocomplete: "off",
    role: "combobox", "aria-autocomplete": "list", "aria-controls": "suggestions" });
  const suggestions = el("ul", { id: "suggestions", class: "suggestions", role: "listbox", hidden: true });
  const complaint = el("input", { id: "complaint", name: "complaint", autocomplete: "off" });
  const category = el("select", { id: "category", name: "category" },
    CATEGORIES.map((c) => el("option", { value: c, text: t(`category.${c}`), selected: c === "other" })));
  const priorities = el("div", { class: "priorities", role: "radiogroup", id: "priority" },
    ["P1", "P2", "P3"].map((p) => el("label", { class: `priority-choice priority-${p}` },
      el("input", { type: "radio", name: "priority", value: p, checked: p === "P2" }), t(`priority.${p}`))));
  const notes = el("textarea", { id: "notes", name: "notes", rows: 2 });
  // novalidate: the API's own field errors, in the page's language, not the browser's bubbles
  const form = el("form", { id: "intake", class: "intake", autocomplete: "off", novalidate: true },
    el("h2", { text: t("console.intake") }),
    field("caller_phone", "console.phone", phone),
    field("caller_name", "console.caller_name", name),
    el("div", { class: "field", dataset: { field: "location_text" } },
      el("label", { for: "location_text", text: t("console.location") }), where, suggestions,
      el("small", { class: "hint", id: "location-state", text: t("console.location_hint") }),
      el("span", { class: "field-error", role: "alert" })),
    el("div", { id: "intake-map", class: "mini-map" }),
    field("complaint", "console.complaint", complaint),
    field("category", "console.category", category),
    el("fieldset", { class: "field", dataset: { field: "priority" } },
      el("legend", { text: t("console.priority") }), priorities, el("span", { class: "field-error", role: "alert" })),
    field("notes", "console.notes", notes),
    el("div", { class: "actions" },
      el("button", { type: "submit", class: "primary", id: "submit-call", text: t("console.submit") }),
      ["prank", "silent", "info"].map((d) => el("button", { type: "button", class: "disposition",
        id: `disposition-${d}`, dataset: { disposition: d }, text: t(`console.${d}`) }))),
    el("p", { id: "intake-result", class: "result", role: "status" }));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); submitCall("emergency"); });
  form.querySelectorAll(".disposition").forEach((b) => b.addEventListener("click", () => submitCall(b.dataset.disposition)));
  let timer = null;
  where.addEventListener("input", () => {
    // The pin of a suggestion belongs to its name: once the text says something else, the pin goes
    // (the server places the call from the text). A pin the operator put on the map stays until
    // the field is emptied.
    if (!where.value.trim() || (picked?.from === "suggestion" && where.value !== picked.text)) dropPin();

    clearTimeout(timer);
    timer = setTimeout(() => suggest(where.value), 150);
  });
  where.addEventListener("blur", () => { suggestions.hidden = true; });
  where.addEventListener("keydown", (ev) => {
    const items = [...suggestions.querySelectorAll("li")];
    // A list still showing the answer for earlier text (typed on since) is not chosen from: the
    // keys wait for the list of what the field says now.
    if (!suggestions.hidden && items.length && suggestions.dataset.for !== where.value
      && ["ArrowDown", "ArrowUp", "Enter"].includes(ev.key)) {
      ev.preventDefault();
      return;
    }
    const at = items.findIndex((li) => li.getAttribute("aria-selected") === "true");
    if (ev.key === "ArrowDown" && items.length) {
      ev.preventDefault();
      items.forEach((li) => li.setAttribute("aria-selected", "false"));
      items[Math.min(at + 1, items.length - 1)].setAttribute("aria-selected", "true");
    } else if (ev.key === "ArrowUp" && items.length) {
      ev.preventDefault();
      items.forEach((li) => li.setAttribute("aria-selected", "false"));
      items[Math.max(at - 1, 0)].setAttribute("aria-selected", "true");
    } else if (ev.key === "Enter" && !suggestions.hidden && items.length) {
      // Enter takes the highlighted suggestion, or the first: it never saves a call whose place
      // the operator has not seen chosen. Enter again saves.
      ev.preventDefault();
      items[Math.max(at, 0)].click();
    } else if (ev.key === "Escape") {
      suggestions.hidden = true;
    }
  });
  return form;
}

let suggestRequest = 0;

async function suggest(text) {
  const list = $("#suggestions");
  const request = ++suggestRequest;
  if (text.trim().length < 2) { list.hidden = true; return; }
  try {
    const { items } = await get(`/api/geocode?q=${encodeURIComponent(text)}&limit=6`);
    // Only the answer to what is in the field now, and only while the operator is still in it.
    if (request !== suggestRequest || $("#location_text")?.value !== text || document.activeElement?.id !== "location_text") return;
    replace(list, items.map((c) => {
      const li = el("li", { role: "option", "aria-selected": "false" }, el("b", { text: c.name }),
        c.kelurahan ? ` · ${c.kelurahan}` : "", c.kecamatan ? `, ${c.kecamatan}` : "");
      li.addEventListener("mousedown", (ev) => ev.preventDefault());
      li.addEventListener("click", () => {
        picked = { lat: c.lat, lon: c.lon, from: "suggestion", text: c.name };
        $("#location_text").value = c.name;
        list.hidden = true;
        placePin(c.lat, c.lon);
      });
      return li;
    }));
    list.dataset.for = text;
    list.hidden = items.length === 0;
  } catch (err) {
    list.hidden = true;
    if (err instanceof ApiError && err.fields.q) showFieldErrors({ location_text: err.fields.q });
  }
}

function dropPin() {
  picked = null;
  if (pin) { pin.remove(); pin = null; }
  const hint = $("#location-state");
  if (hint) hint.textContent = t("console.location_hint");
}

function placePin(lat, lon) {
  if (!miniMap) return;
  if (!pin) {
    pin = L.marker([lat, lon], { draggable: true, keyboard: false, title: t("console.location_hint") }).addTo(miniMap);
    pin.on("dragend", () => {
      const p = pin.getLatLng();
      picked = { lat: p.lat, lon: p.lng, from: "map" };
      $("#location-state").textContent = `${p.lat.toFixed(5)}, ${p.lng.toFixed(5)}`;
    });
  } else {
    pin.setLatLng([lat, lon]);
  }
  miniMap.setView([lat, lon], 15);
}

function showFieldErrors(fields) {
  document.querySelectorAll("#intake .field-error").forEach((node) => { node.textContent = ""; });
  for (const [name, message] of Object.entries(fields || {})) {
    const slot = document.querySelector(`#intake [data-field="${CSS.escape(name)}"] .field-error`);
    if (slot) slot.textContent = fieldText(message);
  }
}

let submitting = false;
let lastAttempt = null;          // {body, ref}: the call last sent, until it is saved

async function submitCall(disposition) {
  if (submitting) return;
  submitting = true;
  try {
    await saveCall(disposition);
  } finally {
    submitting = false;
  }
}

async function saveCall(disposition) {
  const form = $("#intake");
  const value = (name) => form.elements[name].value.trim() || null;
  const body = {
    caller_phone: value("caller_phone"),          // none typed: null, which the API calls required
    caller_name: value("caller_name"), location_text: value("location_text"), complaint: value("complaint"),
    category: form.elements.category.value, priority: form.querySelector("input[name=priority]:checked").value,
    notes: value("notes"), disposition,
  };
  if (picked) Object.assign(body, { lat: picked.lat, lon: picked.lon });
  // The same call pressed again (its answer was lost or late) goes with the same client_ref and is
  // stored once; anything changed in the form makes it another request.
  const sent = JSON.stringify(body);
  if (lastAttempt?.body !== sent) lastAttempt = { body: sent, ref: newRef() };
  body.client_ref = lastAttempt.ref;
  const result = $("#intake-result");
  result.textContent = t("console.saving");
  result.dataset.state = "saving";
  try {
    const answer = await post("/api/calls", body);
    lastAttempt = null;
    showFieldErrors({});
    result.dataset.state = "saved";
    result.textContent = answer.incident ? t("console.saved", { ref: answer.incident.reference }) : t("console.logged");
    if (answer.incident && answer.location?.source === "unknown") result.textContent += ` — ${t("console.location_unknown")}`;
    form.reset();
    suggestRequest += 1;
    dropPin();
    $("#suggestions").hidden = true;
    miniMap?.setView(PONTIANAK, 12);
    form.elements.caller_phone.focus();
    if (answer.incident) select(answer.incident.id);
  } catch (err) {
    // Whatever went wrong, the form keeps what was typed.
    result.dataset.state = "not-saved";
    if (err instanceof ApiError && err.code === "timeout") {
      result.textContent = t("console.maybe_saved");
    } else {
      if (err instanceof ApiError) showFieldErrors(err.fields);
      result.textContent = t("console.not_saved", { why: explain(err) });
    }
  }
}

// -- queue -------------------------------------------------------------------------------------

function sortedIncidents() {
  return [...state.incidents.values()].sort((a, b) =>
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.created_at.localeCompare(b.created_at));
}

function unitOf(incident) {
  const active = (incident.assignments || []).filter((a) => a.active);
  return active.map((a) => state.units.get(a.unit_id)?.call_sign || `#${a.unit_id}`).join(", ");
}

function renderQueue() {
  const items = sortedIncidents();
  // The browser tab says how many calls wait for a unit, for a console behind another window.
  const waiting = items.filter((i) => i.status === "pending").length;
  document.title = `${waiting ? `(${waiting}) ` : ""}PSC 119 — ${t("console.title")}`;
  replace($("#queue-list"), items.length === 0 ? el("li", { class: "empty", text: t("console.queue_empty") })
    : items.map((i) => {
      const li = el("li", { class: `queue-item priority-${i.priority}${i.id === selected ? " selected" : ""}`,
        tabindex: 0, dataset: { incident: i.id }, "aria-selected": i.id === selected ? "true" : "false" },
      el("div", { class: "line1" }, el("b", { text: i.reference }), " ", el("span", { class: "badge", text: t(`priority.${i.priority}`) }),
        " ", el("span", { class: "age", dataset: { since: i.created_at }, text: duration(secondsSince(i.created_at)) })),
      el("div", { class: "line2" }, label(i.category_label), " · ", t(`incident.${i.status}`),
        unitOf(i) ? ` · ${t("console.unit_on", { unit: unitOf(i) })}` : "",
        unacknowledged.has(i.id) ? el("span", { class: "badge alarm", text: ` ${t("console.not_accepted")}` }) : null),
      el("div", { class: "line3", text: i.address_text || i.location_name || "" }));
      li.addEventListener("click", () => select(i.id));
      li.addEventListener("keydown", (ev) => { if (ev.key === "Enter") select(i.id); });
      return li;
    }));
}

function tickAges() {
  document.querySelectorAll(".age[data-since]").forEach((node) => {
    node.textContent = duration(secondsSince(node.dataset.since));
  });
}

// -- selected incident: recommendations and detail --------------------------------------------

async function select(id) {
  if (id !== selected) {
    recommendations = [];
    recommendationsFor = null;
    replace($("#recommendations"));
  }
  selected = id;
  renderQueue();
  await Promise.all([loadRecommendations(), loadDetail()]);
}

let recommendationsFor = null;   // the incident the recommendations on screen belong to
let lastNotice = null;           // {text, incident, until}: what the last assignment did, kept a while
let recommendRequest = 0;
let assigning = false;

async function loadRecommendations(noticeText = "") {
  const panel = $("#recommendations");
  const id = selected;
  if (noticeText) lastNotice = { text: noticeText, incident: id, until: Date.now() + 15000 };
  const request = ++recommendRequest;
  if (!id) { replace(panel, el("p", { class: "muted", text: t("console.pick_incident") })); return; }
  const incident = state.incidents.get(id);
  let items = [];
  let empty = t("console.no_units");
  if (!incident) {
    empty = t("console.finished");                      // cancelled or closed: nothing to send
  } else {
    try {
      ({ items } = await get(`/api/incidents/${id}/recommendations?limit=5`));
    } catch (err) {
      empty = err instanceof ApiError && err.code === "location_unknown" ? t("console.location_unknown") : explain(err);
    }
  }
  if (request !== recommendRequest || id !== selected) return;   // a newer request or another incident
  recommendations = items;
  recommendationsFor = id;
  const notice = lastNotice && lastNotice.incident === id && Date.now() < lastNotice.until ? lastNotice.text : "";
  const focused = focusedIn(panel);
  replace(panel,
    notice ? el("p", { class: "notice", role: "alert", id: "assign-notice", text: notice }) : null,
    items.length === 0 ? el("p", { class: "muted", id: "no-recommendation", text: empty }) : null,
    el("ol", { class: "recommendations", id: "recommendation-list", dataset: { incident: id } }, items.map((r, n) => el("li",
      { class: `recommendation status-${r.unit.status}`, dataset: { unit: r.unit.id } },
      el("div", { class: "rec-main" }, el("b", { text: r.unit.call_sign }), ` ${r.unit.capability} · `,
        el("span", { class: "eta", text: t("console.eta", { eta: duration(r.eta_s) }) }),
        ` · ${t("console.distance", { km: (r.distance_m / 1000).toFixed(1) })}`,
        r.via.length ? ` · ${t("console.via", { via: r.via.join(", ") })}` : "",
        ` · ${r.position_source === "gps" ? t("console.fix_age", { age: duration(r.position_age_s) }) : t("console.station")}`),
      el("ul", { class: "reasons" }, r.reasons.map((why) => el("li", { text: label(why) }))),
      el("button", { type: "button", class: "primary assign", dataset: { unit: r.unit.id },
        title: t("console.assign_key", { n: n + 1 }), text: `${t("console.assign")} [${n + 1}]`,
        onclick: () => assign(id, r.unit, items[0]?.unit.id) })))));
  refocus(panel, focused);
}

// Send `unit` to incident `id`: the incident the list was computed for, never another one.
async function assign(id, unit, recommendedId) {
  if (assigning || id !== selected || id !== recommendationsFor) return;
  assigning = true;
  try {
    await post(`/api/incidents/${id}/assign`, { unit_id: unit.id, recommended_unit_id: recommendedId });
    await loadRecommendations(t("console.assigned", { unit: unit.call_sign }));
    loadDetail();
  } catch (err) {
    if (err instanceof ApiError && err.code === "unit_unavailable") {
      await loadRecommendations(t("console.taken", { unit: unit.call_sign }));
    } else {
      await loadRecommendations(explain(err));
    }
  } finally {
    assigning = false;
  }
}

let detailRequest = 0;

async function loadDetail({ force = true } = {}) {
  const panel = $("#detail");
  if (!selected) { replace(panel); return; }
  // Live changes do not wipe what the operator is typing into the detail.
  if (!force && panel.contains(document.activeElement) && document.activeElement.matches("input, textarea, select")) return;
  const request = ++detailRequest;
  const wanted = selected;
  let incident;
  try {
    incident = await get(`/api/incidents/${wanted}`);
  } catch {
    return;
  }
  if (request !== detailRequest || wanted !== selected) return;
  const id = incident.id;
  const save = async (changes) => {
    try {
      await patch(`/api/incidents/${id}`, changes);
      loadDetail();
    } catch (err) {
      alertIn(panel, err);
    }
  };
  const reason = el("input", { id: "action-reason", placeholder: t("console.reason") });
  const priority = el("select", { id: "change-priority" }, ["P1", "P2", "P3"].map((p) =>
    el("option", { value: p, text: t(`priority.${p}`), selected: p === incident.priority })));
  priority.addEventListener("change", () => save({ priority: priority.value }));
  const address = el("input", { id: "change-address", value: incident.address_text || "" });
  const notes = el("textarea", { id: "change-notes", rows: 2 });
  notes.value = incident.notes || "";
  const hospitals = el("ol", { id: "hospital-list", class: "hospital-list" });
  const active = (incident.assignments || []).filter((a) => a.active);
  const withdraw = (a) => (reason.value.trim()
    ? act(id, `assignments/${a.id}/cancel`, { reason: reason.value.trim() })
    : alertIn(panel, new Error(t("console.reason_needed_withdraw"))));
  const mapSlot = detailMapElement();
  const focused = focusedIn(panel);
  replace(panel,
    el("h2", { text: `${t("console.detail")} ${incident.reference}` }),
    el("p", {}, label(incident.category_label), " · ", t(`incident.${incident.status}`) || incident.status),
    incident.complaint ? el("p", { text: incident.complaint }) : null,
    // Who to call back: the caller who opened it, and anyone who called about it again.
    (incident.calls || []).length ? el("ul", { class: "callers", id: "callers" }, incident.calls.map((c) =>
      el("li", { dataset: { call: c.id } }, el("span", { class: "muted", text: `${t("console.caller")}: ` }),
        el("b", { class: "phone", text: c.caller_phone }), c.caller_name ? ` · ${c.caller_name}` : "",
        ` · ${clock(c.received_at)}`))) : null,
    el("div", { class: "detail-edit" },
      el("label", { for: "change-address", text: t("console.location") }),
      el("div", { class: "inline" }, address, el("button", { type: "button", id: "save-address", text: t("console.save"),
        onclick: () => relocate(address.value, save) })),
      incident.location_known ? el("small", { class: "hint", id: "detail-location",
        text: `${incident.lat.toFixed(5)}, ${incident.lon.toFixed(5)} · ${[incident.kelurahan, incident.kecamatan].filter(Boolean).join(", ")}` })
        : el("small", { class: "hint", id: "detail-location", text: t("console.location_unknown") }),
      mapSlot,
      el("small", { class: "hint", text: t(incident.location_known ? "console.drag_to_correct" : "console.click_to_place") }),
      el("label", { for: "change-notes", text: t("console.notes") }), notes,
      el("button", { type: "button", id: "save-notes", text: t("console.save"), onclick: () => save({ notes: notes.value || null }) })),
    el("div", { class: "detail-actions" },
      el("label", { for: "change-priority", text: t("console.change_priority") }), priority, reason,
      el("button", { type: "button", id: "cancel-incident", text: t("console.cancel"),
        onclick: () => (reason.value.trim() ? act(id, "cancel", { reason: reason.value })
          : alertIn(panel, new Error(t("console.reason_needed")))) }),
      el("button", { type: "button", id: "close-incident", text: t("console.close"),
        onclick: () => act(id, "close", { outcome: reason.value || null }) })),
    el("h3", { text: t("console.units_on_incident") }),
    el("ul", { id: "assignment-list", class: "assignment-list" }, active.length === 0
      ? el("li", { class: "muted", text: t("console.no_unit_yet") })
      : active.map((a) => el("li", { dataset: { assignment: a.id, unit: a.unit_id } },
        el("b", { text: a.call_sign }), ` · ${t(`status.${a.status}`)} · ${clock(a.dispatched_at)}`,
        a.accepted_at ? "" : el("span", { class: "badge alarm", text: ` ${t("console.not_accepted")}` }), " ",
        el("button", { type: "button", class: "withdraw", dataset: { assignment: a.id },
          text: t("console.withdraw"), title: t("console.withdraw_hint"), onclick: () => withdraw(a) })))),
    el("h3", { text: t("console.hospitals") }), hospitals,
    el("h3", { text: t("console.timeline") }),
    el("ol", { class: "timeline", id: "timeline" }, (incident.timeline || []).map((e) =>
      el("li", { dataset: { type: e.type } }, el("time", { text: clock(e.at) }), " ", t(`event.${e.type}`),
        // An incident's status is named as in the queue (a unit's as on the map): "pending" is no unit status.
        e.data?.to ? `: ${t(`${e.type === "incident.status_changed" ? "incident" : "status"}.${e.data.to}`)}` : "",
        e.actor ? ` · ${e.actor.username}` : ""))));
  refocus(panel, focused);
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
        : el("button", { type: "button", class: "set-destination", text: t("console.set_destination"),
          onclick: () => save({ destination_hospital_id: h.hospital.id }) }))));
    } catch {
      // no suggestions: the rest of the detail stands
    }
  }
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
      if (detailFor && !detailFor.known) detailFor.save({ lat: ev.latlng.lat, lon: ev.latlng.lng });
    });
  }
  if (incident.id !== selected) return;
  detailMap.invalidateSize();
  const first = detailFor?.id !== incident.id;
  detailFor = { id: incident.id, known: incident.location_known, save,
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
  // A newly selected incident is framed with its units; later rebuilds keep the operator's view.
  if (first) {
    const units = detailUnits.map((m) => m.getLatLng());
    if (units.length) detailMap.fitBounds([at, ...units], { padding: [25, 25], maxZoom: 15 });
    else detailMap.setView(at, 15);
  }
}

// The units on the selected incident, where they are now (they move with the positions).
function drawDetailUnits() {
  if (!detailMap || !detailFor) return;
  detailUnits.forEach((marker) => marker.remove());
  detailUnits = detailFor.unitIds.map((id) => state.units.get(id)).filter(Boolean).map((unit) =>
    L.circleMarker(LiveState.whereIs(unit), { radius: 8, weight: 3, interactive: false,
      className: `unit-marker unit-${unit.id} status-${unit.status}` })
      .bindTooltip(el("span", { text: unit.call_sign }), { permanent: true, direction: "right", offset: [8, 0], className: "unit-label" })
      .addTo(detailMap));
}

// The operator corrects the location: the place found for the text moves the pin (source
// "operator"); text that matches nothing is kept as the address and the pin stays.
async function relocate(text, save) {
  let found = null;
  if (text.trim()) {
    try {
      found = (await get(`/api/geocode?q=${encodeURIComponent(text)}&limit=1&typing=false`)).items[0] || null;
    } catch {
      found = null;
    }
  }
  await save(found ? { address_text: text, lat: found.lat, lon: found.lon } : { address_text: text || null });
}

function alertIn(panel, err) {
  panel.prepend(el("p", { class: "notice", role: "alert", text: err instanceof ApiError ? explain(err) : err.message || String(err) }));
}

async function act(id, action, body) {
  try {
    await post(`/api/incidents/${id}/${action}`, body);
    loadDetail();
  } catch (err) {
    alertIn($("#detail"), err);
  }
}

// -- keyboard: 1..5 (Alt+1..5 while typing) assign the recommended unit of that rank -------------

document.addEventListener("keydown", (ev) => {
  const typing = ev.target.closest?.("input, textarea, select");
  if ((typing && !ev.altKey) || ev.ctrlKey || ev.metaKey) return;
  const n = Number(ev.code?.startsWith("Digit") ? ev.code.slice(5) : ev.key);
  if (n >= 1 && n <= recommendations.length && selected && recommendationsFor === selected) {
    ev.preventDefault();
    assign(recommendationsFor, recommendations[n - 1].unit, recommendations[0].unit.id);
  }
});

// -- start -------------------------------------------------------------------------------------

function layout() {
  replace($("#main"),
    el("div", { class: "console-layout" },
      el("section", { class: "col intake-col" }, intakeForm()),
      el("section", { class: "col queue-col" }, el("h2", { text: t("console.queue") }),
        el("ol", { id: "queue-list", class: "queue" })),
      el("section", { class: "col detail-col" }, el("h2", { text: t("console.recommend") }),
        el("div", { id: "recommendations" }), el("div", { id: "detail" }))));
}

// A panel rebuilt by a live change keeps the keyboard on the same control: found again by id, or
// by its tag, classes and data attributes (an assign button of one unit, say).
function focusedIn(panel) {
  const node = document.activeElement;
  if (!node || node === panel || !panel.contains(node)) return null;
  if (node.id) return `#${CSS.escape(node.id)}`;
  const classes = [...node.classList].map((c) => `.${CSS.escape(c)}`).join("");
  const data = Object.entries(node.dataset).map(([k, v]) =>
    `[data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${CSS.escape(v)}"]`).join("");
  return `${node.tagName.toLowerCase()}${classes}${data}`;
}

function refocus(panel, selector) {
  if (selector && !panel.contains(document.activeElement)) panel.querySelector(selector)?.focus();
}

// The queue, rebuilt on every change, keeps the keyboard focus where it was.
function keepFocus(render) {
  const focused = document.activeElement?.closest?.(".queue-item")?.dataset.incident;
  render();
  if (focused) document.querySelector(`.queue-item[data-incident="${focused}"]`)?.focus();
}

// The language changed: rebuild the page in it, keeping what was typed into the intake form.
async function relabel() {
  const form = $("#intake");
  const typed = form ? [...form.elements].filter((e) => e.name).map((e) => [e.name, e.type, e.value, e.checked]) : [];
  const pinAt = pin?.getLatLng();
  miniMap?.remove();
  miniMap = null;
  pin = null;
  layout();
  const fresh = $("#intake");
  for (const [name, type, value, checked] of typed) {
    if (type === "radio") fresh.querySelector(`input[name="${name}"][value="${CSS.escape(value)}"]`).checked = checked;
    else if (fresh.elements[name]) fresh.elements[name].value = value;
  }
  await mountMiniMap();
  if (pinAt) placePin(pinAt.lat, pinAt.lng);
  renderQueue();
  if (selected) select(selected);
}

async function start() {
  translatePage();
  $("#lang").append(languageSwitch(relabel));
  const user = await login(ROLES);
  $("#who").textContent = user.username;
  $("#logout").addEventListener("click", logout);
  const sound = soundSwitch();
  $("#sound").append(sound);
  onLangChange(sound.relabel);
  layout();
  await mountMiniMap();
  const live = connectLive({
    snapshot: (s) => state.snapshot(s),
    event: (e) => state.event(e),
    positions: (items) => state.positions(items),
    resumed: () => get("/api/units").then(({ items }) => state.refreshUnits(items)).catch(() => {}),
  });
  $("#indicator").append(indicator(live));
  state.onChange((change) => {
    if (change.kind === "positions") {          // nothing in the queue moves with a position
      drawDetailUnits();
      return;
    }
    const e0 = change.event;
    if (e0?.type === "assignment.unacknowledged") {
      unacknowledged.add(e0.incident_id);
      alarm(true);
    }
    // A red call logged at another desk: someone must send a unit.
    if (e0?.type === "incident.created" && e0.data?.incident?.priority === "P1" && e0.actor?.id !== user.id) alarm(true);
    if (e0?.type === "assignment.accepted" || e0?.type === "assignment.cancelled") unacknowledged.delete(e0.incident_id);
    keepFocus(renderQueue);
    const e = change.event;
    if (selected && (!e || e.incident_id === selected || e.type.startsWith("unit."))) {
      loadRecommendations();
      if (!e || e.incident_id === selected) loadDetail({ force: false });
    }
  });
  // Logged in again: the live connection is opened again with the new token. One still up was
  // opened with the old token, and the server closing it later must not end the new session.
  watchSession(ROLES, () => live.reconnect());
  onLangChange(() => renderQueue());
  setInterval(tickAges, 1000);
  $("#caller_phone").focus();
}

async function mountMiniMap() {
  miniMap = baseMap($("#intake-map"), { zoom: 12, zones: false, focusable: false });
  miniMap.on("click", (ev) => {
    placePin(ev.latlng.lat, ev.latlng.lng);
    picked = { lat: ev.latlng.lat, lon: ev.latlng.lng, from: "map" };
    $("#location-state").textContent = `${ev.latlng.lat.toFixed(5)}, ${ev.latlng.lng.toFixed(5)}`;
  });
}

start();
