// Supervisor live map (/map): units moving live, coloured by status and faded when their phone is
// disconnected or their fix is old; open incidents by priority, drawn above the units, with a line
// to the assigned unit; hospitals with their names and beds; kecamatan and kelurahan names by zoom;
// a legend; live counts, waiting times and today's response times in a side panel on one screen.
import { get } from "./api.js";
import { $, el, replace } from "./dom.js";
import { label, onLangChange, t, translatePage } from "./i18n.js";
import { connectLive, indicator } from "./live.js";
import { baseMap, L, zoomClasses } from "./mapbase.js";
import { legend } from "./maplegend.js";
import { precisionLabel, resolvedPlace, saidText } from "./place.js";
import { loadVocabulary, term } from "./vocabulary.js";
import { languageSwitch, login, logout, watchSession } from "./session.js";
import { LiveState } from "./state.js";
import { duration, secondsSince } from "./time.js";

const ROLES = ["supervisor", "operator"];
const state = new LiveState();
const markers = { units: new Map(), callSigns: new Map(), incidents: new Map(), lines: new Map() };
// Drawn in this order, bottom to top: an incident is never hidden under a unit or a label.
const PANES = { lines: 410, hospitals: 415, units: 420, unitLabels: 425, incidents: 430 };
let map;
let stats = null;

function unitFaded(unit) {
  return !unit.presence?.device_connected || unit.presence?.position_stale;
}

// A unit's details, on hover: call sign, status, and for a faded unit why and how old its position is.
function unitLabel(unit) {
  const age = secondsSince(unit.position?.at);
  const parts = [el("b", { text: unit.call_sign }), " ", term("unit_statuses", unit.status)];
  if (unitFaded(unit)) {
    parts.push(el("br"), el("small", { text: unit.position?.at ? t("map.fix_age", { age: duration(age) }) : t("map.no_fix") }));
    if (!unit.presence?.device_connected) parts.push(el("br"), el("small", { text: t("map.device_off") }));
  }
  return el("div", { class: "unit-label-text", dataset: { unit: unit.id } }, parts);
}

function callSignIcon(unit, faded) {
  return L.divIcon({ className: `map-label unit-callsign${faded ? " faded" : ""}`, iconSize: null,
    html: el("span", { dataset: { unit: unit.id }, text: unit.call_sign }) });
}

function drawUnit(unit) {
  const where = LiveState.whereIs(unit);
  const faded = unitFaded(unit);
  const className = `unit-marker unit-${unit.id} status-${unit.status}${faded ? " faded" : ""}`;
  let marker = markers.units.get(unit.id);
  if (!marker) {
    marker = L.circleMarker(where, { radius: 9, weight: 3, className, pane: "units" }).addTo(map);
    marker.bindTooltip(() => unitLabel(unit), { direction: "right", offset: [8, 0], className: "unit-label" });
    markers.units.set(unit.id, marker);
    markers.callSigns.set(unit.id, L.marker(where, { pane: "unitLabels", interactive: false, keyboard: false,
      icon: callSignIcon(unit, faded) }).addTo(map));
  } else {
    // Only what changed is touched: with every unit redrawn per event a wall map fell seconds
    // behind (bench/page_bench.py).
    const at = marker.getLatLng();
    if (at.lat !== where[0] || at.lng !== where[1]) {
      marker.setLatLng(where);
      markers.callSigns.get(unit.id).setLatLng(where);
    }
    if (marker.drawnClass !== className) {
      marker.getElement()?.setAttribute("class", `leaflet-interactive ${className}`);
      markers.callSigns.get(unit.id).setIcon(callSignIcon(unit, faded));
    }
    // The hover text is built when shown (a closed tooltip costs nothing); one open now is
    // rebuilt, its age ticking.
    marker.setTooltipContent(() => unitLabel(state.units.get(unit.id) || unit));
  }
  marker.drawnClass = className;
}

function incidentTip(incident) {
  const place = resolvedPlace(incident);
  const precision = precisionLabel(incident);
  return el("div", { class: "tip" }, el("strong", { text: incident.reference }), " ",
    label(incident.category_label), " · ", term("incident_statuses", incident.status), el("br"),
    el("span", { class: "said", text: saidText(incident) || place }),
    place && saidText(incident) ? [el("br"), el("span", { class: "resolved", text: `→ ${place}` })] : null,
    precision ? [el("br"), el("em", { class: "precision", text: precision })] : null);
}

function drawIncident(incident) {
  if (!incident.location_known) return;
  const className = `incident-marker incident-${incident.id} priority-${incident.priority}`;
  let marker = markers.incidents.get(incident.id);
  if (!marker) {
    marker = L.circleMarker([incident.lat, incident.lon], { radius: 12, weight: 3, className, pane: "incidents" }).addTo(map);
    marker.bindTooltip(incidentTip(incident), { direction: "top" });
    markers.incidents.set(incident.id, marker);
  } else {
    marker.setLatLng([incident.lat, incident.lon]);
    marker.getElement()?.setAttribute("class", `leaflet-interactive ${className}`);
    marker.setTooltipContent(incidentTip(incident));
  }
}

function drawLines() {
  markers.lines.forEach((line) => line.remove());
  markers.lines.clear();
  for (const unit of state.units.values()) {
    const incident = unit.current_assignment && state.incidents.get(unit.current_assignment.incident_id);
    if (!incident || !incident.location_known) continue;
    const line = L.polyline([LiveState.whereIs(unit), [incident.lat, incident.lon]],
      { className: `assignment-line line-unit-${unit.id}`, weight: 3, dashArray: "6 6", interactive: false, pane: "lines" });
    markers.lines.set(unit.id, line.addTo(map));
  }
}

function redraw() {
  for (const [id, marker] of markers.incidents) {
    if (!state.incidents.has(id)) { marker.remove(); markers.incidents.delete(id); }
  }
  state.units.forEach(drawUnit);
  state.incidents.forEach(drawIncident);
  drawLines();
  renderSide();
}

function count(list, key) {
  const out = {};
  list.forEach((item) => { out[item[key]] = (out[item[key]] || 0) + 1; });
  return out;
}

// How long an incident has waited: for a unit while pending, else since the call.
function waitText(incident) {
  const age = duration(secondsSince(incident.created_at));
  return incident.status === "pending" ? t("map.waiting", { age }) : t("map.since_call", { age });
}

function tickAges() {
  document.querySelectorAll("#incident-list li[data-incident]").forEach((row) => {
    const incident = state.incidents.get(Number(row.dataset.incident));
    const age = row.querySelector(".age");
    if (incident && age) age.textContent = waitText(incident);
  });
}

function renderSide() {
  const incidents = [...state.incidents.values()];
  const byPriority = count(incidents, "priority");
  const byStatus = count([...state.units.values()], "status");
  const times = (pair) => (pair && pair.n
    ? `${t("map.median")} ${duration(pair.median)} · ${t("map.p90")} ${duration(pair.p90)} (n=${pair.n})` : "–");
  replace($("#side"),
    el("section", { id: "today" },
      el("h2", { text: t("map.today") }),
      el("p", {}, t("map.incidents_today"), ": ", el("b", { id: "incidents-today", text: stats ? stats.incidents_today : "–" })),
      el("p", {}, t("map.call_to_dispatch"), ": ", el("b", { id: "to-dispatch", text: times(stats?.call_to_dispatch_s) })),
      el("p", {}, t("map.call_to_arrival"), ": ", el("b", { id: "to-arrival", text: times(stats?.call_to_arrival_s) }))),
    el("section", { id: "side-incidents" },
      el("h2", { text: t("map.open_incidents") }),
      el("ul", { class: "counts", id: "incident-counts" }, ["P1", "P2", "P3"].map((p) => el("li",
        { class: `priority-${p}`, dataset: { priority: p } }, el("span", { text: term("priorities", p) }),
        el("b", { text: byPriority[p] || 0 })))),
      el("ul", { class: "incident-list", id: "incident-list" }, incidents
        .sort((a, b) => a.priority.localeCompare(b.priority) || a.created_at.localeCompare(b.created_at))
        .map((i) => el("li", { class: `priority-${i.priority}${i.status === "pending" ? " pending" : ""}`, dataset: { incident: i.id } },
          el("span", { class: "age", text: waitText(i) }),
          el("b", { class: "ref", text: i.reference }), el("br"), label(i.category_label), " · ", term("incident_statuses", i.status),
          el("span", { class: "where", text: saidText(i) || i.location_name || "" }))))),
    el("section", { id: "side-units" },
      el("h2", { text: t("map.units") }),
      el("ul", { class: "counts", id: "unit-counts" }, Object.keys(byStatus).sort().map((s) => el("li",
        { class: `status-${s}`, dataset: { status: s } }, el("span", { text: term("unit_statuses", s) }),
        el("b", { text: byStatus[s] })))),
      el("ul", { class: "unit-list", id: "unit-list" }, [...state.units.values()].map((u) => el("li",
        { class: `status-${u.status}${unitFaded(u) ? " faded" : ""}`, dataset: { unit: u.id } },
        el("b", { text: u.call_sign }), " ", term("unit_statuses", u.status),
        unitFaded(u) ? el("small", { text: ` (${!u.presence?.device_connected ? t("map.device_off") : t("map.stale")})` })
          : null)))));
}

async function refreshStats() {
  try {
    stats = await get("/api/stats/today");
    renderSide();
  } catch {
    // shown as it was; the indicator tells whether the page is live
  }
}

let hospitalLayer = null;

// Hospitals: a dot with an H, their short names from zoom 14 (the city's zoom has no room for
// fifteen names), and on hover the full name, beds and whether they take patients.
async function drawHospitals() {
  const { items } = await get("/api/hospitals");
  hospitalLayer?.remove();
  hospitalLayer = L.layerGroup().addTo(map);
  for (const h of items) {
    if (h.kind === "puskesmas") { drawPuskesmas(h); continue; }
    const beds = h.beds_available === null ? t("map.beds_unknown") : t("map.beds", { n: h.beds_available });
    const name = h.short_name || h.name;
    L.circleMarker([h.lat, h.lon], { radius: 8, weight: 2, pane: "hospitals", className: `hospital-marker hospital-${h.status}` })
      .bindTooltip(el("div", { class: "tip" }, el("strong", { text: h.name }), el("br"), beds,
        h.status !== "open" ? [el("br"), el("b", { text: t(`map.hospital.${h.status}`) })] : null))
      .addTo(hospitalLayer);
    L.marker([h.lat, h.lon], { pane: "hospitals", interactive: false, keyboard: false,   // an H on the dot
      icon: L.divIcon({ className: "hospital-h", iconSize: null, html: el("span", { text: "H" }) }) }).addTo(hospitalLayer);
    L.marker([h.lat, h.lon], { pane: "unitLabels", interactive: false, keyboard: false,
      icon: L.divIcon({ className: `map-label hospital-name hospital-${h.status}`, iconSize: null,
        html: el("span", { dataset: { hospital: h.id }, text: name }) }) }).addTo(hospitalLayer);
  }
}

// A puskesmas: a small green dot, no "H" and no beds (it has no emergency ward), and
// whether its position is only estimated from its address.
function drawPuskesmas(h) {
  L.circleMarker([h.lat, h.lon], { radius: 5, weight: 2, pane: "hospitals", className: "place-dot place-puskesmas puskesmas-marker" })
    .bindTooltip(el("div", { class: "tip" }, el("strong", { text: h.name }),
      h.position_estimated ? [el("br"), t("map.position_estimated")] : null))
    .addTo(hospitalLayer);   // named on hover: 23 names would bury the units at city zoom
}

async function start() {
  translatePage();
  $("#lang").append(languageSwitch(() => redraw()));
  const user = await login(ROLES);
  $("#who").textContent = user.username;
  $("#logout").addEventListener("click", logout);
  map = baseMap($("#map"), { zoneLabels: true, hospitals: false });   // hospitals drawn here, with their beds
  for (const [name, z] of Object.entries(PANES)) map.createPane(name).style.zIndex = String(z);
  map.getPane("unitLabels").style.pointerEvents = "none";
  zoomClasses(map);
  const key = legend();
  key.addTo(map);
  // The labels of priorities and statuses (GET /api/vocabulary), filled in when they come.
  loadVocabulary().then(() => { redraw(); key.refresh(); });
  drawHospitals().catch(() => {});   // hospitals are drawn when they can be; the live map goes on
  let statsTimer = null;
  const live = connectLive({
    snapshot: (s) => { state.snapshot(s); refreshStats(); },
    event: (e) => {
      state.event(e);
      if (e.type === "hospital.updated" || e.type === "hospital.created") drawHospitals().catch(() => {});
      clearTimeout(statsTimer);
      statsTimer = setTimeout(refreshStats, 500);
    },
    positions: (items) => state.positions(items),
    resumed: () => get("/api/units").then(({ items }) => state.refreshUnits(items)).catch(() => {}),
  });
  $("#indicator").append(indicator(live));
  state.onChange(redraw);
  watchSession(ROLES, () => live.reconnect());
  onLangChange(() => { redraw(); key.refresh(); drawHospitals().catch(() => {}); });
  setInterval(refreshStats, 30000);
  setInterval(tickAges, 1000);                                // waiting times tick
  setInterval(() => state.units.forEach(drawUnit), 5000);     // position ages tick
}

start();
