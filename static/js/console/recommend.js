// The recommended units for the selected incident, by ETA, and assigning one: a button, or the
// keys 1-5 (Alt+1-5 while typing in a field). A list always belongs to the incident it was
// computed for; a key never sends a unit to an incident other than the one on screen.
import { ApiError, get, post } from "../api.js";
import { explain } from "../errors.js";
import { $, el, replace } from "../dom.js";
import { label, t } from "../i18n.js";
import { duration } from "../time.js";
import { loadDetail } from "./detail.js";
import { focusedIn, refocus, state, view } from "./shared.js";

let recommendations = [];
let recommendationsFor = null;   // the incident the recommendations on screen belong to
let lastNotice = null;           // {text, incident, until}: what the last assignment did, kept a while
let recommendRequest = 0;
let assigning = false;

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
  if (assigning || id !== view.selected || id !== recommendationsFor) return;
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

// Another incident is selected: the list on screen is not for it.
export function forgetRecommendations() {
  recommendations = [];
  recommendationsFor = null;
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
      assign(recommendationsFor, recommendations[n - 1].unit, recommendations[0].unit.id);
    }
  });
}
