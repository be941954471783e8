// The recommended units for the selected incident, by ETA, and assigning one: a button, or the
// keys 1-5 (Alt+1-5 while typing in a field). A list always belongs to the incident it was
// computed for; a key never sends a unit to an incident other than the one on screen. A key sends
// only the first unit: once one is on the incident, a second is added by its button ("Tambah
// unit"), so a key pressed twice never sends two.
import { ApiError, get, post } from "../api.js";
import { explain } from "../errors.js";
import { $, el, replace } from "../dom.js";
import { label, t } from "../i18n.js";
import { duration } from "../time.js";
import { loadDetail, setFirstRecommendation } from "./detail.js";
import { focusedIn, refocus, state, view } from "./shared.js";

let recommendations = [];
let recommendationsFor = null;   // the incident the recommendations on screen belong to
let lastNotice = null;           // {text, incident, until}: what the last assignment did, kept a while
let recommendRequest = 0;
let assigning = null;            // the incident a unit is being sent to
let pressedAgain = false;        // a key pressed again while the assignment was on its way

// The units on the incident now: the live state's, or the assignment's answer if it came first.
function unitsOn(id) {
  const incident = state.incidents.get(id);
  return (incident?.assignments || []).filter((a) => a.active)
    .map((a) => a.call_sign || state.units.get(a.unit_id)?.call_sign || `#${a.unit_id}`);
}

export async function loadRecommendations(noticeText = "") {
  const panel = $("#recommendations");
  const id = view.selected;
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
  if (request !== recommendRequest || id !== view.selected) return;   // a newer request or another incident
  recommendations = items;
  recommendationsFor = id;
  setFirstRecommendation(id, items[0] || null);      // its road is drawn on the detail map
  const notice = lastNotice && lastNotice.incident === id && Date.now() < lastNotice.until ? lastNotice.text : "";
  const focused = focusedIn(panel);
  const adding = unitsOn(id).length > 0;
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
      el("button", { type: "button", class: `${adding ? "" : "primary "}assign`, dataset: { unit: r.unit.id },
        title: adding ? t("console.add_unit_hint") : t("console.assign_key", { n: n + 1 }),
        text: adding ? t("console.add_unit") : `${t("console.assign")} [${n + 1}]`,
        onclick: () => assign(id, r.unit, items[0]?.unit.id, { adding }) })))));
  refocus(panel, focused);
}

// Send `unit` to incident `id`: the incident the list was computed for, never another one. Only
// `adding` (a "Tambah unit" button) sends one to an incident that has a unit already.
async function assign(id, unit, recommendedId, { adding = false } = {}) {
  if (assigning || id !== view.selected || id !== recommendationsFor) return;
  if (!adding && unitsOn(id).length > 0) {
    await loadRecommendations(alreadySent(id));
    return;
  }
  assigning = id;
  pressedAgain = false;
  let said;
  try {
    const incident = await post(`/api/incidents/${id}/assign`, { unit_id: unit.id, recommended_unit_id: recommendedId });
    // The answer may come before the live event: the state knows the unit is on it at once, and a
    // key pressed from now on finds it there.
    if (incident?.id === id) state.putIncident(incident);
    said = pressedAgain ? alreadySent(id) : t("console.assigned", { unit: unit.call_sign });
    loadDetail();
  } catch (err) {
    said = err instanceof ApiError && err.code === "unit_unavailable" ? t("console.taken", { unit: unit.call_sign })
      : explain(err);
  } finally {
    assigning = null;
  }
  await loadRecommendations(said);
}

function alreadySent(id) {
  return t("console.already_sent", { units: unitsOn(id).join(", ") });
}

// Another incident is selected: the list on screen is not for it.
export function forgetRecommendations() {
  recommendations = [];
  recommendationsFor = null;
  setFirstRecommendation(null, null);
  replace($("#recommendations"));
}

// -- keyboard: 1..5 (Alt+1..5 while typing) assign the recommended unit of that rank -------------

export function listenForKeys() {
  document.addEventListener("keydown", (ev) => {
    const typing = ev.target.closest?.("input, textarea, select");
    if ((typing && !ev.altKey) || ev.ctrlKey || ev.metaKey) return;
    const n = Number(ev.code?.startsWith("Digit") ? ev.code.slice(5) : ev.key);
    if (n >= 1 && n <= recommendations.length && view.selected && recommendationsFor === view.selected) {
      ev.preventDefault();
      // A unit already on its way (or being sent): the key does not send another.
      if (assigning === view.selected) { pressedAgain = true; return; }
      assign(recommendationsFor, recommendations[n - 1].unit, recommendations[0].unit.id);
    }
  });
}
