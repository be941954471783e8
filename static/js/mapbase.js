// A Leaflet map of Pontianak with the project's own layers (zones, rivers, bridges), shared by the
// supervisor map and the console's small map. Tiles only when the server is configured with them.
import * as L from "/vendor/leaflet/leaflet-src.esm.js";
import { get } from "./api.js";

export { L };
export const PONTIANAK = [-0.035, 109.335];

let layersRequest = null;   // the layers change only with a zones import: fetched once per page
function mapLayers() {
  layersRequest ??= get("/api/map/layers").catch((err) => { layersRequest = null; throw err; });
  return layersRequest;
}

// `focusable: false` keeps a small map out of the Tab order of a form (the mouse still works).
export async function baseMap(element, { zoom = 13, zones = true, focusable = true } = {}) {
  const map = L.map(element, { zoomControl: true, attributionControl: true, preferCanvas: false, keyboard: focusable })
    .setView(PONTIANAK, zoom);
  if (!focusable) {
    element.setAttribute("tabindex", "-1");
    element.querySelectorAll("a, button").forEach((node) => node.setAttribute("tabindex", "-1"));
  }
  const layers = await mapLayers();
  if (layers.tiles) {
    L.tileLayer(layers.tiles.url, { attribution: layers.tiles.attribution, maxZoom: 19 }).addTo(map);
  }
  if (zones) {
    L.geoJSON(layers.zones, {
      style: (f) => (f.properties.kind === "kecamatan"
        ? { className: "zone-kecamatan", weight: 2, fill: false }
        : { className: "zone-kelurahan", weight: 1, fillOpacity: 0.04 }),
      interactive: false,
    }).addTo(map);
  }
  L.geoJSON(layers.rivers, {
    style: (f) => (f.properties.kind === "river"
      ? { className: "river", weight: 6 } : { className: "bridge", weight: 5 }),
    interactive: false,
  }).addTo(map);
  return map;
}
