// A unit that came free offered to the waiting incident it should take (core/offers.py): on the
// incident's queue line ("Tawaran: PSC-02 · ETA 4 mnt" with "Tugaskan"), and in a banner above the
// queue for the most urgent offer standing, assigned with one key, Alt+O, even while typing. What
// stands is the server's state (the incident's `offer`, the unit's status): a reload shows the same.
import { alarm } from "../alarm.js";
import { ApiError, post } from "../api.js";
import { explain } from "../errors.js";
import { $, el, replace } from "../dom.js";
import { t } from "../i18n.js";
import { duration, minutes, secondsSince } from "../time.js";
import { term } from "../vocabulary.js";
import { loadDetail } from "./detail.js";
import { state, view } from "./shared.js";
import { sortedIncidents } from "./queue.js";

let sending = null;        // the incident an offered unit is being sent to
let said = null;           // {text, until}: what the last one did

export function offerBanner() {
  return el("div", { id: "offer-banner", class: "offer-banner", role: "status", hidden: true });
}

function unitOf(incident) {
  return state.units.get(incident.offer.unit_id);
}

// The offers standing, the most urgent incident first (the queue's order).
export function standingOffers() {
  return sortedIncidents().filter((i) => i.status === "pending" && state.offerStands(i));
}

function etaText(incident) {
  return incident.offer.eta_s === null || incident.offer.eta_s === undefined ? t("offer.eta_unknown")
    : t("offer.eta", { eta: minutes(incident.offer.eta_s) });
}

// The queue line's part: what is offered, and its button (which does not select the row).
export function offerLine(incident) {
  if (incident.status !== "pending" || !state.offerStands(incident)) return null;
  const unit = unitOf(incident);
  return el("div", { class: "offer", dataset: { unit: unit.id } },
    el("span", { class: "offer-text", text: t("offer.line", { unit: unit.call_sign, eta: etaText(incident) }) }), " ",
    el("button", { type: "button", class: "primary take-offer", dataset: { incident: incident.id }, text: t("console.assign"),
      onclick: (ev) => { ev.stopPropagation(); take(incident.id); } }));
}

export function renderOfferBanner() {
  const banner = $("#offer-banner");
  if (!banner) return;
  const [first, ...others] = standingOffers();
  const note = said && Date.now() < said.until ? said.text : null;
  banner.hidden = !first && !note;
  if (banner.hidden) { replace(banner); return; }
  const unit = first ? unitOf(first) : null;
  replace(banner,
    note ? el("p", { class: "notice", id: "offer-notice", text: note }) : null,
    first ? el("div", { class: `offer-main priority-${first.priority}`, dataset: { incident: first.id, unit: unit.id } },
      el("div", {}, el("b", { text: t("offer.free", { unit: unit.call_sign }) }), " ",
        t("offer.for", { ref: first.reference, priority: term("priorities", first.priority) }), " ",
        t("offer.waited"), " ", el("span", { class: "age", dataset: { since: first.created_at },
          text: duration(secondsSince(first.created_at)) }), " · ", etaText(first)),
      el("button", { type: "button", class: "primary", id: "take-offer", title: t("offer.key_hint"),
        text: `${t("console.assign")} [Alt+O]`, onclick: () => take(first.id) }),
      others.length ? el("span", { class: "muted", text: t("offer.more", { n: others.length }) }) : null) : null);
}

// An offer made: a tone, and the banner shows it.
export function offersChanged(event) {
  if (event?.type === "incident.unit_offered" && event.data?.incident?.status === "pending") alarm(false);
  renderOfferBanner();
}

async function take(id) {
  if (sending !== null) return;
  const incident = state.incidents.get(id);
  if (!incident || !state.offerStands(incident)) { renderOfferBanner(); return; }
  const unit = unitOf(incident);
  sending = id;
  try {
    const answer = await post(`/api/incidents/${id}/assign`, { unit_id: unit.id, recommended_unit_id: unit.id });
    if (answer?.id === id) state.putIncident(answer);
    said = { text: t("offer.sent", { unit: unit.call_sign, ref: incident.reference }), until: Date.now() + 10000 };
    if (view.selected === id) loadDetail();
  } catch (err) {
    said = { text: err instanceof ApiError && err.code === "unit_unavailable" ? t("console.taken", { unit: unit.call_sign })
      : explain(err), until: Date.now() + 15000 };
  } finally {
    sending = null;
  }
  renderOfferBanner();
}

// Alt+O takes the banner's offer, from anywhere on the page.
export function listenForOfferKey() {
  document.addEventListener("keydown", (ev) => {
    if (!ev.altKey || ev.ctrlKey || ev.metaKey || ev.code !== "KeyO") return;
    const first = standingOffers()[0];
    if (!first) return;
    ev.preventDefault();
    take(first.id);
  });
}
