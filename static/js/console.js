// Operator console (/console): call intake built for speed (console/intake.js), the alerts and the
// offers of units that came free (console/alerts.js, console/offers.js), the incident queue
// (console/queue.js), the centre's settings (console/settings.js), the recommended units with one-key assignment (console/recommend.js) and the
// selected incident's detail (console/detail.js). This module lays them out and wires them to the
// live state.
import { alarm, soundSwitch } from "./alarm.js";
import { get } from "./api.js";
import { $, el, replace } from "./dom.js";
import { onLangChange, t, translatePage } from "./i18n.js";
import { connectLive, indicator } from "./live.js";
import { languageSwitch, login, logout, watchSession } from "./session.js";
import { loadVocabulary } from "./vocabulary.js";
import { drawDetailUnits, loadDetail } from "./console/detail.js";
import { callbackIntake, intakeForm, keepIntake, labelIntake, mountMiniMap } from "./console/intake.js";
import { callbacksChanged, callbacksPanel, refreshCallbacks, watchCallbacks } from "./console/callbacks.js";
import { boardPanel, renderBoard } from "./console/board.js";
import { keepFocus, mostUrgentWaiting, renderQueue, tickAges } from "./console/queue.js";
import { forgetRecommendations, listenForKeys, loadRecommendations } from "./console/recommend.js";
import { actions, state, view } from "./console/shared.js";
import { alertsChanged, alertsPanel, renderAlerts } from "./console/alerts.js";
import { listenForOfferKey, offerBanner, offersChanged, renderOfferBanner } from "./console/offers.js";
import { loadSettings, settingsButton, settingsChanged, settingsDialog } from "./console/settings.js";

const ROLES = ["operator", "supervisor"];

async function select(id) {
  if (id !== view.selected) forgetRecommendations();
  view.selected = id;
  renderQueue();
  await Promise.all([loadRecommendations(), loadDetail()]);
}
actions.select = select;

// A call saved: the console turns to the most urgent call waiting for a unit (the highest priority,
// then the oldest), which is not always the one just saved: a green call must not take the keys
// 1-5 while two red ones wait.
actions.saved = (incident) => {
  if (incident && !state.incidents.has(incident.id) && incident.status === "pending") state.incidents.set(incident.id, incident);
  const next = mostUrgentWaiting() || incident;
  if (next) select(next.id);
};

function layout() {
  replace($("#main"),
    el("div", { class: "console-layout" },
      el("section", { class: "col intake-col" }, intakeForm()),
      el("section", { class: "col queue-col" },
        offerBanner(),
        alertsPanel(),
        callbacksPanel(),
        el("div", { class: "queue-panel" }, el("h2", { text: t("console.queue") }),
          el("ol", { id: "queue-list", class: "queue" })),
        boardPanel()),
      el("section", { class: "col detail-col" }, el("h2", { text: t("console.recommend") }),
        el("div", { id: "recommendations" }), el("div", { id: "detail" }))));
}

// The language changed: rebuild the page in it, keeping what was typed into the intake form.
async function relabel() {
  const restore = keepIntake();
  layout();
  await restore();
  renderQueue();
  renderBoard();
  renderAlerts();
  renderOfferBanner();
  refreshCallbacks();
  if (view.selected) select(view.selected);
}

async function start() {
  translatePage();
  $("#lang").append(languageSwitch(relabel));
  const user = await login(ROLES);
  view.user = user;              // a supervisor's intake also takes calls taken on paper
  $("#who").textContent = user.username;
  $("#logout").addEventListener("click", logout);
  const sound = soundSwitch();
  $("#sound").append(sound);
  onLangChange(sound.relabel);
  const settings = settingsButton(() => keepFocus(renderQueue));
  $("#settings").append(settings);
  onLangChange(settings.relabel);
  document.body.append(settingsDialog());
  layout();                      // at once: the operator may start typing the moment the page is up
  $("#caller_phone").focus();
  // The labels of categories, priorities and statuses, filled in when they come.
  loadVocabulary().then(() => {
    labelIntake();
    renderQueue();
    renderBoard();
    if (view.selected) select(view.selected);
  });
  loadRecommendations();         // "choose an incident from the queue"
  loadSettings().then(() => keepFocus(renderQueue));   // the waiting colours follow the centre's timers
  await mountMiniMap();
  listenForKeys();
  listenForOfferKey();
  watchCallbacks(callbackIntake);
  const live = connectLive({
    snapshot: (s) => state.snapshot(s),
    event: (e) => state.event(e),
    positions: (items) => state.positions(items),
    resumed: () => get("/api/units").then(({ items }) => state.refreshUnits(items)).catch(() => {}),
  });
  $("#indicator").append(indicator(live));
  state.onChange((change) => {
    if (change.kind === "positions") {          // nothing in the queue moves with a position
      drawDetailUnits();
      renderBoard();
      return;
    }
    const e = change.event;
    callbacksChanged(e);   // a snapshot (no event) asks again too
    settingsChanged(e);
    if (e?.type === "assignment.unacknowledged") alarm(true);
    // A red call logged at another desk: someone must send a unit. (Not a paper card entered after
    // an outage: a supervisor is entering it, and it is in the queue if it still waits.)
    const created = e?.type === "incident.created" ? e.data?.incident : null;
    if (created?.priority === "P1" && !created.entered_late && e.actor?.id !== user.id) alarm(true);
    keepFocus(renderQueue);
    renderBoard();
    alertsChanged(e);
    offersChanged(e);
    const selected = view.selected;
    if (selected && (!e || e.incident_id === selected || e.type.startsWith("unit."))) {
      loadRecommendations();
      if (!e || e.incident_id === selected) loadDetail({ force: false });
    }
  });
  // Logged in again: the live connection is opened again with the new token. One still up was
  // opened with the old token, and the server closing it later must not end the new session.
  watchSession(ROLES, () => live.reconnect());
  onLangChange(() => { renderQueue(); renderBoard(); renderAlerts(); renderOfferBanner(); });
  setInterval(tickAges, 1000);
  if (!document.activeElement || document.activeElement === document.body) $("#caller_phone").focus();
}

start();
