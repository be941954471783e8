// The way on the selected incident's map: the road the first unit on it drives (to the scene, then
// to the hospital), or while no unit is on it the road of the first recommended unit, both from
// the server's travel model (GET /api/units/<id>/route, GET /api/route). Asked again only when the
// incident, the unit, its status or its position (to about 100 m) changes.
import { get } from "../api.js";
import { L } from "../mapbase.js";

let line = null;
let shownKey = null;
let request = 0;

export function clearWay() {
  request += 1;
  line?.remove();
  line = null;
  shownKey = null;
}

// `want`: {key, url, kind} or null (nothing to draw).
export async function showWay(map, want) {
  if (!map) return;
  if (!want) {
    clearWay();
    return;
  }
  if (want.key === shownKey) return;
  const mine = ++request;
  let way = null;
  try {
    way = await get(want.url);
  } catch {
    way = null;     // no road (no incident location, an outage): nothing drawn rather than a stale one
  }
  if (mine !== request) return;
  line?.remove();
  line = null;
  shownKey = want.key;
  if (!way?.path?.length) return;
  line = L.polyline(way.path, { weight: 5, opacity: 0.8, interactive: false,
    className: `route-line route-${want.kind}${way.to === "hospital" ? " route-to-hospital" : ""}` }).addTo(map);
}

const rounded = (x) => Math.round(x * 1000) / 1000;

// What to draw for `incident` given its active units (`units`, live state) and the first recommendation.
export function wayFor(incident, units, first) {
  if (!incident?.location_known) return null;
  const moving = units.find((u) => ["dispatched", "en_route", "transporting"].includes(u.status));
  if (moving) {
    const p = moving.position || {};
    return { kind: "assigned", url: `/api/units/${moving.id}/route`,
      key: `${incident.id}:u${moving.id}:${moving.status}:${rounded(p.lat)}:${rounded(p.lon)}` };
  }
  if (units.length || !first) return null;
  const from = first.position_source === "gps" && first.unit.position ? first.unit.position : first.unit.station;
  return { kind: "recommended",
    url: `/api/route?from_lat=${from.lat}&from_lon=${from.lon}&to_lat=${incident.lat}&to_lon=${incident.lon}`,
    key: `${incident.id}:r${first.unit.id}:${rounded(from.lat)}:${rounded(from.lon)}:${rounded(incident.lat)}:${rounded(incident.lon)}` };
}
