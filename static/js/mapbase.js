// A Leaflet map of Pontianak with the project's own layers (zones, rivers, bridges), shared by the
// supervisor map, the console's small maps and the crew's map. Tiles only when the server is
// configured with them; otherwise the project's own streets (roadlayer.js).
import * as L from "/vendor/leaflet/leaflet-src.esm.js";
import { get } from "./api.js";
import { drawRoads } from "./roadlayer.js";

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
export function baseMap(element, { zoom = 13, zones = true, focusable = true, zoneLabels = false, hospitals = true } = {}) {
  const map = L.map(element, { zoomControl: true, attributionControl: true, preferCanvas: false, keyboard: focusable })
    .setView(PONTIANAK, zoom);
  if (!focusable) {
    element.setAttribute("tabindex", "-1");
    element.querySelectorAll("a, button").forEach((node) => node.setAttribute("tabindex", "-1"));
  }
  let gone = false;
  map.on("unload", () => { gone = true; });
  let wait = 2000;
  const draw = () => mapLayers().then((layers) => {
    if (gone) return;
    drawLayers(map, layers, zones, zoneLabels);
    if (!layers.tiles) streets();
  }).catch(() => {
    if (gone) return;
    setTimeout(draw, wait);
    wait = Math.min(wait * 2, 30000);
  });
  // No tile server: the project's own streets, tried again on their own when they fail.
  let streetWait = 2000;
  const streets = () => drawRoads(map, { hospitals, zoneNames: !zoneLabels }).catch(() => {
    if (gone) return;
    setTimeout(streets, streetWait);
    streetWait = Math.min(streetWait * 2, 30000);
  });
  draw();
  return map;
}

// The map's zoom as classes on its element, for what is shown only near or far
// (app.css: kecamatan names far, kelurahan names near).
export function zoomClasses(map) {
  const mark = () => {
    const z = map.getZoom();
    const node = map.getContainer();
    node.dataset.zoom = String(z);
    node.classList.toggle("zoom-far", z <= 13);
    node.classList.toggle("zoom-near", z >= 14);
  };
  map.on("zoomend", mark);
  mark();
}

function drawLayers(map, layers, zones, zoneLabels) {
  if (layers.tiles) {
    L.tileLayer(layers.tiles.url, { attribution: layers.tiles.attribution, maxZoom: 19 }).addTo(map);
  }
  if (zones) {
    const drawn = L.geoJSON(layers.zones, {
      style: (f) => (f.properties.kind === "kecamatan"
        ? { className: "zone-kecamatan", weight: 2, fill: false }
        : { className: "zone-kelurahan", weight: 1, fillOpacity: 0.04 }),
      interactive: false,
    }).addTo(map);
    if (zoneLabels) drawZoneLabels(map, drawn);
  }
  L.geoJSON(layers.rivers, {
    style: (f) => (f.properties.kind === "river"
      ? { className: "river", weight: 6 } : { className: "bridge", weight: 5 }),
    interactive: false,
  }).addTo(map);
}

// The name of each kecamatan and kelurahan at its middle, below everything live; which of the two
// shows depends on the zoom (zoomClasses).
function drawZoneLabels(map, drawn) {
  if (!map.getPane("zoneLabels")) map.createPane("zoneLabels").style.zIndex = 405;
  drawn.eachLayer((layer) => {
    const { name, kind } = layer.feature.properties;
    if (!name || !layer.getCenter) return;
    const text = document.createElement("span");
    text.textContent = name;
    text.dataset.zone = name;
    L.marker(layer.getCenter(), { pane: "zoneLabels", interactive: false, keyboard: false,
      icon: L.divIcon({ className: `zone-label zone-label-${kind}`, html: text, iconSize: null }) }).addTo(map);
  });
}
