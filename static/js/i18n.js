// Bahasa Indonesia first, English second; the choice is remembered on this device.
// Every text of the pages lives in one table per language (i18n/id.js, i18n/en.js).
import id from "./i18n/id.js";
import en from "./i18n/en.js";

const TABLES = { id, en };
const KEY = "psc119.lang";
const listeners = new Set();

export function lang() {
  const saved = localStorage.getItem(KEY);
  return saved in TABLES ? saved : "id";
}

export function setLang(code) {
  if (!(code in TABLES)) return;
  localStorage.setItem(KEY, code);
  document.documentElement.lang = code;
  listeners.forEach((fn) => fn(code));
}

export function onLangChange(fn) {
  listeners.add(fn);
}

// t("queue.waiting", {n: 3}) -> the text in the current language, {n} filled in.
export function t(key, params = {}) {
  const text = TABLES[lang()][key] ?? TABLES.id[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

// A label from the API: {"id": ..., "en": ...}.
export function label(pair) {
  if (!pair) return "";
  return pair[lang()] ?? pair.id ?? "";
}

// Fill every [data-i18n] element of a page with its text (and [data-i18n-placeholder]).
export function translatePage(root = document) {
  document.documentElement.lang = lang();
  root.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  root.querySelectorAll("[data-i18n-placeholder]").forEach((node) => {
    node.setAttribute("placeholder", t(node.dataset.i18nPlaceholder));
  });
  root.querySelectorAll("[data-i18n-title]").forEach((node) => { node.title = t(node.dataset.i18nTitle); });
  root.querySelectorAll("[data-i18n-label]").forEach((node) => { node.setAttribute("aria-label", t(node.dataset.i18nLabel)); });
  const page = document.body?.dataset.i18nPage;   // the browser tab's title
  if (page) document.title = `PSC 119 — ${t(page)}`;
}
