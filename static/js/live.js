// The live connection shared by the three pages: Socket.IO with the user's token, resuming
// from the last event handled after any reconnect (nothing missed, nothing twice), and an
// indicator that never lets an old screen pass for a live one.
import { io } from "/vendor/socket.io/socket.io.esm.min.js";
import { sessionExpired, token } from "./api.js";
import { el, replace } from "./dom.js";
import { t } from "./i18n.js";
import { duration, secondsSince } from "./time.js";

export function connectLive(handlers, { positions = "batch" } = {}) {
  let lastEventId = null;
  let dataAt = null;
  let state = "connecting";
  let sentToken = null;   // the token of the last (re)connect: a refusal is about that one
  const stateListeners = new Set();

  const setState = (next) => {
    state = next;
    stateListeners.forEach((fn) => fn(state, dataAt));
  };
  const touch = () => { dataAt = new Date().toISOString(); };

  const socket = io({
    transports: ["websocket"],
    reconnectionDelay: 300,
    reconnectionDelayMax: 3000,
    // Asked again on every (re)connect: resume from the last event this page handled.
    auth: (cb) => { sentToken = token(); cb({ token: sentToken, positions, ...(lastEventId === null ? {} : { last_event_id: lastEventId }) }); },
  });
  // The screen is current while the connection is up: its age counts from when it went down.
  const down = (next) => {
    if (state === "live") touch();
    setState(next);
  };
  socket.on("connect", () => {
    touch();
    setState("live");
    // Resumed from the last event: events are replayed, positions are not; the page asks for them.
    if (lastEventId !== null) handlers.resumed?.();
  });
  socket.on("disconnect", () => down(navigator.onLine ? "reconnecting" : "offline"));
  socket.on("connect_error", (err) => {
    const code = err?.data?.code;
    if (code === "invalid_token" || code === "unauthorized") {
      sessionExpired(sentToken);
      setState("offline");
      return;
    }
    setState(navigator.onLine ? "reconnecting" : "offline");
  });
  socket.on("error", (err) => {
    if (err?.code === "invalid_token") sessionExpired(sentToken);
  });
  socket.on("snapshot", (snapshot) => {
    lastEventId = snapshot.last_event_id;
    touch();
    handlers.snapshot?.(snapshot);
    setState("live");
  });
  socket.on("event", (event) => {
    if (lastEventId !== null && event.id <= lastEventId) return;
    lastEventId = event.id;
    touch();
    handlers.event?.(event);
  });
  socket.on("positions", (batch) => { touch(); handlers.positions?.(batch.items); });
  socket.on("position", (position) => { touch(); handlers.positions?.([position]); });
  socket.on("assignment", (message) => { touch(); handlers.assignment?.(message); });
  window.addEventListener("offline", () => down("offline"));

  return {
    socket,
    get state() { return state; },
    get lastEventId() { return lastEventId; },
    get token() { return sentToken; },
    onState(fn) { stateListeners.add(fn); fn(state, dataAt); },
    // A command with an acknowledgement; rejects when there is no answer in time.
    call(name, payload, timeoutMs = 8000) {
      return new Promise((resolve, reject) => {
        if (!socket.connected) { reject(new Error("offline")); return; }
        socket.timeout(timeoutMs).emit(name, payload, (err, answer) => (err ? reject(err) : resolve(answer)));
      });
    },
    // After a new login: always a new connection with the new token (one still up was opened
    // with the old token, and the server closing it later must not end the new session).
    reconnect() {
      socket.disconnect();
      socket.connect();
    },
  };
}

// "Langsung / Menyambung ulang / Terputus", and how old the data on screen is.
export function indicator(live) {
  const dot = el("span", { class: "dot" });
  const text = el("span", { class: "state" });
  const age = el("span", { class: "age" });
  const node = el("div", { id: "live-indicator", class: "indicator connecting", role: "status" }, dot, text, age);
  let current = "connecting";
  let dataAt = null;
  const render = () => {
    node.className = `indicator ${current}`;
    node.dataset.state = current;
    text.textContent = t(`live.${current}`);
    const seconds = secondsSince(dataAt);
    age.textContent = seconds === null ? "" : t("live.age", { age: duration(seconds) });
  };
  live.onState((state, at) => { current = state; dataAt = at; render(); });
  setInterval(() => { dataAt = live.state === "live" ? new Date().toISOString() : dataAt; render(); }, 1000);
  return node;
}

export function mount(target, node) {
  replace(target, node);
}
