// The codes the pages show and their labels, read once from the API (GET /api/vocabulary):
// categories, priorities, dispositions, unit and incident statuses, location precisions. No page
// keeps its own copy of them.
import { get } from "./api.js";
import { label } from "./i18n.js";

let terms = null;             // {kind: Map(code -> {id, en})}
const KEPT = "psc119.vocabulary";   // the last one read, for a page opened again without a network

function use(body) {
  terms = Object.fromEntries(Object.entries(body).map(([kind, list]) =>
    [kind, new Map(list.map((item) => [item.code, item]))]));
}

try {
  const kept = localStorage.getItem(KEPT);
  if (kept) use(JSON.parse(kept));
} catch {
  terms = null;
}

// Resolves once the vocabulary is here; tried again every few seconds while the server is away.
export function loadVocabulary() {
  return new Promise((resolve) => {
    let wait = 1000;
    const attempt = () => get("/api/vocabulary").then((body) => {
      use(body);
      try { localStorage.setItem(KEPT, JSON.stringify(body)); } catch { /* private mode: not kept */ }
      resolve();
    }).catch(() => {
      setTimeout(attempt, wait);
      wait = Math.min(wait * 2, 10000);
    });
    attempt();
  });
}

export function loaded() {
  return terms !== null;
}

// The codes of a kind, in the API's order ([] until loaded).
export function codes(kind) {
  return terms ? [...(terms[kind]?.keys() || [])] : [];
}

// The label of a code in the page's language; the code itself while the vocabulary is not here.
export function term(kind, code) {
  const item = terms?.[kind]?.get(code);
  return item ? label(item) : String(code ?? "");
}

// A priority's target from the call to a unit sent, in seconds (null until loaded).
export function dispatchTarget(priority) {
  return terms?.priorities?.get(priority)?.dispatch_target_s ?? null;
}
