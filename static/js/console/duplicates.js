// Possible duplicates: the open incidents the call being typed is probably about (GET
// /api/incidents/possible-duplicates), shown under the intake while it is typed and again when it
// is saved, best first, each with why ("dekat · baru saja · nomor yang sama"). Alt+L links the call
// to the first one, a button each: before saving, the call is stored as a repeat call of it (no
// incident opened); after saving, its new incident is merged into it. The operator decides:
// nothing is linked by itself.
import { ApiError, get, post } from "../api.js";
import { explain } from "../errors.js";
import { $, el, replace } from "../dom.js";
import { t } from "../i18n.js";
import { term } from "../vocabulary.js";

let request = 0;
let timer = null;
let items = [];
let savedCall = null;      // the call just saved that opened an incident: linked by merging it
let linkAtIntake = null;   // set by the intake: saves the call being typed as a repeat call

export function duplicatesPanel() {
  return el("section", { id: "duplicates", class: "duplicates", hidden: true, "aria-live": "polite",
    "aria-labelledby": "duplicates-title" });
}

// `saveLinked(incident)`: the intake saves the call being typed as a repeat call of `incident`.
export function watchDuplicates(saveLinked) {
  linkAtIntake = saveLinked;
  document.addEventListener("keydown", (ev) => {
    if (!ev.altKey || ev.ctrlKey || ev.metaKey || ev.code !== "KeyL" || !items.length) return;
    ev.preventDefault();
    link(items[0]);
  });
}

// Called as the call is typed (`probe`: lat, lon, accuracy_m, q, phone, category): asks after a
// short pause, shows the answer to the latest question only.
export function probeChanged(probe) {
  clearTimeout(timer);
  savedCall = null;
  if (probe.lat == null && (probe.q || "").trim().length < 3 && !probe.phone) { clearDuplicates(); return; }
  timer = setTimeout(() => lookUp(probe), 350);
}

async function lookUp(probe) {
  const mine = ++request;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(probe)) if (value != null && value !== "") query.set(key, value);
  let answer;
  try {
    answer = await get(`/api/incidents/possible-duplicates?${query}`);
  } catch {
    if (mine === request) clearDuplicates();   // a question half typed: nothing to say yet
    return;
  }
  if (mine === request) show(answer.possible_duplicates, null);
}

// The call just saved opened an incident: its possible duplicates, to link with one key.
export function showSaved(call, found) {
  clearTimeout(timer);
  request += 1;
  show(found || [], found?.length ? call : null);
}

export function clearDuplicates() {
  clearTimeout(timer);
  request += 1;
  items = [];
  savedCall = null;
  const panel = $("#duplicates");
  if (panel) { replace(panel); panel.hidden = true; delete panel.dataset.state; }
}

function minutes(value) {
  return value < 1 ? t("caller.just_now") : t("caller.minutes_ago", { n: Math.round(value) });
}

function show(found, call) {
  const panel = $("#duplicates");
  if (!panel) return;
  items = found;
  savedCall = call;
  panel.hidden = found.length === 0;
  panel.dataset.state = call ? "saved" : "typing";
  if (!found.length) { replace(panel); return; }
  replace(panel,
    el("h3", { id: "duplicates-title", text: t(call ? "duplicates.title_saved" : "duplicates.title") }),
    el("ol", { class: "duplicate-list" }, found.map((d, i) => {
      const inc = d.incident;
      const facts = [term("incident_statuses", inc.status),
        d.distance_m != null ? t("duplicates.distance", { m: d.distance_m }) : null,
        t("duplicates.opened", { ago: minutes(d.minutes_ago) }),
        t("duplicates.calls", { n: d.calls.length })].filter(Boolean).join(" · ");
      const button = el("button", { type: "button", class: i === 0 ? "link-duplicate primary" : "link-duplicate",
        dataset: { incident: inc.id },
        text: t(call ? "duplicates.merge" : "duplicates.link", { ref: inc.reference }) + (i === 0 ? " (Alt+L)" : "") });
      button.addEventListener("click", () => link(d));
      return el("li", { dataset: { incident: inc.id } },
        el("div", {}, el("b", { text: inc.reference }), " ",
          el("span", { class: `badge priority-${inc.priority}`, text: term("priorities", inc.priority) }), " ",
          term("categories", inc.category)),
        el("div", { class: "muted", text: [inc.location_name || inc.location_text, facts].filter(Boolean).join(" · ") }),
        el("div", { class: "why" }, d.why.map((w) => el("span", { class: "tag", text: term("duplicate_reasons", w) }))),
        el("div", { class: "duplicate-callers muted", text: d.calls.map((c) =>
          [c.caller_phone_display, c.caller_name].filter(Boolean).join(" ")).join(", ") }),
        button);
    })),
    el("p", { class: "result", id: "duplicates-result", role: "status" }));
}

async function link(d) {
  const result = $("#duplicates-result");
  if (!savedCall) {
    await linkAtIntake?.(d.incident);
    return;
  }
  try {
    const answer = await post(`/api/calls/${savedCall.id}/link`, { incident_id: d.incident.id });
    const merged = answer.merged_incident;
    clearDuplicates();
    const said = $("#intake-result");
    if (said) {
      said.dataset.state = "linked";
      said.textContent = merged
        ? t("duplicates.merged", { ref: answer.incident.reference, merged: merged.reference })
        : t("duplicates.linked", { ref: answer.incident.reference });
    }
  } catch (err) {
    if (result) result.textContent = t("duplicates.not_linked", { why: err instanceof ApiError ? explain(err) : String(err) });
  }
}
