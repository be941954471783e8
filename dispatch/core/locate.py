"""Turning what the operator typed into an incident location, and saying how sure it is.

``located = locate_text(geo, "depan RS Antonius")`` never raises: text that matches
nothing, or coordinates that cannot be used, give an ``unknown`` location with a
message for the operator, so a call is never refused for its location. A match
too weak or too ambiguous to be presented as the place is also ``unknown``, with
the candidates offered for the operator to pick.
"""
from dataclasses import dataclass, field

from ..geo.coords import CoordinateError
from ..geo.distance import haversine_m
from ..geo.gazetteer import SPECIFICITY
from ..vocabulary import location_precision

MIN_CONFIDENCE = 0.3        # below this a match is offered, not used
AMBIGUOUS_M = 1000          # two equally good matches further apart than this: ask the operator


@dataclass
class Located:
    source: str
    lat: float | None = None
    lon: float | None = None
    confidence: float | None = None
    name: str | None = None
    kind: str | None = None
    kelurahan: str | None = None
    kecamatan: str | None = None
    outside_service_area: bool = False
    # How far the point may be from the place (a kelurahan centre: about 1 km); None: not known.
    precision_m: float | None = None
    message: dict | None = None
    candidates: list = field(default_factory=list)

    @property
    def known(self):
        return self.lat is not None

    @property
    def precision(self):
        """exact, place, road, kelurahan, kecamatan or unknown (vocabulary.LOCATION_PRECISIONS)."""
        return location_precision(self.source, self.kind, self.known)

    def summary(self):
        return {"source": self.source, "confidence": self.confidence, "name": self.name, "kind": self.kind,
                "message": self.message, "candidates": self.candidates[:5]}


def locate_point(geo, lat, lon, *, source, name=None, kind=None, confidence=1.0, precision_m=None):
    """A point with its zones (none without ``geo``: a core caller with no geography)."""
    if geo is None:
        return Located(source=source, lat=lat, lon=lon, confidence=confidence, name=name, kind=kind,
                       precision_m=precision_m)
    zone = geo.zones.lookup(lat, lon)
    return Located(source=source, lat=lat, lon=lon, confidence=confidence, name=name, kind=kind,
                   precision_m=precision_m,
                   kelurahan=zone.kelurahan, kecamatan=zone.kecamatan,
                   outside_service_area=zone.outside_service_area,
                   message=_outside(zone) if zone.outside_service_area else None)


def locate_chosen(geo, lat, lon, *, name, kind=None, precision_m=None):
    """The suggestion the operator chose (its name, kind and point): source ``chosen``."""
    return locate_point(geo, lat, lon, source="chosen", name=name, kind=kind, precision_m=precision_m)


def locate_text(geo, text):
    if not text or not text.strip():
        return Located("unknown", message=_msg("Lokasi belum diisi", "No location given"))
    try:
        found = geo.geocoder.candidates(text)
    except CoordinateError as exc:
        return Located("unknown", message={"id": exc.message_id, "en": str(exc)})
    if not found:
        return Located("unknown", message=_msg("Lokasi tidak dikenali; tentukan di peta",
                                               "Location not recognised; set it on the map"))
    best = found[0]
    confidence = best["confidence"]
    rival = _rival(best, found[1:])
    if rival is not None:
        return Located("unknown", candidates=found,
                       message=_msg(f"Lokasi ambigu: {best['name']} atau {rival['name']}?",
                                    f"Ambiguous location: {best['name']} or {rival['name']}?"))
    if best.get("notes"):
        # The text contradicts the place it names best ("Jembatan Kapuas II", a mosque "in" a
        # kelurahan across the river): offered, not used.
        return Located("unknown", candidates=found,
                       message=_msg(f"Teks tidak cocok dengan {best['name']} ({'; '.join(best['notes'])}); "
                                    f"pilih kandidat atau tentukan di peta",
                                    f"Does not fit: {best['name']} ({'; '.join(best['notes'])}); pick one or set it "
                                    f"on the map"))
    if confidence < MIN_CONFIDENCE:
        return Located("unknown", candidates=found,
                       message=_msg("Kecocokan lemah; pilih dari kandidat atau tentukan di peta",
                                    "Weak match; pick a candidate or set it on the map"))
    source = "text_coordinates" if best["kind"] == "coordinates" else (
        "gazetteer" if best["source"] == "gazetteer" else "server")
    located = locate_point(geo, best["lat"], best["lon"], source=source, name=best["name"], kind=best["kind"],
                           confidence=confidence, precision_m=best.get("precision_m") or None)
    located.candidates = found
    return located


def _rival(best, others):
    """Another candidate as good and as specific as the best one, more than AMBIGUOUS_M away."""
    rank = SPECIFICITY.get(best["kind"])
    for other in others:
        if rank is None or SPECIFICITY.get(other["kind"]) != rank:
            continue
        if other["confidence"] >= best["confidence"] - 0.05:
            if float(haversine_m(best["lat"], best["lon"], other["lat"], other["lon"])) > AMBIGUOUS_M:
                return other
    return None


def apply_location(incident, located):
    """Copy a location onto an incident (all location fields, so nothing stale stays)."""
    incident.lat, incident.lon = located.lat, located.lon
    incident.location_source = located.source
    incident.location_confidence = located.confidence
    incident.location_name = located.name
    incident.location_kind = located.kind
    incident.location_precision = located.precision
    incident.kelurahan = located.kelurahan
    incident.kecamatan = located.kecamatan
    incident.outside_service_area = bool(located.outside_service_area)


def _outside(zone):
    km = zone.distance_m / 1000
    return _msg(f"Di luar wilayah layanan, {km:.1f} km dari Kec. {zone.kecamatan}",
                f"Outside the service area, {km:.1f} km from Kec. {zone.kecamatan}")


def _msg(id_text, en_text):
    return {"id": id_text, "en": en_text}
