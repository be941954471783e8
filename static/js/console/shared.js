// What the console's parts share: the live state, the selected incident, and a few helpers for
// panels rebuilt by live changes. `actions.select` is set by console.js (the parts call it, it
// calls them).
import { ApiError } from "../api.js";
import { explain } from "../errors.js";
import { el } from "../dom.js";
import { precisionLabel, resolvedPlace as placeOf } from "../place.js";
import { LiveState } from "../state.js";

export const PRIORITY_RANK = { P1: 0, P2: 1, P3: 2 };
export const state = new LiveState();
// The selected incident's id, the user, and the centre's timers (console/settings.js).
export const view = { selected: null, user: null, timers: null };
export const actions = { select: async () => {}, saved: () => {} };

// A panel rebuilt by a live change keeps the keyboard on the same control: found again by id, or
// by its tag, classes and data attributes (an assign button of one unit, say).
export function focusedIn(panel) {
  const node = document.activeElement;
  if (!node || node === panel || !panel.contains(node)) return null;
  if (node.id) return `#${CSS.escape(node.id)}`;
  const classes = [...node.classList].map((c) => `.${CSS.escape(c)}`).join("");
  const data = Object.entries(node.dataset).map(([k, v]) =>
    `[data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${CSS.escape(v)}"]`).join("");
  return `${node.tagName.toLowerCase()}${classes}${data}`;
}

export function refocus(panel, selector) {
  if (selector && !panel.contains(document.activeElement)) panel.querySelector(selector)?.focus();
}

export function alertIn(panel, err) {
  panel.prepend(el("p", { class: "notice", role: "alert", text: err instanceof ApiError ? explain(err) : err.message || String(err) }));
}

// Beside the words as said, the place they were resolved to: the relation and the place's name
// ("depan RSU Santo Antonius"), and how approximate the point is ("perkiraan: tengah kelurahan").
// (The same rules as the crew's and the map's: static/js/place.js.)
export function resolvedPlace(incident, id = null) {
  const place = placeOf(incident);
  const approx = precisionLabel(incident);
  if (!place && !approx) return null;
  return el("small", { class: "resolved", id },
    place ? el("span", { class: "place", text: place }) : null,
    place && approx ? " · " : "",
    approx ? el("span", { class: "precision", text: approx }) : null);
}
