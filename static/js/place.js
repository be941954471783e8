// An incident's location as the screens show it (docs/UI.md): the words as the caller said them
// first, never rewritten; beside them the place they were resolved to (relation + name, e.g.
// "depan RSU Santo Antonius"), and, for a place known only to a road, a kelurahan or a kecamatan,
// the precision label ("perkiraan: tengah kelurahan"), so nobody takes a kelurahan centre for a house.
import { el } from "./dom.js";
import { label } from "./i18n.js";

export function saidText(incident) {
  return incident.location_text ?? incident.address_text ?? "";
}

// "depan RSU Santo Antonius"; empty when nothing was resolved or it only repeats the words said.
export function resolvedPlace(incident) {
  const name = incident.location_name;
  if (!name || incident.location_kind === "coordinates") return "";   // the numbers typed, again
  const place = [incident.location_relation, name].filter(Boolean).join(" ");
  const said = saidText(incident).trim().toLowerCase();
  return said === place.toLowerCase() || said === name.toLowerCase() ? "" : place;
}

export function precisionLabel(incident) {
  return label(incident.location_precision_label);
}

// The crew's lines for it: the words as said, the place, the precision badge, the zones.
export function placeLines(incident) {
  // A kelurahan or kecamatan as the place is named by the zone line below it.
  const resolved = resolvedPlace(incident);
  const place = [incident.kelurahan, incident.kecamatan].includes(resolved) ? "" : resolved;
  const precision = precisionLabel(incident);
  return [
    el("p", { class: "address", id: "job-address", text: saidText(incident) || resolved || "" }),
    place && saidText(incident) ? el("p", { class: "resolved", id: "job-place", text: place }) : null,
    precision ? el("p", { class: "precision", id: "job-precision", text: precision }) : null,
    incident.kelurahan ? el("p", { class: "muted", id: "job-zone",
      text: [incident.kelurahan, incident.kecamatan].filter(Boolean).join(", ") }) : null,
  ];
}
