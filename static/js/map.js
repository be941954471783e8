// Supervisor live map (/map): units moving live, coloured by status and faded when their phone is
// disconnected or their fix is old; open incidents by priority with a line to the assigned unit;
// hospitals with their beds; live counts and today's response times.
import { get } from "./api.js";
import { $, el, replace } from "./dom.js";
import { label, onLangChange, t, translatePage } from "./i18n.js";
import { connectLive, indicator } from "./live.js";
import { baseMap, L } from "./mapbase.js";
import { languageSwitch, login, logout, watchSession } from "./session.js";
import { LiveState } from "./state.js";
import { duration, secondsSince } from "./time.js";

const ROLES = ["supervisor", "operator"];
const state = new LiveState();
const markers = { units: new Map(), incidents: new Map(), lines: new Map() };
let map;
let stats = null;

function unitFaded(unit) {
  return !unit.presence?.device_connected || unit.presence?.position_stale;
}

// The label beside each unit: its call sign, and for a faded unit why and how old its position is.
function unitLabel(unit) {
  const age = secondsSince(unit.position?.at);
  const parts = [el("b", { text: unit.call_sign })];
  if (unitFaded(unit)) {
    parts.push(" ", el("small", { text: unit.position?.at ? t("map.fix_age", { age: duration(age) }) : t("map.no_fix") }));
    if (!unit.presence?.device_connected) parts.push(el("br"), el("small", { text: t("map.device_off") }));
  }
  return el("div", { class: "unit-label-text", dataset: { unit: unit.id } }, parts);
}

function drawUnit(unit) {
  const where = LiveState.whereIs(unit);
  const className = `unit-marker unit-${unit.id} status-${unit.status}${unitFaded(unit) ? " faded" : ""}`;
  let marker = markers.units.get(unit.id);
  if (!marker) {
    marker = L.circleMarker(where, { radius: 9, weight: 3, className }).addTo(map);
    marker.bindTooltip(unitLabel(unit), { permanent: true, direction: "right", offset: [8, 0],
      className: "unit-label" });
    markers.units.set(unit.id, marker);
  } else {
    // Only what changed is touched: a Leaflet tooltip re-measures itself (a layout) on every
    // update, and with every unit redrawn per event a wall map fell seconds behind
    // (bench/page_bench.py).
    const at = marker.getLatLng();
    if (at.lat !== where[0] || at.lng !== where[1]) marker.setLatLng(where);
    if (marker.drawnClass !== className) marker.getElement()?.setAttribute("class", `leaflet-interactive ${className}`);
    const label = labelKey(unit);
    if (marker.drawnLabel !== label) marker.setTooltipContent(unitLabel(unit));
    marker.drawnLabel = label;
  }
  marker.drawnClass = className;
  marker.drawnLabel ??= labelKey(unit);
}

// What the label shows, as a key: the call sign, the language, and for a faded unit its reasons
// and the age of its fix as shown (it ticks).
function labelKey(unit) {
  if (!unitFaded(unit)) return `${unit.call_sign}|${t("map.device_off")}`;
  const age = unit.position?.at ? duration(secondsSince(unit.position.at)) : "-";
  return `${unit.call_sign}|${t("map.device_off")}|${age}|${unit.presence?.device_connected}`;
}

function drawIncident(incident) {
  if (!incident.location_known) return;
  const className = `incident-marker incident-${incident.id} priority-${incident.priority}`;
  let marker = markers.incidents.get(incident.id);
  const tip = el("div", { class: "tip" }, el("strong", { text: incident.reference }), " ",
    label(incident.category_label), el("br"), incident.address_text || incident.location_name || "");
  if (!marker) {
    marker = L.circleMarker([incident.lat, incident.lon], { radius: 12, weight: 3, className }).addTo(map);
    marker.bindTooltip(tip, { direction: "top" });
    markers.incidents.set(incident.id, marker);
  } else {
    marker.setLatLng([incident.lat, incident.lon]);
    marker.getElement()?.setAttribute("class", `leaflet-interactive ${className}`);
    marker.setTooltipContent(tip);
  }
}

function drawLines() {
  markers.lines.forEach((line) => line.remove());
  markers.lines.clear();
  for (const unit of state.units.values()) {
    const incident = unit.current_assignment && state.incidents.get(unit.current_assignment.incident_id);
    if (!incident || !incident.location_known) continue;
    const line = L.polyline([LiveState.whereIs(unit), [incident.lat, incident.lon]],
      { className: `assignment-line line-unit-${unit.id}`, weight: 3, dashArray: "6 6", interactive: false });
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

function renderSide() {
  const incidents = [...state.incidents.values()];
  const byPriority = count(incidents, "priority");
  const byStatus = count([...state.units.values()], "status");
  const times = (pair) => (pair && pair.n
    ? `${t("map.median")} ${duration(pair.median)} · ${t("map.p90")} ${duration(pair.p90)} (n=${pair.n})` : "–");
  replace($("#side"),
    el("section", {},
      el("h2", { text: t("map.open_incidents") }),
      el("ul", { class: "counts", id: "incident-counts" }, ["P1", "P2", "P3"].map((p) => el("li",
        { class: `priority-${p}`, dataset: { priority: p } }, el("span", { text: t(`priority.${p}`) }),
        el("b", { text: byPriority[p] || 0 })))),
      el("ul", { class: "incident-list", id: "incident-list" }, incidents
        .sort((a, b) => a.priority.localeCompare(b.priority) || a.created_at.localeCompare(b.created_at))
        .map((i) => el("li", { class: `priority-${i.priority}`, dataset: { incident: i.id } },
          el("b", { text: i.reference }), " ", label(i.category_label), " · ", t(`incident.${i.status}`))))),
    el("section", {},
      el("h2", { text: t("map.units") }),
      el("ul", { class: "counts", id: "unit-counts" }, Object.keys(byStatus).sort().map((s) => el("li",
        { class: `status-${s}`, dataset: { status: s } }, el("span", { text: t(`status.${s}`) }),
        el("b", { text: byStatus[s] })))),
      el("ul", { class: "unit-list", id: "unit-list" }, [...state.units.values()].map((u) => el("li",
        { class: `status-${u.status}${unitFaded(u) ? " faded" : ""}`, dataset: { unit: u.id } },
        el("b", { text: u.call_sign }), " ", t(`status.${u.status}`),
        unitFaded(u) ? el("small", { text: ` (${!u.presence?.device_connected ? t("map.device_off") : t("map.stale")})` })
          : null)))),
    el("section", { id: "today" },
      el("h2", { text: t("map.today") }),
      el("p", {}, t("map.incidents_today"), ": ", el("b", { text: stats ? stats.incidents_today : "–" })),
      el("p", {}, t("map.call_to_dispatch"), ": ", el("b", { id: "to-dispatch", text: times(stats?.call_to_dispatch_s) })),
      el("p", {}, t("map.call_to_arrival"), ": ", el("b", { id: "to-arrival", text: times(stats?.call_to_arrival_s) }))));
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

async function drawHospitals() {
  const { items } = await get("/api/hospitals");
  hospitalLayer?.remove();
  hospitalLayer = L.layerGroup().addTo(map);
  for (const h of items) {
    const beds = h.beds_available === null ? t("map.beds_unknown") : t("map.beds", { n: h.beds_available });
    L.circleMarker([h.lat, h.lon], { radius: 7, weight: 2, className: `hospital-marker hospital-${h.status}` })
      .bindTooltip(el("div", { class: "tip" }, el("strong", { text: h.short_name || h.name }), el("br"), beds))
      .addTo(hospitalLayer);
  }
}

async function start() {
  translatePage();
  $("#lang").append(languageSwitch(() => redraw()));
  const user = await login(ROLES);
  $("#who").textContent = user.username;
  $("#logout").addEventListener("click", logout);
  map = baseMap($("#map"));
  drawHospitals().catch(() => {});   // hospitals are drawn when they can be; the live map goes on
  let statsTimer = null;
  const live = connectLive({
    snapshot: (s) => { state.snapshot(s); refreshStats(); },
    event: (e) => {
      state.event(e);
      if (e.type === "hospital.updated") drawHospitals().catch(() => {});
      clearTimeout(statsTimer);
      statsTimer = setTimeout(refreshStats, 500);
    },
    positions: (items) => state.positions(items),
    resumed: () => get("/api/units").then(({ items }) => state.refreshUnits(items)).catch(() => {}),
  });
  $("#indicator").append(indicator(live));
  state.onChange(redraw);
  watchSession(ROLES, () => live.reconnect());
  onLangChange(() => { redraw(); drawHospitals().catch(() => {}); });
  setInterval(refreshStats, 30000);
  setInterval(() => state.units.forEach(drawUnit), 5000);   // position ages tick
}

start();
