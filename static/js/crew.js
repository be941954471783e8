// Crew app (/crew): mobile-first. The current job with the place as said and as resolved, and what
// matters for the step (the road to the scene, the patient, the hospital); one big button for the
// one next step (accept first), the hospital choice at it; links to the phone's navigation app and
// to ring the caller; presses made without a connection wait on the phone (outbox.js); the phone's
// position is shared while on duty (crewgps.js).
import { get } from "./api.js";
import { explain } from "./errors.js";
import { $, el, replace } from "./dom.js";
import { label, onLangChange, t, translatePage } from "./i18n.js";
import { connectLive, indicator } from "./live.js";
import { shareLocation } from "./crewgps.js";
import { destinationBlock, hospitalChoices } from "./crewhospitals.js";
import { baseMap, L } from "./mapbase.js";
import { directionsUrl, isIOS, otherAppUrl, telHref } from "./navlinks.js";
import { Outbox } from "./outbox.js";
import { placeLines } from "./place.js";
import { languageSwitch, login, logout, watchSession } from "./session.js";
import { minutes } from "./time.js";
import { loadVocabulary, term } from "./vocabulary.js";

const ROLES = ["crew"];
const NEXT = { dispatched: "en_route", en_route: "on_scene", on_scene: "transporting", transporting: "at_hospital",
  at_hospital: "available" };
const ROUTE_EVERY_MS = 30000;   // the ETA and the bridges follow the ambulance on its way
const ENDS_JOB = new Set(["available", "out_of_service"]);
const TO_SCENE = new Set(["dispatched", "en_route"]);
const TO_HOSPITAL = new Set(["transporting", "at_hospital"]);
const ROUTED = new Set([...TO_SCENE, "transporting"]);   // the map draws the road: to the scene, then the hospital
const job = { unit: null, incident: null, assignment: null, route: null, hospitals: null, hospitalsFor: null,
  choosing: false, notice: null, refusal: null };   // notice: the job cancelled (until the next job); refusal: a press not applied
let live;
let outbox;
let map = null;
let mapLayers = [];
let framed = null;              // what the crew map was last framed on
let gpsState = "";   // an i18n key

// The unit as the server last said, by version: an answer and an event about the same change
// may come in either order, and an older one never takes the screen back a status.
function setUnit(unit) {
  if (job.unit && job.unit.id === unit.id && (job.unit.version ?? 0) > (unit.version ?? 0)) return;
  const mine = job.unit?.id === unit.id ? job.unit.position : null;
  const position = mine?.at && (!unit.position?.at || new Date(mine.at) > new Date(unit.position.at))
    ? mine : unit.position;
  job.unit = { ...unit, position };
}

// The unit's job: the unit's summary over the full assignment; an acceptance either of them has
// seen stands (the accept's answer and event update the assignment, not the unit).
function currentAssignment() {
  const unit = job.unit;
  if (!unit?.current_assignment) return null;
  const full = job.assignment && job.assignment.id === unit.current_assignment.id ? job.assignment : {};
  return { ...full, ...unit.current_assignment,
    accepted_at: unit.current_assignment.accepted_at ?? full.accepted_at ?? null };
}

async function loadIncident() {
  const assignment = job.unit?.current_assignment;
  if (!assignment) {
    Object.assign(job, { incident: null, assignment: null, route: null, hospitals: null, hospitalsFor: null });
    return;
  }
  try {
    job.incident = await get(`/api/incidents/${assignment.incident_id}`);
    job.assignment = job.incident.assignments.find((a) => a.id === assignment.id) || job.assignment;
    if (job.hospitalsFor !== job.incident.id) Object.assign(job, { hospitals: null, hospitalsFor: null });
    if (ROUTED.has(job.unit.status)) job.route = await get(`/api/units/${job.unit.id}/route`).catch(() => null);
    if (TO_HOSPITAL.has(job.unit.status) && !job.hospitals) await fetchHospitals();
  } catch {
    // shown from what the live connection brought
  }
}

// The hospitals from the scene (suggested, and those left out with why), once per incident: the
// choice after BAWA PASIEN, and the destination's road and beds while transporting.
async function fetchHospitals() {
  const incidentId = job.incident?.id;
  if (!incidentId) return;
  try {
    const found = await get(`/api/incidents/${incidentId}/hospitals?limit=50`);
    if (job.incident?.id === incidentId) Object.assign(job, { hospitals: found, hospitalsFor: incidentId });
  } catch {
    if (job.incident?.id === incidentId) Object.assign(job, { hospitals: { items: [], excluded: [] }, hospitalsFor: null });
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
  $("#buttons")?.scrollIntoView({ block: "start" });   // the choice is at the button, on screen
  if (!job.hospitals) await fetchHospitals();
  render();
}

// What the phone shows as the unit's status: the last press still waiting, else the server's.
function shownStatus() {
  const pendingStatus = outbox.pending.filter((p) => p.name === "status");
  return pendingStatus.length ? pendingStatus[pendingStatus.length - 1].payload.status : job.unit.status;
}

function acceptState(assignment) {
  if (!assignment) return "none";
  if (assignment.accepted_at) return "accepted";
  if (outbox.pending.some((p) => p.name === "accept" && p.payload.assignment_id === assignment.id)) return "waiting";
  return "open";
}

// One next step at a time: a job not yet accepted shows only TERIMA TUGAS; BERANGKAT comes after.
// A unit that has left (departing implies accepting) has no accept button any more.
function statusButtons() {
  const shown = shownStatus();
  const next = NEXT[shown];
  const cooling = Date.now() - lastPress < COOL_MS;   // a press now would be ignored: shown so
  const assignment = currentAssignment();
  const buttons = [];
  if (shown === "dispatched" && job.incident && acceptState(assignment) === "open") {
    buttons.push(el("button", { type: "button", class: "big accept", id: "accept", text: t("crew.accept"),
      onclick: () => accept(assignment.id) }));
    return buttons;
  }
  if (next === "transporting" && job.choosing) {
    buttons.push(el("h3", { class: "choose-head", text: t("crew.choose_hospital") }),
      hospitalChoices(job.hospitals, (id) => press("transporting", { hospital_id: id })),
      el("button", { type: "button", class: "secondary", id: "transport-no-choice", text: t("crew.transport_unchosen"),
        onclick: () => press("transporting") }),
      el("button", { type: "button", class: "secondary", id: "choice-back", text: t("crew.back"),
        onclick: () => { job.choosing = false; render(); } }));
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

// The hospital the unit is taking the patient to: the one chosen in a press still waiting, else
// the server's; with its road from the scene when the suggestions list it.
function destination() {
  const waiting = outbox.pending.filter((p) => p.name === "status" && p.payload.hospital_id);
  const id = waiting.length ? waiting[waiting.length - 1].payload.hospital_id
    : currentAssignment()?.hospital_id ?? job.incident?.destination_hospital_id;
  if (!id || !job.hospitals) return null;
  return [...(job.hospitals.items || []), ...(job.hospitals.excluded || [])].find((e) => e.hospital.id === id) || null;
}

// What matters for the step the crew is on: the road to the scene until there; on scene, the
// patient; transporting, the hospital.
function jobCard() {
  const incident = job.incident;
  const assignment = currentAssignment();
  if (!assignment || !incident) return el("p", { class: "no-job", id: "no-job", text: t("crew.no_job") });
  const shown = shownStatus();
  const route = TO_SCENE.has(shown) && job.route?.to === "incident" ? job.route : null;
  const toHospital = TO_HOSPITAL.has(shown);
  const acceptance = shown === "dispatched" ? acceptState(assignment) : "none";
  return el("article", { class: `job priority-${incident.priority} step-${shown}`, id: "job", dataset: { incident: incident.id } },
    el("div", { class: "job-head" }, el("b", { text: term("priorities", incident.priority) }), " · ",
      label(incident.category_label), " · ", el("span", { text: incident.reference })),
    toHospital ? destinationBlock(destination(), shown === "at_hospital") : placeLines(incident),
    route ? el("p", { class: "route", id: "route" }, t("crew.route", { eta: minutes(route.eta_s), km: (route.distance_m / 1000).toFixed(1) }),
      " · ", route.via.length ? t("crew.via", { via: route.via.join(", ") }) : t("crew.no_bridge")) : null,
    incident.complaint ? el("p", {}, el("b", { text: `${t("crew.complaint")}: ` }), incident.complaint) : null,
    incident.notes && !toHospital ? el("p", { class: "notes" }, el("b", { text: `${t("crew.notes")}: ` }), incident.notes) : null,
    acceptance === "accepted" ? el("p", { class: "accepted", id: "accepted", text: t("crew.accepted") })
      : acceptance === "waiting" ? el("p", { class: "accepted waiting", id: "accept-waiting", text: t("crew.accept_waiting") })
        : null);
}

// The phone's own navigation app, at the scene (and at the hospital when transporting), and the
// caller's number to ring for directions (docs/UI.md, "Navigation").
function navLinks() {
  const incident = job.incident;
  if (!currentAssignment() || !incident) return [];
  const shown = shownStatus();
  const links = [];
  let target = null;
  if (TO_SCENE.has(shown) && incident.location_known) {
    // To a kelurahan's centre or along a road: said on the button too (ring the caller for the door).
    const approximate = Boolean(incident.location_precision_label);
    target = { lat: incident.lat, lon: incident.lon, name: incident.reference,
      text: t(approximate ? "crew.navigate_approximate" : "crew.navigate_scene") };
  } else if (shown === "transporting") {
    const h = destination()?.hospital;
    if (h) target = { lat: h.lat, lon: h.lon, name: h.short_name || h.name, text: t("crew.navigate_hospital", { name: h.short_name || h.name }) };
  }
  if (target) {
    links.push(el("a", { class: "nav-button", id: "navigate", href: directionsUrl(target.lat, target.lon),
      target: "_blank", rel: "noopener", text: target.text }),
    el("a", { class: "nav-other", id: "navigate-other", href: otherAppUrl(target.lat, target.lon, target.name),
      target: isIOS() ? "_blank" : null, rel: "noopener", text: t(isIOS() ? "crew.apple_maps" : "crew.other_app") }));
  }
  if (TO_SCENE.has(shown) || shown === "on_scene") {
    const seen = new Set();
    for (const call of incident.calls || []) {
      const href = telHref(call.caller_phone);
      if (!href || seen.has(href) || seen.size >= 2) continue;
      seen.add(href);
      links.push(el("a", { class: "call-button", href, dataset: { phone: call.caller_phone },
        id: seen.size === 1 ? "call-caller" : null },
      t("crew.call_caller"), " ", el("b", { text: call.caller_phone_display || call.caller_phone }),
      call.caller_name ? el("span", { class: "muted", text: ` (${call.caller_name})` }) : null));
    }
  }
  return links;
}

// Through the outbox like a status: pressed without a connection, it is sent when the phone is back.
function accept(assignmentId) {
  job.notice = null;
  job.refusal = null;
  outbox.add("accept", { assignment_id: assignmentId });
  render();
}

// The road the server gave for the leg shown: to the scene while dispatched or on the way, to the
// chosen hospital while transporting (a road for another leg or hospital is not drawn).
function roadShown(hospital) {
  const way = job.route;
  if (!way?.path?.length || way.incident_id !== job.incident?.id) return null;
  const shown = shownStatus();
  if (TO_SCENE.has(shown) && way.to === "incident") return way;
  if (shown === "transporting" && hospital && way.to === "hospital" && way.hospital_id === hospital.id) return way;
  return null;
}

// The scene and the unit; transporting, the hospital and the unit; and the road between.
function drawMap() {
  if (!map) return;
  mapLayers.forEach((layer) => layer.remove());
  mapLayers = [];
  const points = [];
  const hospital = job.incident && TO_HOSPITAL.has(shownStatus()) ? destination()?.hospital : null;
  if (hospital) {
    points.push([hospital.lat, hospital.lon]);
    mapLayers.push(L.circleMarker(points[0], { radius: 10, weight: 3, className: "hospital-marker hospital-open" }).addTo(map));
  } else if (job.incident?.location_known) {
    points.push([job.incident.lat, job.incident.lon]);
    mapLayers.push(L.circleMarker(points[0], { radius: 12, weight: 3,
      className: `incident-marker priority-${job.incident.priority}` }).addTo(map));
  }
  const way = roadShown(hospital);
  if (way) {
    mapLayers.push(L.polyline(way.path, { weight: 5, opacity: 0.85, className: `route-line route-to-${way.to}`,
      interactive: false }).addTo(map));
  }
  const position = job.unit?.position;
  if (position && position.lat !== null && position.lat !== undefined) {
    points.push([position.lat, position.lon]);
    mapLayers.push(L.circleMarker([position.lat, position.lon], { radius: 9, weight: 3,
      className: `unit-marker status-${job.unit.status}` }).addTo(map));
  }
  // Framed when the job, its destination or its road changes (or the first fix comes), not on
  // every render: the crew may be looking around the map.
  const frame = `${job.incident?.id ?? "-"}:${hospital?.id ?? "-"}:${points.length}:${way?.to ?? "-"}`;
  if (frame === framed) return;
  framed = frame;
  if (way) map.fitBounds(L.latLngBounds([...way.path, ...points]), { padding: [30, 30], maxZoom: 16 });
  else if (points.length === 2) map.fitBounds(points, { padding: [30, 30], maxZoom: 16 });
  else if (points.length === 1) map.setView(points[0], 15);
}

function render() {
  const unit = job.unit;
  if (!unit) return;
  const pending = outbox.pending.length;
  replace($("#unit-head"), el("b", { id: "call-sign", text: unit.call_sign }), " ",
    el("span", { class: `status-badge status-${unit.status}`, id: "unit-status", dataset: { status: unit.status },
      text: term("unit_statuses", unit.status) }));
  replace($("#job-slot"), jobCard());
  replace($("#buttons"), statusButtons());
  replace($("#nav"), navLinks());
  replace($("#queued"), pending ? el("p", { class: "notice", id: "queued-count", text: t("crew.queued", { n: pending }) }) : null,
    job.refusal || job.notice ? el("p", { class: "notice", role: "alert", id: "refused",
      text: [job.refusal, job.notice].filter(Boolean).join(" ") }) : null);
  $("#gps").textContent = gpsState ? t(gpsState) : "";
  drawMap();
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
  if (!unit?.current_assignment || !ROUTED.has(unit.status) || !live?.socket.connected) return;
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
    el("div", { id: "job-slot" }), el("div", { id: "buttons", class: "buttons" }),
    el("div", { id: "nav", class: "nav-links" }), el("div", { id: "crew-map", class: "crew-map" }),
    el("p", { id: "gps", class: "muted" })));
  map = baseMap($("#crew-map"), { zoom: 13, zones: false });
  loadVocabulary().then(() => render());   // the labels of statuses and priorities
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
      if (e.type === "assignment.moved" && e.unit_id === job.unit?.id) {
        // Two reports of one event merged by a supervisor: the job goes on, under the other reference.
        job.notice = t("crew.merged", { ref: data.incident?.reference || "" });
      }
      if (["incident.assigned", "unit.status_changed", "assignment.cancelled", "incident.updated",
        "assignment.moved"].includes(e.type)) {
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
  shareLocation({ connection: () => live, onDuty: () => Boolean(job.unit) && job.unit.status !== "out_of_service",
    onState: (key) => { gpsState = key; const line = $("#gps"); if (line) line.textContent = t(key); } });
  setInterval(refreshRoute, ROUTE_EVERY_MS);
}

start();
