// The centre's settings (GET/PUT /api/settings/timers and /dispatch) in a dialog from the top bar:
// the timers past which alerts are raised, and auto-dispatch per priority. A supervisor changes
// them; an operator reads them. Each save sends only what changed, with the version read (another
// supervisor's change meanwhile: said, and the form read again). The console's waiting colours
// follow the timers (view.timers), kept current by settings.changed.
import { ApiError, get, put } from "../api.js";
import { explain, fieldText } from "../errors.js";
import { $, el, replace } from "../dom.js";
import { t } from "../i18n.js";
import { duration } from "../time.js";
import { term } from "../vocabulary.js";
import { view } from "./shared.js";

const PRIORITIES = ["P1", "P2", "P3"];
const TIMERS = ["acceptance_s", "turnout_s", "on_scene_s", "at_hospital_s", "position_fix_s", "callback_s", "hospital_beds_s"];
let timers = null;        // GET /api/settings/timers
let dispatch = null;      // GET /api/settings/dispatch
let notice = null;        // {text, ok}
let errors = {};          // field -> message, from a 422

// Read both; the waiting colours take the timers at once.
export async function loadSettings() {
  try {
    [timers, dispatch] = await Promise.all([get("/api/settings/timers"), get("/api/settings/dispatch")]);
    view.timers = timers.timers;
  } catch {
    // offline: the queue keeps the priorities' targets; the dialog says it could not read them
  }
}

export function settingsButton(onChange) {
  const button = el("button", { type: "button", id: "settings-open", text: t("settings.open") });
  button.addEventListener("click", async () => {
    await loadSettings();
    notice = null;
    errors = {};
    replace($("#settings-dialog"));    // what was typed and not saved last time is gone
    renderDialog();
    $("#settings-dialog").showModal();
  });
  settingsButton.onChange = onChange;
  return Object.assign(button, { relabel: () => { button.textContent = t("settings.open"); } });
}

export function settingsDialog() {
  return el("dialog", { id: "settings-dialog", class: "settings-dialog", "aria-labelledby": "settings-title" });
}

// settings.changed: the new values are the server's; the queue recolours, an open form is read again
// (unless the supervisor is typing into it).
export async function settingsChanged(event) {
  if (event?.type !== "settings.changed") return;
  if (event.data?.key === "timers") view.timers = event.data.value;
  settingsButton.onChange?.();
  const dialog = $("#settings-dialog");
  if (dialog?.open && !dialog.querySelector("form.dirty")) {
    await loadSettings();
    renderDialog();
  }
}

const canChange = () => view.user?.role === "supervisor";

function secondsInput(name, value) {
  const hint = el("span", { class: "hint", text: `= ${duration(value)}` });
  const input = el("input", { type: "number", name, id: `timer-${name}`, min: 10, max: 86400, step: 1,
    value, required: true, disabled: !canChange(), "aria-describedby": `timer-${name}-error` });
  input.addEventListener("input", () => { hint.textContent = `= ${duration(Number(input.value))}`; });
  return [input, " ", t("settings.seconds"), " ", hint,
    el("span", { class: "field-error", id: `timer-${name}-error`, text: errors[name] ? fieldText(errors[name]) : "" })];
}

// What has been typed into a form not yet saved stays when the dialog is drawn again (`except`: the
// form just saved, drawn with the server's values).
function typedIn(dialog, except) {
  const kept = {};
  dialog.querySelectorAll("form.dirty").forEach((form) => {
    if (form.id === except) return;
    form.querySelectorAll("input").forEach((i) => { kept[i.id] = i.type === "checkbox" ? i.checked : i.value; });
  });
  return kept;
}

function putBack(dialog, kept) {
  for (const [id, value] of Object.entries(kept)) {
    const input = dialog.querySelector(`#${CSS.escape(id)}`);
    if (!input) continue;
    if (input.type === "checkbox") input.checked = value;
    else input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));     // its hint, and the form marked unsaved
  }
}

function renderDialog(except = null) {
  const dialog = $("#settings-dialog");
  if (!dialog) return;
  const kept = typedIn(dialog, except);
  const close = el("button", { type: "button", id: "settings-close", text: t("settings.close"),
    onclick: () => dialog.close() });
  if (!timers || !dispatch) {
    replace(dialog, el("h2", { id: "settings-title", text: t("settings.title") }),
      el("p", { class: "notice", text: t("settings.unreadable") }), close);
    return;
  }
  const v = timers.timers;
  const timersForm = el("form", { id: "timers-form", class: "settings-form" },
    el("h3", { text: t("settings.timers") }),
    el("p", { class: "muted", text: t("settings.timers_hint") }),
    el("table", {}, el("tbody", {},
      PRIORITIES.map((p) => el("tr", {}, el("th", {}, el("label", { for: `timer-waiting_s.${p}`,
        text: t("settings.waiting", { priority: term("priorities", p) }) })),
      el("td", {}, secondsInput(`waiting_s.${p}`, v.waiting_s[p])))),
      TIMERS.map((name) => el("tr", {}, el("th", {}, el("label", { for: `timer-${name}`, text: t(`settings.${name}`) })),
        el("td", {}, secondsInput(name, v[name])))))),
    canChange() ? el("button", { type: "submit", class: "primary", id: "save-timers", text: t("settings.save_timers") }) : null);
  timersForm.addEventListener("input", () => timersForm.classList.add("dirty"));
  timersForm.addEventListener("submit", (ev) => { ev.preventDefault(); saveTimers(timersForm); });
  const autoForm = el("form", { id: "dispatch-form", class: "settings-form" },
    el("h3", { text: t("settings.auto_dispatch") }),
    el("p", { class: "muted", text: t("settings.auto_dispatch_hint") }),
    PRIORITIES.map((p) => el("label", { class: "check" }, el("input", { type: "checkbox", name: p, id: `auto-${p}`,
      checked: dispatch.auto_dispatch[p], disabled: !canChange() }), " ", term("priorities", p))),
    canChange() ? el("button", { type: "submit", class: "primary", id: "save-dispatch", text: t("settings.save_dispatch") }) : null);
  autoForm.addEventListener("input", () => autoForm.classList.add("dirty"));
  autoForm.addEventListener("submit", (ev) => { ev.preventDefault(); saveDispatch(autoForm); });
  replace(dialog,
    el("h2", { id: "settings-title", text: t("settings.title") }),
    canChange() ? null : el("p", { class: "notice", id: "settings-readonly", text: t("settings.readonly") }),
    notice ? el("p", { class: notice.ok ? "notice ok" : "notice", role: "alert", id: "settings-notice", text: notice.text }) : null,
    timersForm, autoForm, close);
  putBack(dialog, kept);
}

// Which form was saved is said (a supervisor saving both in a row sees each answer).
async function saved(request, form, said) {
  try {
    await request();
    notice = { text: t(said), ok: true };
    errors = {};
  } catch (err) {
    errors = err instanceof ApiError && err.code === "validation_error" ? err.fields : {};
    notice = { text: err instanceof ApiError && err.code === "settings_changed" ? t("settings.changed_meanwhile") : explain(err) };
  }
  // The server's values, whatever happened (a refused change leaves them as they were), unless a field
  // was refused: then what was typed stays, to be corrected.
  if (Object.keys(errors).length) {
    renderDialog();
    return;
  }
  await loadSettings();
  renderDialog(form.id);
}

function saveTimers(form) {
  const changes = {};
  const waiting = {};
  for (const input of form.querySelectorAll("input[type=number]")) {
    const value = Number(input.value);
    const [name, priority] = input.name.split(".");
    const before = priority ? timers.timers.waiting_s[priority] : timers.timers[name];
    if (input.value === "" || value !== before) {
      if (priority) waiting[priority] = input.value === "" ? null : value;
      else changes[name] = input.value === "" ? null : value;
    }
  }
  if (Object.keys(waiting).length) changes.waiting_s = waiting;
  if (!Object.keys(changes).length) { notice = { text: t("settings.nothing"), ok: true }; renderDialog(); return; }
  return saved(async () => {
    timers = await put("/api/settings/timers", { ...changes, version: timers.version });
    view.timers = timers.timers;
    settingsButton.onChange?.();
  }, form, "settings.saved_timers");
}

function saveDispatch(form) {
  const auto = {};
  for (const p of PRIORITIES) {
    const on = form.querySelector(`#auto-${p}`).checked;
    if (on !== dispatch.auto_dispatch[p]) auto[p] = on;
  }
  if (!Object.keys(auto).length) { notice = { text: t("settings.nothing"), ok: true }; renderDialog(); return; }
  return saved(async () => {
    dispatch = await put("/api/settings/dispatch", { auto_dispatch: auto, version: dispatch.version });
  }, form, "settings.saved_dispatch");
}
