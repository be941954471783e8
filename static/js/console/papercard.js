// Calls taken on paper while the system or the network was down (supervisors): in the intake, the
// card's time and, for an emergency that was served, the unit and its times, entered afterwards
// (POST /api/calls with taken_at and late_entry). The times are typed as the card says them, in
// WIB; each phase starts from the time before it, so only what differs is typed.
import { get } from "../api.js";
import { $, el } from "../dom.js";
import { t } from "../i18n.js";
import { dateTime } from "../time.js";
import { view } from "./shared.js";

// The unit's phases on a card, in the order they happen (the API's names).
const PHASES = ["dispatched_at", "en_route_at", "on_scene_at", "transporting_at", "at_hospital_at", "cleared_at"];
const WIB = "+07:00";

export function canEnterCards() {
  return view.user?.role === "supervisor";
}

function slot(name, labelKey, input) {
  return el("div", { class: "field", dataset: { field: name } },
    el("label", { for: input.id, text: t(labelKey) }), input,
    el("span", { class: "field-error", role: "alert" }));
}

function when(id) {
  return el("input", { id, name: id, type: "datetime-local", step: 60 });
}

// The section of the intake form; nothing for an operator.
export function paperCardSection() {
  if (!canEnterCards()) return null;
  choices = null;                 // a new form (the page relabelled): its lists are filled again
  const takenAt = when("taken_at");
  const unit = el("select", { id: "late_unit", name: "late_unit" }, el("option", { value: "", text: t("card.no_unit") }));
  const hospital = el("select", { id: "late_hospital", name: "late_hospital" }, el("option", { value: "", text: t("card.no_hospital") }));
  const phases = el("div", { id: "late-phases", class: "late-phases", hidden: true },
    PHASES.map((p) => [slot(`late_entry.${p}`, `card.${p}`, when(`late_${p}`)),
      // the hospital where the patient was taken, before the time the unit got there
      p === "transporting_at" ? slot("late_entry.hospital_id", "card.hospital", hospital) : null]),
    slot("late_entry.outcome", "card.outcome", el("input", { id: "late_outcome", name: "late_outcome", autocomplete: "off" })));
  const section = el("details", { id: "paper-card", class: "paper-card" },
    el("summary", { text: t("card.title") }),
    el("p", { class: "hint", text: t("card.hint") }),
    slot("taken_at", "card.taken_at", takenAt),
    slot("late_entry.unit_id", "card.unit", unit),
    phases);
  section.addEventListener("toggle", () => { if (section.open) fillChoices(); });
  unit.addEventListener("change", () => { phases.hidden = !unit.value; });
  // An empty phase time starts from the one before it (the card's time for the first).
  for (const [i, name] of PHASES.entries()) {
    const input = phases.querySelector(`#late_${name}`);
    input.addEventListener("focus", () => {
      if (input.value) return;
      const before = [takenAt, ...PHASES.slice(0, i).map((p) => $(`#late_${p}`))].reverse().find((n) => n.value);
      if (before) input.value = before.value;
    });
  }
  return section;
}

// The units and hospitals to choose from, asked of the server when the card is first opened (the
// live state may not have come yet): every unit, whatever it is doing now (a card of the past does
// not touch it), and every hospital.
let choices = null;
function fillChoices() {
  choices ||= Promise.all([get("/api/units"), get("/api/hospitals")]).then(([units, hospitals]) => {
    const sorted = [...units.items].sort((a, b) => a.call_sign.localeCompare(b.call_sign));
    $("#late_unit")?.append(...sorted.map((u) => el("option", { value: u.id, text: u.call_sign })));
    $("#late_hospital")?.append(...hospitals.items.map((h) => el("option", { value: h.id, text: h.short_name || h.name })));
  }).catch(() => { choices = null; });   // asked again on the next opening
  return choices;
}

const iso = (value) => (value ? `${value}:00${WIB}` : null);

// What the card adds to the call's body: {} when no card time was typed.
export function cardFields() {
  const takenAt = $("#taken_at");
  if (!takenAt?.value) return {};
  const body = { taken_at: iso(takenAt.value) };
  const unit = $("#late_unit").value;
  if (unit) {
    const entry = { unit_id: Number(unit) };
    for (const p of PHASES) entry[p] = iso($(`#late_${p}`).value);
    const hospital = $("#late_hospital").value;
    if (hospital) entry.hospital_id = Number(hospital);
    const outcome = $("#late_outcome").value.trim();
    if (outcome) entry.outcome = outcome;
    body.late_entry = entry;
  }
  return body;
}

// The card saved (the form was reset): closed, ready for the next one.
export function cardSaved() {
  const section = $("#paper-card");
  if (!section) return;
  section.open = false;
  $("#late-phases").hidden = true;
}

// The incident's line in the detail: taken on paper, entered by whom and when.
export function enteredLateNote(incident, who) {
  if (!incident.entered_late) return null;
  return el("p", { class: "entered-late", id: "entered-late" },
    t("card.entered_late", { who: who || "?", at: dateTime(incident.entered_late_at) }));
}
