// The supervisor map's legend (a Leaflet control, bottom left): what each colour and mark means.
import { el, replace } from "./dom.js";
import { t } from "./i18n.js";
import { codes, term } from "./vocabulary.js";
import { L } from "./mapbase.js";


function swatch(className, text) {
  return el("span", { class: `swatch ${className}`, "aria-hidden": "true", text });
}

function content() {
  return [
    el("h3", { text: t("map.legend.incidents") }),
    el("ul", {}, codes("priorities").map((p) => el("li", {}, swatch(`incident priority-${p}`), term("priorities", p)))),
    el("h3", { text: t("map.legend.units") }),
    el("ul", {}, codes("unit_statuses").map((s) => el("li", {}, swatch(`unit status-${s}`), term("unit_statuses", s))),
      el("li", { class: "wide" }, swatch("unit status-available faded"), t("map.legend.faded")),
      el("li", { class: "wide" }, swatch("line"), t("map.legend.line"))),
    el("h3", { text: t("map.legend.hospitals") }),
    el("ul", {}, el("li", {}, swatch("hospital hospital-open", "H"), t("map.legend.hospital_open")),
      el("li", {}, swatch("hospital hospital-diverting", "H"), t("map.legend.hospital_not"))),
  ];
}

export function legend() {
  const control = L.control({ position: "bottomleft" });
  let node = null;
  let body = null;
  let title = null;
  // Open on a wall or desk screen; folded on a phone, where it would cover half the map.
  control.onAdd = () => {
    title = el("summary", { text: t("map.legend") });
    body = el("div", {}, content());
    node = el("details", { class: "map-legend", id: "legend", role: "note",
      open: window.matchMedia("(min-width: 761px)").matches }, title, body);
    L.DomEvent.disableClickPropagation(node);
    return node;
  };
  control.refresh = () => {
    if (!node) return;
    title.textContent = t("map.legend");
    replace(body, content());
  };
  return control;
}
