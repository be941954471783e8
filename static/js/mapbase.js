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

// The map is there at once; the layers are drawn when they come. A failed request (a phone on a
// poor network) is tried again, and never stops the page: the job, the buttons and the live
// connection do not wait for rivers.
export function baseMap(element, { zoom = 13, zones = true, focusable = true } = {}) {
  const map = L.map(element, { zoomControl: true, attributionControl: true, preferCanvas: false, keyboard: focusable })
    .setView(PONTIANAK, zoom);
  if (!focusable) {
    element.setAttribute("tabindex", "-1");
    element.querySelectorAll("a, button").forEach((node) => node.setAttribute("tabindex", "-1"));
  }
  let gone = false;
  map.on("unload", () => { gone = true; });
  let wait = 2000;
  const draw = () => mapLayers().then((layers) => { if (!gone) drawLayers(map, layers, zones); }).catch(() => {
    if (gone) return;
    setTimeout(draw, wait);
    wait = Math.min(wait * 2, 30000);
  });
  draw();
  return map;
}

function drawLayers(map, layers, zones) {
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
}
