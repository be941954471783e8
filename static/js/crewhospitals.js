// The crew's hospital choice and destination (crew.js): each hospital with what a crew needs to
// pick one in a moving ambulance: road time and distance from the scene, free beds, what it
// offers, and whether it is diverting or closed.
import { el } from "./dom.js";
import { label, t } from "./i18n.js";
import { minutes } from "./time.js";

const CAPABILITIES = ["emergency", "icu", "maternity", "trauma"];
// Left out for a reason the crew must see (full, diverting, closed); a hospital without what the
// category needs is not listed at all. These reasons are said by the badge and the beds already.
const TELLING = new Set(["closed", "diverting", "no_beds"]);

export function bedsText(hospital) {
  return hospital.beds_available === null || hospital.beds_available === undefined
    ? t("crew.beds_unknown") : t("crew.beds_free", { n: hospital.beds_available });
}

export function capabilities(hospital) {
  return CAPABILITIES.filter((c) => hospital.capabilities?.[c]).map((c) => t(`crew.cap.${c}`)).join(" · ");
}

export function statusBadge(hospital) {
  if (!hospital.status || hospital.status === "open") return null;
  return el("span", { class: `hospital-status hospital-${hospital.status}`, text: t(`crew.hospital.${hospital.status}`) });
}

export function roadText(entry) {
  return t("crew.hospital_eta", { eta: minutes(entry.eta_s), km: (entry.distance_m / 1000).toFixed(1) });
}

function choice(entry, onChoose, advised) {
  const h = entry.hospital;
  return el("button", { type: "button", class: `big hospital${advised ? "" : " not-advised"}`,
    dataset: { hospital: h.id, status: h.status }, disabled: h.status === "closed",
    onclick: () => onChoose(h.id) },
  el("span", { class: "hospital-line1" }, el("b", { class: "hospital-name", text: h.short_name || h.name }),
    statusBadge(h), advised ? el("span", { class: "hospital-eta", text: roadText(entry) }) : null),
  el("span", { class: "hospital-line2" },
    el("span", { class: `beds${h.beds_available === 0 ? " none" : ""}`, text: bedsText(h) }), " · ",
    el("span", { class: "capabilities", text: capabilities(h) })),
  !advised ? el("span", { class: "hospital-why",
    text: entry.reasons.filter((r) => !TELLING.has(r.code)).map((r) => label(r)).join(" · ") }) : null);
}

// The list shown at the button after BAWA PASIEN: the suggested ones, then those left out because
// they are full, diverting or closed (a closed one cannot be chosen).
export function hospitalChoices(suggestions, onChoose) {
  if (!suggestions) return el("p", { class: "muted", id: "hospitals-loading", text: t("crew.hospitals_loading") });
  const left = (suggestions.excluded || []).filter((e) => e.reasons.some((r) => TELLING.has(r.code)));
  return el("div", { class: "hospital-choices", id: "hospital-choices" },
    (suggestions.items || []).slice(0, 5).map((entry) => choice(entry, onChoose, true)),
    left.length ? el("p", { class: "not-advised-head", text: t("crew.not_advised") }) : null,
    left.map((entry) => choice(entry, onChoose, false)));
}

// The chosen hospital while transporting: its name, the road from the scene, beds and status.
export function destinationBlock(entry, atHospital) {
  if (!entry) return el("p", { class: "destination none", id: "destination", text: t("crew.no_destination") });
  const h = entry.hospital;
  return el("div", { class: "destination", id: "destination", dataset: { hospital: h.id } },
    el("p", { class: "destination-name" }, t(atHospital ? "crew.at" : "crew.to"), " ",
      el("b", { text: h.short_name || h.name }), " ", statusBadge(h)),
    !atHospital && entry.eta_s !== undefined ? el("p", { class: "route", id: "hospital-route", text: roadText(entry) }) : null,
    !atHospital ? el("p", { class: "muted", text: `${bedsText(h)} · ${capabilities(h)}` }) : null);
}
