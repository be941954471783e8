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
      el("li", {}, swatch("hospital hospital-diverting", "H"), t("map.legend.hospital_not")),
      el("li", {}, swatch("place-puskesmas"), t("map.legend.puskesmas"))),
    // The streets drawn with no tile server (roadlayer.js).
    document.querySelector("#map[data-roads]") ? [el("h3", { text: t("map.legend.roads") }),
      el("ul", { class: "road-key" }, ["arteri", "kolektor", "lokal", "lain", "bridge"].map((c) =>
        el("li", {}, swatch(`road-line road-line-${c}`), t(`map.legend.road.${c}`))))] : null,
  ];
}

export function legend() {
  const control = L.control({ position: "bottomleft" });
  let node = null;
  let body = null;
  let title = null;
  // Open on a wall or desk screen; folded on a phone, where it would cover half the map.
  control.onAdd = (map) => {
    map.getContainer().addEventListener("psc119:roads", () => control.refresh());   // the streets came
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
