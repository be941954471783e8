// The streets of Pontianak drawn from the project's own data when no tile server is configured
// (GET /api/map/roads, kept by the browser's cache by its ETag): the roads by class (arterials
// bold, lanes only close up), the bridges, the street names close up, the kecamatan names far and
// the kelurahan names near, and the hospitals and puskesmas with their names. What is drawn is said
// on the map's element (data-roads, data-road-classes, data-roads-ms) for the tests and the bench.
import * as L from "/vendor/leaflet/leaflet-src.esm.js";
import { get } from "./api.js";

// Weight in pixels at zoom 13 and 16 (interpolated between), drawing order from the bottom.
const STYLE = {
  lain: { far: 0.8, near: 2.5 },
  connector: { far: 0.8, near: 2.5 },
  lokal: { far: 1, near: 4 },
  kolektor: { far: 2.5, near: 6 },
  arteri: { far: 4, near: 9 },
  bridge: { far: 5, near: 10 },
};
const STREET_NAMES_FROM = 15;
const PLACE_NAMES_FROM = 14;

let request = null;   // one request per page; the browser's cache makes the next page's free
function roadLayer() {
  request ??= get("/api/map/roads").catch((err) => { request = null; throw err; });
  return request;
}

const pairs = (flat) => {
  const out = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
};

function middle(points) {
  return points[Math.floor(points.length / 2)];
}

function label(at, text, className, pane) {
  const span = document.createElement("span");
  span.textContent = text;
  return L.marker(at, { pane, interactive: false, keyboard: false,
    icon: L.divIcon({ className, html: span, iconSize: null }) });
}

function weight(cls, zoom) {
  const { far, near } = STYLE[cls] || STYLE.lokal;
  const t = Math.min(1, Math.max(0, (zoom - 13) / 3));
  return far + (near - far) * t;
}

// Draw the layer on `map`; `hospitals`: also the hospitals (pages that do not draw them themselves),
// `zoneNames`: the kecamatan and kelurahan names (pages that do not draw them from the zones).
export async function drawRoads(map, { hospitals = true, zoneNames = true } = {}) {
  const layer = await roadLayer();
  const started = performance.now();
  const node = map.getContainer();
  if (!map.getPane("roads")) map.createPane("roads").style.zIndex = 350;
  if (!map.getPane("roadLabels")) map.createPane("roadLabels").style.zIndex = 404;
  const renderer = L.svg({ pane: "roads", padding: 0.5 });
  const classes = [...layer.classes].sort((a, b) =>
    Object.keys(STYLE).indexOf(a.code) - Object.keys(STYLE).indexOf(b.code));
  const lines = classes.map((c) => ({ code: c.code, minZoom: c.min_zoom,
    layer: L.polyline(c.lines.map(pairs), { renderer, interactive: false, weight: 1, className: `road road-${c.code}` }) }));
  const bridgeNames = layer.bridges.map((b) => label(middle(pairs(b.line)), b.name, "road-label bridge-label", "roadLabels"));
  const streetNames = layer.streets.flatMap((s) => {
    const longest = s.lines.reduce((a, b) => (b.length > a.length ? b : a), []);
    return longest.length ? [label(middle(pairs(longest)), s.name, "road-label street-label", "roadLabels")] : [];
  });
  const zoneLabels = zoneNames ? layer.zones.map((z) => ({ kind: z.kind,
    marker: label([z.lat, z.lon], z.name, `zone-label zone-label-${z.kind}`, "roadLabels") })) : [];
  // A page that draws the facilities itself (the supervisor's map, from /api/hospitals) gets none here.
  const places = layer.places.filter((p) => hospitals || (p.kind !== "hospital" && p.kind !== "puskesmas")).map((p) => ({
    dot: L.circleMarker([p.lat, p.lon], { pane: "roadLabels", radius: p.kind === "hospital" ? 6 : 4, weight: 2,
      interactive: false, className: `place-dot place-${p.kind}` }),
    name: label([p.lat, p.lon], p.name, `road-label place-label place-label-${p.kind}`, "roadLabels"),
  }));
  const shown = new Set();
  const show = (item, on) => {
    if (on && !shown.has(item)) { item.addTo(map); shown.add(item); }
    if (!on && shown.has(item)) { item.remove(); shown.delete(item); }
  };
  const update = () => {
    const zoom = map.getZoom();
    lines.forEach((l) => {
      show(l.layer, zoom >= l.minZoom);
      l.layer.setStyle({ weight: weight(l.code, zoom) });
    });
    bridgeNames.forEach((m) => show(m, zoom >= 13));
    streetNames.forEach((m) => show(m, zoom >= STREET_NAMES_FROM));
    zoneLabels.forEach((z) => show(z.marker, z.kind === "kecamatan" ? zoom <= 13 : zoom >= 14 && zoom <= 16));
    places.forEach((p) => { show(p.dot, zoom >= 12); show(p.name, zoom >= PLACE_NAMES_FROM); });
    node.dataset.zoom = String(zoom);
    node.dataset.roadClasses = lines.filter((l) => shown.has(l.layer)).map((l) => l.code).join(" ");
  };
  map.on("zoomend", update);
  map.on("unload", () => map.off("zoomend", update));
  update();
  node.dataset.roads = "drawn";
  node.dataset.roadsMs = String(Math.round(performance.now() - started));
  node.dispatchEvent(new CustomEvent("psc119:roads"));
  return layer;
}
