// Crew app (/crew): mobile-first. The current job with its address, notes, map and the bridges to
// cross; a big button to accept it and one big button for the next status; presses made without a
// connection wait on the phone (outbox.js); the phone's position is shared while on duty.
import { get } from "./api.js";
import { explain } from "./errors.js";
import { $, el, replace } from "./dom.js";
import { label, onLangChange, t, translatePage } from "./i18n.js";
import { connectLive, indicator } from "./live.js";
import { baseMap, L } from "./mapbase.js";
import { Outbox } from "./outbox.js";
import { languageSwitch, login, logout, watchSession } from "./session.js";
import { duration } from "./time.js";

const ROLES = ["crew"];
const NEXT = { dispatched: "en_route", en_route: "on_scene", on_scene: "transporting", transporting: "at_hospital",
  at_hospital: "available" };
const FIX_EVERY_MS = 5000;
const ROUTE_EVERY_MS = 30000;   // the ETA and the bridges follow the ambulance on its way
const ENDS_JOB = new Set(["available", "out_of_service"]);
const job = { unit: null, incident: null, assignment: null, route: null, hospitals: null, choosing: false, notice: null,
  refusal: null };   // notice: the job cancelled (until the next job); refusal: a press not applied
let live;
let outbox;
let map = null;
let mapLayers = [];
let framed = null;              // what the crew map was last framed on
let lastFixSent = 0;
let gpsState = "";

// The unit as the server last said, by version: an answer and an event about the same change
// may come in either order, and an older one never takes the screen back a status.
function setUnit(unit) {
  if (job.unit && job.unit.id === unit.id && (job.unit.version ?? 0) > (unit.version ?? 0)) return;
  const mine = job.unit?.id === unit.id ? job.unit.position : null;
  const position = mine?.at && (!unit.position?.at || new Date(mine.at) > new Date(unit.position.at))
    ? mine : unit.position;
  job.unit = { ...unit, position };
}

function currentAssignment() {
  const unit = job.unit;
  if (!unit?.current_assignment) return null;
  return { ...(job.assignment && job.assignment.id === unit.current_assignment.id ? job.assignment : {}),
    ...unit.current_assignment };
}

async function loadIncident() {
  const assignment = job.unit?.current_assignment;
  if (!assignment) {
    Object.assign(job, { incident: null, assignment: null, route: null, hospitals: null });
    return;
  }
  try {
    job.incident = await get(`/api/incidents/${assignment.incident_id}`);
    job.assignment = job.incident.assignments.find((a) => a.id === assignment.id) || job.assignment;
    job.route = await get(`/api/units/${job.unit.id}/route`).catch(() => null);
  } catch {
    // shown from what the live connection brought
  }
}

let lastPress = 0;
const COOL_MS = 800;

// The job a press is meant for: the one on screen, unless a press still waiting in the outbox
// ends it first. The server refuses a press whose job was replaced meanwhile (a queued "on scene"
// never lands on a new job given while the phone was offline).
function pressedFor() {
  const waiting = outbox.pending.filter((p) => p.name === "status");
  if (waiting.some((p) => ENDS_JOB.has(p.payload.status))) return null;
  return currentAssignment()?.id ?? null;
}

// One press per status: the next button appears under the thumb, so it stays disabled for a
// moment (a double tap does not skip a status).
function press(status, extra = {}) {
  const now = Date.now();
  if (now - lastPress < COOL_MS) return;
  lastPress = now;
  setTimeout(render, COOL_MS + 20);
  job.choosing = false;
  job.notice = null;
  job.refusal = null;
  outbox.add("status", { status, ...extra, assignment_id: pressedFor() });
  render();
}

async function chooseHospital() {
  job.choosing = true;
  render();
  try {
    job.hospitals = await get(`/api/incidents/${job.incident.id}/hospitals?limit=5`);
  } catch {
    job.hospitals = { items: [] };
  }
  render();
}

function statusButtons() {
  const unit = job.unit;
  const pendingStatus = outbox.pending.filter((p) => p.name === "status").map((p) => p.payload.status);
  const shown = pendingStatus.length ? pendingStatus[pendingStatus.length - 1] : unit.status;
  const next = NEXT[shown];
  const cooling = Date.now() - lastPress < COOL_MS;   // a press now would be ignored: shown so
  const buttons = [];
  if (next === "transporting" && job.choosing) {
    buttons.push(el("h3", { text: t("crew.choose_hospital") }),
      el("button", { type: "button", class: "secondary", id: "transport-no-choice", text: t("crew.transport_unchosen"),
        onclick: () => press("transporting") }),
      el("button", { type: "button", class: "secondary", id: "choice-back", text: t("crew.back"),
        onclick: () => { job.choosing = false; render(); } }),
      el("div", { class: "hospital-choices", id: "hospital-choices" }, (job.hospitals?.items || []).map((h) =>
        el("button", { type: "button", class: "big hospital", dataset: { hospital: h.hospital.id },
          onclick: () => press("transporting", { hospital_id: h.hospital.id }) },
        el("b", { text: h.hospital.short_name || h.hospital.name }), el("br"),
        `${duration(h.eta_s)} · ${(h.distance_m / 1000).toFixed(1)} km`))));
  } else if (next) {
    buttons.push(el("button", { type: "button", class: `big next status-${next}`, id: "next-status",
      dataset: { next }, text: t(`crew.next.${next}`), disabled: cooling,
      onclick: () => (next === "transporting" ? chooseHospital() : press(next)) }));
  }
  if (shown === "on_scene" && !job.choosing) {
    buttons.push(el("button", { type: "button", class: "secondary", id: "treated-on-scene",
      text: t("crew.treated_on_scene"), disabled: cooling, onclick: () => press("available") }));
  }
  if (shown === "available") {
    buttons.push(el("button", { type: "button", class: "secondary", id: "out-of-service",
      text: t("crew.out_of_service"), disabled: cooling, onclick: () => press("out_of_service") }));
  }
  if (shown === "out_of_service") {
    buttons.push(el("button", { type: "button", class: "big next", id: "back-in-service",
      text: t("crew.back_in_service"), disabled: cooling, onclick: () => press("available") }));
  }
  return buttons;
}

function jobCard() {
  const incident = job.incident;
  const assignment = currentAssignment();
  if (!assignment || !incident) return el("p", { class: "no-job", id: "no-job", text: t("crew.no_job") });
  const route = job.route;
  const accepted = Boolean(assignment.accepted_at);
  const acceptWaiting = outbox.pending.some((p) => p.name === "accept" && p.payload.assignment_id === assignment.id);
  return el("article", { class: `job priority-${incident.priority}`, id: "job", dataset: { incident: incident.id } },
    el("div", { class: "job-head" }, el("b", { text: t(`priority.${incident.priority}`) }), " · ",
      label(incident.category_label), " · ", el("span", { text: incident.reference })),
    el("p", { class: "address", id: "job-address", text: incident.address_text || incident.location_name || "" }),
    incident.kelurahan ? el("p", { class: "muted", text: [incident.kelurahan, incident.kecamatan].filter(Boolean).join(", ") }) : null,
    route ? el("p", { class: "route", id: "route" }, t("crew.route", { eta: duration(route.eta_s), km: (route.distance_m / 1000).toFixed(1) }),
      " · ", route.via.length ? t("crew.via", { via: route.via.join(", ") }) : t("crew.no_bridge")) : null,
    incident.complaint ? el("p", {}, el("b", { text: `${t("crew.complaint")}: ` }), incident.complaint) : null,
    incident.notes ? el("p", { class: "notes" }, el("b", { text: `${t("crew.notes")}: ` }), incident.notes) : null,
    accepted ? el("p", { class: "accepted", id: "accepted", text: t("crew.accepted") })
      : acceptWaiting ? el("p", { class: "accepted waiting", id: "accept-waiting", text: t("crew.accept_waiting") })
      : el("button", { type: "button", class: "big accept", id: "accept", text: t("crew.accept"),
        onclick: () => accept(assignment.id) }));
}

// Through the outbox like a status: pressed without a connection, it is sent when the phone is back.
function accept(assignmentId) {
  job.notice = null;
  job.refusal = null;
  outbox.add("accept", { assignment_id: assignmentId });
  render();
}

function drawMap() {
  if (!map) return;
  mapLayers.forEach((layer) => layer.remove());
  mapLayers = [];
  const points = [];
  if (job.incident?.location_known) {
    points.push([job.incident.lat, job.incident.lon]);
    mapLayers.push(L.circleMarker(points[0], { radius: 12, weight: 3,
      className: `incident-marker priority-${job.incident.priority}` }).addTo(map));
  }
  const position = job.unit?.position;
  if (position && position.lat !== null && position.lat !== undefined) {
    points.push([position.lat, position.lon]);
    mapLayers.push(L.circleMarker([position.lat, position.lon], { radius: 9, weight: 3,
      className: `unit-marker status-${job.unit.status}` }).addTo(map));
  }
  // Framed when the job changes (or the first fix comes), not on every render: the crew may be
  // looking around the map.
  const frame = `${job.incident?.id ?? "-"}:${points.length}`;
  if (frame === framed) return;
  framed = frame;
  if (points.length === 2) map.fitBounds(points, { padding: [30, 30], maxZoom: 16 });
  else if (points.length === 1) map.setView(points[0], 15);
}

function render() {
  const unit = job.unit;
  if (!unit) return;
  const pending = outbox.pending.length;
  replace($("#unit-head"), el("b", { id: "call-sign", text: unit.call_sign }), " ",
    el("span", { class: `status-badge status-${unit.status}`, id: "unit-status", dataset: { status: unit.status },
      text: t(`status.${unit.status}`) }));
  replace($("#job-slot"), jobCard());
  replace($("#buttons"), statusButtons());
  replace($("#queued"), pending ? el("p", { class: "notice", id: "queued-count", text: t("crew.queued", { n: pending }) }) : null,
    job.refusal || job.notice ? el("p", { class: "notice", role: "alert", id: "refused",
      text: [job.refusal, job.notice].filter(Boolean).join(" ") }) : null);
  $("#gps").textContent = gpsState;
  drawMap();
}

let latestFix = null;
let sentFixAt = 0;

// The newest fix goes out when it is new, at most every FIX_EVERY_MS, while on duty and connected.
function sendFix() {
  const now = Date.now();
  if (!latestFix || latestFix.timestamp <= sentFixAt || !job.unit || job.unit.status === "out_of_service"
      || !live?.socket.connected || now - lastFixSent < FIX_EVERY_MS) return;
  lastFixSent = now;
  sentFixAt = latestFix.timestamp;
  const c = latestFix.coords;
  live.call("location", { lat: c.latitude, lon: c.longitude, recorded_at: new Date(latestFix.timestamp).toISOString(),
    accuracy_m: Number.isFinite(c.accuracy) ? Math.min(c.accuracy, 10000) : null,
    speed_mps: Number.isFinite(c.speed) ? Math.min(Math.max(c.speed, 0), 150) : null,
    heading: Number.isFinite(c.heading) ? c.heading % 360 : null })
    .catch(() => { sentFixAt = 0; });   // not stored: send it again
}

function shareLocation() {
  if (!navigator.geolocation) { gpsState = t("crew.no_gps"); return; }
  navigator.geolocation.watchPosition((p) => {
    gpsState = t("crew.sharing");
    latestFix = p;
    sendFix();
    const line = $("#gps");
    if (line) line.textContent = gpsState;
  }, () => {
    gpsState = t("crew.no_gps");
    const line = $("#gps");
    if (line) line.textContent = gpsState;
  }, { enableHighAccuracy: true, maximumAge: 5000 });
  setInterval(sendFix, 1000);
}

// Live messages are handled one after another: an event that needs the incident reloaded is
// finished before the next one is applied, so an older answer never overwrites a newer state.
let chain = Promise.resolve();
function inOrder(handler) {
  return (...args) => {
    chain = chain.then(() => handler(...args)).catch((err) => console.error("crew page:", err));
    return chain;
  };
}

async function refreshRoute() {
  const unit = job.unit;
  if (!unit?.current_assignment || !["dispatched", "en_route"].includes(unit.status) || !live?.socket.connected) return;
  const route = await get(`/api/units/${unit.id}/route`).catch(() => null);
  if (route && job.unit?.current_assignment?.incident_id === route.incident_id) {
    job.route = route;
    render();
  }
}

async function start() {
  translatePage();
  $("#lang").append(languageSwitch(() => render()));
  const user = await login(ROLES);
  $("#who").textContent = user.username;
  // Logging out with presses still waiting would strand them: asked first.
  $("#logout").addEventListener("click", () => {
    if (!outbox?.pending.length || window.confirm(t("crew.logout_pending", { n: outbox.pending.length }))) logout();
  });
  replace($("#main"), el("section", { class: "crew" },
    el("div", { id: "unit-head", class: "unit-head" }), el("div", { id: "queued" }),
    el("div", { id: "job-slot" }), el("div", { id: "crew-map", class: "crew-map" }),
    el("div", { id: "buttons", class: "buttons" }), el("p", { id: "gps", class: "muted" })));
  map = baseMap($("#crew-map"), { zoom: 13, zones: false });
  live = connectLive({
    snapshot: inOrder(async (s) => {
      job.unit = s.units[0] || null;
      job.incident = s.incidents[0] || null;
      await loadIncident();
      render();
    }),
    event: inOrder(async (e) => {
      const data = e.data || {};
      if (data.unit && job.unit && data.unit.id === job.unit.id) setUnit(data.unit);
      if (data.incident && job.incident && data.incident.id === job.incident.id) job.incident = { ...job.incident, ...data.incident };
      if (data.assignment && job.assignment && data.assignment.id === job.assignment.id) job.assignment = data.assignment;
      if (e.type === "assignment.cancelled" && e.unit_id === job.unit?.id) {
        job.notice = t("crew.cancelled", { reason: data.reason || "" });
      }
      if (["incident.assigned", "unit.status_changed", "assignment.cancelled", "incident.updated"].includes(e.type)) {
        await loadIncident();
      }
      render();
    }),
    assignment: inOrder((message) => {
      job.notice = null;   // a refused press stays said: its answer may come before the new job
      job.assignment = message.assignment;
      job.incident = message.incident;
      if (navigator.vibrate) navigator.vibrate([300, 150, 300]);
      render();
    }),
    positions: (items) => {
      for (const p of items) {
        if (job.unit && p.unit_id === job.unit.id) job.unit.position = { ...job.unit.position, lat: p.lat, lon: p.lon, at: p.at };
      }
      drawMap();
    },
  }, { positions: "each" });
  outbox = new Outbox(live, user.unit_id, {
    onChange: () => render(),
    onResult: (item, answer) => {
      if (answer.ok && answer.unit) setUnit(answer.unit);
      if (answer.ok && answer.assignment && job.assignment?.id === answer.assignment.id) job.assignment = answer.assignment;
      if (!answer.ok) {
        const code = answer.error?.code;
        job.refusal = code === "expired" ? t("crew.expired")
          : code === "assignment_changed" || item.name === "accept" ? t("crew.job_changed")
            : t("crew.refused", { message: explain(answer.error) });
      }
      render();
    },
  });
  live.socket.on("connect", () => outbox.flush());
  $("#indicator").append(indicator(live));
  watchSession(ROLES, () => live.reconnect());
  onLangChange(render);
  shareLocation();
  setInterval(refreshRoute, ROUTE_EVERY_MS);
}

start();
