// The console's call intake, built for speed: keyboard first, suggestions as the location is
// typed, a small map whose pin can be dragged, and a save that never loses what was typed.
import { ApiError, get, post } from "../api.js";
import { explain, fieldText } from "../errors.js";
import { newRef } from "../outbox.js";
import { $, el, replace } from "../dom.js";
import { t } from "../i18n.js";
import { dateTime } from "../time.js";
import { baseMap, L, PONTIANAK } from "../mapbase.js";
import { codes, term } from "../vocabulary.js";
import { callerPanel, callerTyped, clearCaller, looksWhole } from "./caller.js";
import { duplicatesPanel, probeChanged, showSaved, watchDuplicates } from "./duplicates.js";
import { cardFields, cardSaved, paperCardSection } from "./papercard.js";
import { actions } from "./shared.js";

let pin = null;                 // the intake map's marker
// Where the call is: a suggestion chosen for the words typed ({from: "suggestion", text: the words,
// name, kind, lat, lon, precision_m}) or a pin put on the map ({from: "map", lat, lon}). The words
// stay in the field as typed: the chosen place is shown beside them and sent as location_name.
let picked = null;
let miniMap = null;
// A call-back that reached an emergency (console/callbacks.js): the dropped call its incident is linked to.
let callbackFor = null;

function field(name, labelKey, input, hint) {
  return el("div", { class: "field", dataset: { field: name } },
    el("label", { for: input.id, text: t(labelKey) }), input,
    hint ? el("small", { class: "hint", text: t(hint) }) : null,
    el("span", { class: "field-error", role: "alert" }));
}

function categoryOptions(chosen) {
  return (codes("categories").length ? codes("categories") : [chosen]).map((c) =>
    el("option", { value: c, text: term("categories", c), selected: c === chosen }));
}

// The vocabulary came after the form was built (the form never waits for it: the operator may
// already be typing): its labels are filled in where they are, nothing typed or focused is touched.
export function labelIntake() {
  const category = $("#category");
  if (category) replace(category, categoryOptions(category.value));
  document.querySelectorAll("#intake [data-kind][data-code]").forEach((node) => {
    node.textContent = term(node.dataset.kind, node.dataset.code);
  });
}

export function intakeForm() {
  const phone = el("input", { id: "caller_phone", name: "caller_phone", type: "tel", autocomplete: "off", required: true });
  const name = el("input", { id: "caller_name", name: "caller_name", autocomplete: "off" });
  const where = el("input", { id: "location_text", name: "location_text", autocomplete: "off",
    role: "combobox", "aria-autocomplete": "list", "aria-controls": "suggestions" });
  const suggestions = el("ul", { id: "suggestions", class: "suggestions", role: "listbox", hidden: true });
  const complaint = el("input", { id: "complaint", name: "complaint", autocomplete: "off" });
  const category = el("select", { id: "category", name: "category" },
    categoryOptions("other"));
  const priorities = el("div", { class: "priorities", role: "radiogroup", id: "priority" },
    ["P1", "P2", "P3"].map((p) => el("label", { class: `priority-choice priority-${p}` },
      el("input", { type: "radio", name: "priority", value: p, checked: p === "P2" }),
      el("span", { class: "term", dataset: { kind: "priorities", code: p }, text: term("priorities", p) }))));
  const notes = el("textarea", { id: "notes", name: "notes", rows: 2 });
  // novalidate: the API's own field errors, in the page's language, not the browser's bubbles
  const form = el("form", { id: "intake", class: "intake", autocomplete: "off", novalidate: true },
    el("h2", { text: t("console.intake") }),
    el("p", { id: "callback-banner", class: "callback-banner", role: "status", hidden: true }),
    field("caller_phone", "console.phone", phone),
    callerPanel(),
    field("caller_name", "console.caller_name", name),
    el("div", { class: "field", dataset: { field: "location_text" } },
      el("label", { for: "location_text", text: t("console.location") }), where, suggestions,
      el("small", { class: "hint", id: "location-state", text: t("console.location_hint") }),
      el("span", { class: "field-error", role: "alert" })),
    el("div", { id: "intake-map", class: "mini-map" }),
    // Where the operator is looking while the place is typed, and when the call is saved.
    duplicatesPanel(),
    field("complaint", "console.complaint", complaint),
    field("category", "console.category", category),
    el("fieldset", { class: "field", dataset: { field: "priority" } },
      el("legend", { text: t("console.priority") }), priorities, el("span", { class: "field-error", role: "alert" })),
    field("notes", "console.notes", notes, "console.notes_hint"),
    el("div", { class: "actions" },
      el("button", { type: "submit", class: "primary", id: "submit-call", text: t("console.submit") }),
      ["prank", "silent", "dropped", "info"].map((d) => el("button", { type: "button", class: "disposition",
        id: `disposition-${d}`, dataset: { disposition: d, kind: "dispositions", code: d }, text: term("dispositions", d) }))),
    el("p", { id: "intake-result", class: "result", role: "status" }),
    // Rarely used (after an outage), so below what every call needs.
    paperCardSection());
  form.addEventListener("submit", (ev) => { ev.preventDefault(); submitCall("emergency"); });
  // Enter saves from every field, as the button says; in the notes Shift+Enter starts a new line.
  notes.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
  // A field's error goes once the field is changed (emptied too): it spoke of what was there.
  form.addEventListener("input", (ev) => {
    const slot = ev.target.closest?.("[data-field]")?.querySelector(".field-error");
    if (slot) slot.textContent = "";
  });
  form.querySelectorAll(".disposition").forEach((b) => b.addEventListener("click", () => submitCall(b.dataset.disposition)));
  // What is typed so far is asked about: the open incidents this call may be about.
  form.addEventListener("input", typed);
  form.addEventListener("change", typed);
  watchDuplicates((incident) => submitCall("duplicate", false, incident));
  phone.addEventListener("input", () => callerTyped(phone.value));
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
        c.kelurahan ? ` · ${c.kelurahan}` : "", c.kecamatan ? `, ${c.kecamatan}` : "",
        // "Gg. Mawar, Jl. Gajah Mada": the street is known, its gang is not; the pin is on the street.
        c.unmatched ? el("small", { class: "suggestion-note", text: t("console.suggestion_unmatched", { name: c.unmatched, place: c.name }) }) : null);
      li.addEventListener("mousedown", (ev) => ev.preventDefault());
      li.addEventListener("click", () => {
        picked = { lat: c.lat, lon: c.lon, from: "suggestion", text: $("#location_text").value, name: c.name,
          kind: c.kind, precision_m: c.precision_m ?? null };
        list.hidden = true;
        placePin(c.lat, c.lon);
        showChosen();
        typed();
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

// Under the words typed: the place chosen for them ("Tempat dipilih: RSU Santo Antonius").
function showChosen() {
  const hint = $("#location-state");
  if (!hint || picked?.from !== "suggestion") return;
  hint.textContent = t("console.location_chosen", { place: picked.name });
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
      typed();
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

// "Tersambung, darurat" in the call-back queue: the intake takes the number, says whose call-back
// it is, and the incident it saves is linked to the dropped call.
export function callbackIntake(call) {
  const form = $("#intake");
  if (!form) return;
  callbackFor = call;
  form.elements.caller_phone.value = call.caller_phone_display || call.caller_phone;
  callerTyped(form.elements.caller_phone.value);
  const banner = $("#callback-banner");
  banner.textContent = t("callbacks.intake", { phone: call.caller_phone_display || call.caller_phone,
    at: dateTime(call.received_at) });
  banner.hidden = false;
  typed();
  form.elements.location_text.focus();
}

function endCallback() {
  callbackFor = null;
  const banner = $("#callback-banner");
  if (banner) { banner.hidden = true; banner.textContent = ""; }
}

// The call as typed so far, as a question for the possible duplicates.
function typed() {
  const form = $("#intake");
  if (!form) return;
  const phone = form.elements.caller_phone.value.trim();
  const category = form.elements.category.value;
  probeChanged({
    lat: picked?.lat ?? null, lon: picked?.lon ?? null,
    accuracy_m: picked?.from === "suggestion" ? picked.precision_m ?? null : null,
    // The words go with the question only when no place was chosen for them (the point says it).
    q: picked ? null : form.elements.location_text.value.trim(),
    phone: looksWhole(phone) ? phone : null,
    category: category === "other" ? null : category,
  });
}

let submitting = false;
let lastAttempt = null;          // {body, ref}: the call last sent, until it is saved

// `linkTo`: the open incident the operator chose among the possible duplicates: the call is saved
// as a repeat call of it.
async function submitCall(disposition, confirmBlocked = false, linkTo = null) {
  if (submitting) return;
  submitting = true;
  try {
    await saveCall(disposition, confirmBlocked, linkTo);
  } finally {
    submitting = false;
  }
}

async function saveCall(disposition, confirmBlocked, linkTo) {
  const form = $("#intake");
  const value = (name) => form.elements[name].value.trim() || null;
  const body = {
    caller_phone: value("caller_phone"),          // none typed: null, which the API calls required
    caller_name: value("caller_name"), location_text: value("location_text"), complaint: value("complaint"),
    category: form.elements.category.value, priority: form.querySelector("input[name=priority]:checked").value,
    notes: value("notes"), disposition,
  };
  if (linkTo) body.link_to_incident_id = linkTo.id;
  if (callbackFor && disposition === "emergency" && !linkTo) body.callback_for_call_id = callbackFor.id;
  if (picked) Object.assign(body, { lat: picked.lat, lon: picked.lon });
  if (picked?.from === "suggestion") {
    Object.assign(body, { location_name: picked.name, location_kind: picked.kind });
    if (picked.precision_m != null) body.location_accuracy_m = picked.precision_m;
  }
  Object.assign(body, cardFields());      // a call taken on paper (supervisors): its time, its unit
  // The same call pressed again (its answer was lost or late) goes with the same client_ref and is
  // stored once; anything changed in the form makes it another request.
  const sent = JSON.stringify(body);
  if (lastAttempt?.body !== sent) lastAttempt = { body: sent, ref: newRef() };
  body.client_ref = lastAttempt.ref;
  if (confirmBlocked) body.confirm_blocked = true;
  const result = $("#intake-result");
  result.textContent = t("console.saving");
  result.dataset.state = "saving";
  try {
    const answer = await post("/api/calls", body);
    lastAttempt = null;
    showFieldErrors({});
    result.dataset.state = "saved";
    result.textContent = answer.incident ? t("console.saved", { ref: answer.incident.reference })
      : linkTo ? t("duplicates.logged_repeat", { ref: linkTo.reference }) : t("console.logged");
    if (answer.call.entered_late) {
      result.textContent += ` — ${t(answer.incident?.status === "closed" ? "card.saved_closed" : "card.saved")}`;
    }
    if (answer.incident && answer.location?.source === "unknown") result.textContent += ` — ${t("console.location_unknown")}`;
    if (answer.possible_duplicates?.length) result.textContent += ` — ${t("duplicates.maybe_same")}`;
    form.reset();
    cardSaved();
    clearCaller();
    endCallback();
    suggestRequest += 1;
    dropPin();
    $("#suggestions").hidden = true;
    miniMap?.setView(PONTIANAK, 12);
    showSaved(answer.call, answer.possible_duplicates);
    form.elements.caller_phone.focus();
    if (answer.incident) actions.saved(answer.incident);
  } catch (err) {
    // Whatever went wrong, the form keeps what was typed.
    result.dataset.state = "not-saved";
    if (err instanceof ApiError && err.code === "timeout") {
      result.textContent = t("console.maybe_saved");
    } else if (err instanceof ApiError && err.code === "caller_blocked") {
      // A soft block only warns: the operator reads why, and takes the call with one key.
      const block = err.details.block || {};
      result.dataset.state = "blocked";
      const confirm = el("button", { type: "button", id: "confirm-blocked", class: "primary",
        text: t("console.blocked_take_anyway") });
      confirm.addEventListener("click", () => submitCall(disposition, true, linkTo));
      replace(result, el("span", { text: t("console.blocked_confirm", { until: dateTime(block.until), reason: block.reason }) }),
        " ", confirm);
      confirm.focus();
    } else {
      if (err instanceof ApiError) showFieldErrors(err.fields);
      result.textContent = t("console.not_saved", { why: explain(err) });
    }
  }
}

export async function mountMiniMap() {
  miniMap = baseMap($("#intake-map"), { zoom: 12, zones: false, focusable: false });
  miniMap.on("click", (ev) => {
    placePin(ev.latlng.lat, ev.latlng.lng);
    picked = { lat: ev.latlng.lat, lon: ev.latlng.lng, from: "map" };
    $("#location-state").textContent = `${ev.latlng.lat.toFixed(5)}, ${ev.latlng.lng.toFixed(5)}`;
    typed();
  });
}

// The language changed and the page is rebuilt: what was typed, and the pin, are kept.
export function keepIntake() {
  const form = $("#intake");
  const typed = form ? [...form.elements].filter((e) => e.name).map((e) => [e.name, e.type, e.value, e.checked]) : [];
  const pinAt = pin?.getLatLng();
  miniMap?.remove();
  miniMap = null;
  pin = null;
  return async () => {
    const fresh = $("#intake");
    for (const [name, type, value, checked] of typed) {
      if (type === "radio") fresh.querySelector(`input[name="${name}"][value="${CSS.escape(value)}"]`).checked = checked;
      else if (fresh.elements[name]) fresh.elements[name].value = value;
    }
    await mountMiniMap();
    if (pinAt) placePin(pinAt.lat, pinAt.lng);
    showChosen();
  };
}
