"""Geocoders with geopy's interface: offline over the project's gazetteer, or a server with a fallback.

:class:`OfflineGeocoder` is a geopy ``Geocoder``: ``geocode(text)`` and
``reverse((lat, lon))`` return geopy ``Location`` objects whose ``raw`` dict says
what was matched::

    {"name", "kind", "lat", "lon", "kelurahan", "kecamatan", "outside_service_area",
     "confidence", "match", "matched_text", "precision_m", "source"}

``kind`` is the kind of place (hospital, landmark, kelurahan, road, ...) or
``coordinates`` when the text held coordinates or a map link. ``confidence`` (0..1)
says how sure the place is, not how precise: a kelurahan matched exactly is sure
of the kelurahan but only places the pin at its centre, which ``precision_m`` says.

:class:`FallbackGeocoder` asks a configured server (geopy's Nominatim, for a
deployment that runs one) first and uses the offline geocoder when the server is
slow, down, or finds nothing; after a failure it leaves the server alone for a
while so calls do not each wait for the timeout.
"""
import logging
import math
import time

import numpy as np
from geopy.exc import GeopyError
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from .backoff import PauseAfterFailure
from .coords import parse_coordinates
from .distance import haversine_m
from .gazetteer import SPECIFICITY, Gazetteer, short_typo, street_words_in, unknown_named
from .pluscodes import PONTIANAK
from .text import tokens as text_tokens

log = logging.getLogger(__name__)

_BASE_CONFIDENCE = {3: 0.92, 2: 0.72, 1: 0.62, 0: 0.42}
_TYPO_PENALTY = 0.07       # per edit
_PREFIX_FACTOR = 0.75
_RELATION_FACTOR = 0.95    # "depan/dekat ...": near the place, not at it
_CONFLICT_FACTOR = 0.75    # a place named with a kelurahan/kecamatan it is not in
_CONFLICT_M = 500         # how far outside a named zone a place must be to contradict it
_NUMBER_CONFLICT_FACTOR = 0.4  # a place named with another number ("Jembatan Kapuas 2")
_AMBIGUOUS_FACTOR = 0.8   # one name, several places of one kind ("SD Negeri 14": one per kecamatan)
_GANG_ON_STREET = 0.86     # a gang named with its street ("Gg. Suez, Jl. Gajah Mada"): that lane


class OfflineGeocoder(Geocoder):
    """Geocoding with no network, over the shipped gazetteer (or one given)."""

    def __init__(self, gazetteer=None, *, zones=None, reference=PONTIANAK):
        super().__init__()
        self.gazetteer = gazetteer or Gazetteer.load()
        # Where short plus codes ("X89R+M52") are recovered: the city's centre.
        self.reference = reference
        # A ZoneIndex, or a callable returning the current one (zones can be re-imported).
        self._zones = zones

    @property
    def zones(self):
        return self._zones() if callable(self._zones) else self._zones

    # -- geopy interface -------------------------------------------------------------------
    def geocode(self, query, *, exactly_one=True, limit=None, typing=False):
        """Locations for ``query``, best first; ``None`` (or ``[]``) when nothing matches.

        Coordinates or a map link in the text win over any name. A text that is
        clearly meant as coordinates but cannot be used raises ``CoordinateError``.
        ``typing=True`` also offers places whose name starts with the last word
        (search-as-you-type).
        """
        return _answer(self.candidates(query, typing=typing), exactly_one, limit)

    def reverse(self, query, *, exactly_one=True, max_distance_m=500):
        """The zone of a point and the nearest known place within ``max_distance_m``."""
        lat, lon = _latlon(query)
        zone = self._zone(lat, lon)
        places = self.gazetteer.places
        lats = np.array([p.lat for p in places])
        lons = np.array([p.lon for p in places])
        dist = haversine_m(lats, lons, lat, lon)
        # Nearest first; at the same distance the more specific place (the hospital, not its street).
        order = np.lexsort((-np.array([SPECIFICITY.get(p.kind, 0) for p in places]), np.round(dist, 1)))
        near = [(places[i], float(dist[i])) for i in order[:10]
                if dist[i] <= max_distance_m and places[i].kind not in ("kelurahan", "kecamatan")]
        if near:
            place, metres = near[0]
            name = f"dekat {place.name}" if metres > 50 else place.name
        else:
            place, metres = None, None
            name = _zone_label(zone)
        raw = {
            "name": name, "kind": "reverse", "lat": lat, "lon": lon,
            **zone, "confidence": 1.0, "match": "reverse", "matched_text": None, "precision_m": 0,
            "source": "reverse",
            "nearest_place": None if place is None else {"name": place.name, "kind": place.kind,
                                                          "distance_m": round(metres)},
        }
        location = Location(name, (lat, lon), raw)
        return location if exactly_one else [location]

    # -- matching --------------------------------------------------------------------------
    def candidates(self, query, *, typing=False):
        """Ranked candidate dicts (the ``raw`` of each Location)."""
        text = (query or "").strip()
        if not text:
            return []
        parsed = parse_coordinates(text, reference=self.reference)
        if parsed is not None:
            # A plus code is as precise as its area (about 14 m for 10 characters); typed degrees as written.
            return [{"name": f"{parsed.lat:.6f}, {parsed.lon:.6f}", "kind": "coordinates",
                     "lat": parsed.lat, "lon": parsed.lon, **self._zone(parsed.lat, parsed.lon),
                     "confidence": 1.0, "match": parsed.format, "matched_text": text,
                     "precision_m": parsed.accuracy_m or 0, "source": "coordinates"}]
        analysis = self.gazetteer.analyse(text, typing=typing)
        if not analysis.matches:
            return []
        zones_named = [m for m in analysis.matches if m.place.kind in ("kelurahan", "kecamatan") and m.how != "prefix"]
        unexplained = bool(analysis.unexplained())
        roads_named = {m.place.name for m in analysis.matches if m.how != "prefix" and m.place.kind == "road"}
        unknown = unknown_named(analysis)
        sharing = {}
        for m in analysis.matches:
            if m.how == "exact":
                sharing.setdefault((m.start, m.end, m.place.kind), set()).add(m.place.name)
        out, contradicted = {}, {}
        for match in analysis.matches:
            place = match.place
            if short_typo(match):
                continue
            confidence = _BASE_CONFIDENCE[SPECIFICITY[place.kind]]
            if match.how == "typo":
                confidence -= _TYPO_PENALTY * match.distance
            elif match.how == "prefix":
                # The fewer letters still to type, the likelier: "RS Anto" is Antonius before Anton Soedjarwo.
                confidence = confidence * _PREFIX_FACTOR - 0.002 * min(match.distance, 20)
            if analysis.relations:
                confidence *= _RELATION_FACTOR
            if unexplained and SPECIFICITY[place.kind] < 3:
                confidence *= 0.95
            notes = []
            number = _number_after(analysis.tokens, match)
            if number is not None and number not in _numbers(place):
                # "Jembatan Kapuas II" is not Jembatan Kapuas I. A number after a plain road name is
                # a house number ("Jl. Siam 153"); after a numbered road or any other place it is not.
                if place.kind != "road" or _numbers(place):
                    confidence *= _NUMBER_CONFLICT_FACTOR
                    notes.append(f"{number} does not match {place.name}")
            namesakes = len(sharing.get((match.start, match.end, place.kind), ())) if match.how == "exact" else 0
            if namesakes > 1:
                confidence *= _AMBIGUOUS_FACTOR   # the namesakes come back side by side: the operator picks
            if place.kind == "gang" and place.street:
                if place.street in roads_named or street_words_in(analysis, place.street):
                    confidence = max(confidence, _GANG_ON_STREET)
                elif roads_named:
                    # "Gg. Merak, Jl. Ahmad Yani": this Gg. Merak leaves from another street.
                    confidence *= _CONFLICT_FACTOR
                    notes.append(f"{place.name} leaves from {place.street}, not {sorted(roads_named)[0]}")
            lat, lon, precision = place.lat, place.lon, place.precision_m
            context = [z.place for z in zones_named if z.place is not place]
            road_zone = road_note = None
            near = [m.place for m in analysis.matches if m.how != "prefix" and m.place is not place
                    and (SPECIFICITY[m.place.kind] > SPECIFICITY["road"]
                         or (m.place.kind == "gang" and m.place.street == place.name))]
            if place.kind == "road" and near and len(place.points) > 1:
                # "Jl. Tanjungpura depan Pasar Flamboyan": the known point of the road nearest the place.
                pts = np.array(place.points)
                i = int(np.argmin(haversine_m(pts[:, 0], pts[:, 1], near[0].lat, near[0].lon)))
                lat, lon = float(pts[i, 0]), float(pts[i, 1])
            elif place.kind == "road" and context and len(place.points) > 1:
                # "Jl. Ahmad Yani, Bansir Laut": on the road, inside that kelurahan.
                road_zone = max(context, key=lambda p: SPECIFICITY[p.kind])
                lat, lon, precision, road_note = self._road_in(place, road_zone)
                if road_note and match.how != "prefix":
                    contradicted.setdefault(road_zone.name, []).append(road_note)
            zone = self._zone(lat, lon)
            for other in context:
                if SPECIFICITY[other.kind] >= SPECIFICITY[place.kind]:
                    continue
                if zone.get(other.kind) == other.name:
                    confidence = min(0.98, confidence + 0.04)
                    continue
                # Zone borders may be coarse (hundreds of metres off): only a place well outside the
                # zone named with it is a contradiction ("Masjid Raya Mujahidin, Siantan Hulu").
                away = self.zones.distance_to(other.kind, other.name, lat, lon) if self.zones else None
                if away is not None and away > _CONFLICT_M:
                    confidence *= _CONFLICT_FACTOR
                    notes.append(road_note if other is road_zone and road_note else
                                 f"{_km(away)} km from {other.kind} {other.name}")
            candidate = {
                "name": place.name, "kind": place.kind, "lat": lat, "lon": lon, **zone,
                "confidence": round(max(0.05, min(confidence, 0.98)), 2),
                "match": match.how, "matched_text": match.text, "precision_m": precision,
                "source": "gazetteer",
            }
            if notes:
                candidate["notes"] = notes
            if unknown and SPECIFICITY[place.kind] <= SPECIFICITY["road"]:
                # "Gg. Mawar, Jl. Gajah Mada", "simpang Jl. Ahmad Yani - Jl. Sutoyo": the street (or the
                # kelurahan) is known, the gang, street or place named with it is not: there, saying so.
                candidate["unmatched"] = unknown
            best = out.get(place.name)
            if best is None or candidate["confidence"] > best["confidence"]:
                out[place.name] = candidate
        for name, notes in contradicted.items():
            # "Jl. Ahmad Yani, Siantan Hulu": the kelurahan is not sure either when the road is elsewhere.
            if name in out:
                out[name]["notes"] = out[name].get("notes", []) + notes
        crossing = self._crossing(analysis)
        if crossing is not None:
            out[crossing["name"]] = crossing
        return sorted(out.values(), key=lambda c: (-c["confidence"], -SPECIFICITY[c["kind"]], c["name"]))

    def _road_in(self, place, zone):
        """A road named with a kelurahan (or kecamatan) ``zone``: (lat, lon, precision_m, note). The middle
        of the road's stretch in the zone, as precise as that stretch is long; just outside the zone
        (its borders may be hundreds of metres off) the road's point nearest it; a road that does not
        come near the zone stays where it is, with a note saying so. Without zones: the road's known
        point nearest the zone's centre."""
        stretch = self.zones.along(zone.kind, zone.name, place.lines or (place.points,)) if self.zones else None
        if stretch is None:
            pts = np.array(place.points)
            i = int(np.argmin(haversine_m(pts[:, 0], pts[:, 1], zone.lat, zone.lon)))
            return float(pts[i, 0]), float(pts[i, 1]), place.precision_m, None
        if stretch.inside:
            return stretch.lat, stretch.lon, max(50, round(stretch.spread_m)), None
        if stretch.distance_m <= _CONFLICT_M:
            return stretch.lat, stretch.lon, place.precision_m, None
        return (place.lat, place.lon, place.precision_m,
                f"{place.name} does not pass through {zone.kind} {zone.name} ({_km(stretch.distance_m)} km away)")

    def _crossing(self, analysis):
        """Two streets named together ("simpang Jl. Ahmad Yani - Jl. Sutoyo"): where they meet, or the
        middle of their nearest points, as precise as they are apart."""
        roads = []
        for m in analysis.matches:
            if (m.how != "prefix" and not short_typo(m) and m.place.kind == "road" and len(m.place.points) > 1
                    and m.place not in roads):
                roads.append(m.place)
        if len(roads) < 2:
            return None
        a, b = np.array(roads[0].points), np.array(roads[1].points)
        d = haversine_m(a[:, None, 0], a[:, None, 1], b[None, :, 0], b[None, :, 1])
        i, j = np.unravel_index(int(np.argmin(d)), d.shape)
        lat, lon = float((a[i, 0] + b[j, 0]) / 2), float((a[i, 1] + b[j, 1]) / 2)
        return {"name": f"Simpang {roads[0].name} – {roads[1].name}", "kind": "road", "lat": lat, "lon": lon,
                **self._zone(lat, lon), "confidence": 0.9, "match": "exact", "matched_text": None,
                "precision_m": round(max(50.0, float(d[i, j]) / 2 + 30)), "source": "gazetteer"}

    def _zone(self, lat, lon):
        zones = self.zones
        if zones is None:
            return {"kelurahan": None, "kecamatan": None, "outside_service_area": None}
        match = zones.lookup(lat, lon)
        return {"kelurahan": match.kelurahan, "kecamatan": match.kecamatan,
                "outside_service_area": match.outside_service_area}

    @staticmethod
    def _location(candidate):
        label = candidate["name"]
        parts = [p for p in (candidate.get("kelurahan"), candidate.get("kecamatan")) if p and p != label]
        return Location(", ".join([label] + parts), (candidate["lat"], candidate["lon"]), candidate)


class FallbackGeocoder(Geocoder):
    """A geocoding server first (e.g. geopy's Nominatim), the offline geocoder when it fails."""

    def __init__(self, server, offline, *, server_options=None, max_outside_m=10_000, pause_after_failure_s=30.0,
                 clock=time.monotonic):
        super().__init__()
        self.server = server
        self.offline = offline
        # Passed to the server's geocode(), e.g. Nominatim's viewbox/bounded/country_codes.
        self.server_options = dict(server_options or {})
        # Answers further than this outside the service area are another city's streets.
        self.max_outside_m = max_outside_m
        self._backoff = PauseAfterFailure(pause_after_failure_s, clock=clock)

    @property
    def gazetteer(self):
        return self.offline.gazetteer

    def geocode(self, query, *, exactly_one=True, limit=None, typing=False):
        return _answer(self.candidates(query, typing=typing), exactly_one, limit)

    def candidates(self, query, *, typing=False):
        text = (query or "").strip()
        if not text or parse_coordinates(text) is not None or typing or self._backoff.paused:
            # Coordinates are read locally; search-as-you-type must answer at once.
            return self.offline.candidates(text, typing=typing)
        offline = self.offline.candidates(text)
        if offline and _sure(offline[0]):
            # "RS Antonius" is known here for certain: no server can do better.
            return offline
        try:
            answers = self.server.geocode(text, exactly_one=False, limit=5, **self.server_options) or []
        except (GeopyError, ValueError, TypeError, AttributeError, KeyError) as exc:
            # Down, slow, or an answer geopy cannot read (a "nan" or out-of-range latitude is a ValueError).
            log.warning("geocoding server failed (%s); offline geocoder used for a while", exc)
            self._backoff.failed()
            return offline
        found = []
        for location in answers:
            if not (_finite(location.latitude) and _finite(location.longitude)):
                continue  # an answer without a usable point is no answer
            zone = self.offline._zone(location.latitude, location.longitude)
            zones = self.offline.zones
            if zones is not None and zone["outside_service_area"]:
                _, away = zones.nearest_kecamatan(location.latitude, location.longitude)
                if away > self.max_outside_m:
                    continue  # a "Jalan Merdeka" in another city
            importance = (location.raw or {}).get("importance")
            confidence = 0.6 if not _finite(importance) else round(0.4 + 0.5 * min(max(importance, 0), 1), 2)
            found.append({"name": location.address, "kind": "server", "lat": location.latitude,
                          "lon": location.longitude, **zone, "confidence": confidence, "match": "server",
                          "matched_text": text, "precision_m": None, "source": type(self.server).__name__.lower()})
        return sorted(found + offline, key=lambda c: -c["confidence"])

    def reverse(self, query, *, exactly_one=True, **kwargs):
        return self.offline.reverse(query, exactly_one=exactly_one, **kwargs)


def _sure(candidate):
    """An exact match of a specific place, uncontradicted: nothing to ask a server about."""
    return (candidate["match"] == "exact" and SPECIFICITY.get(candidate["kind"], 0) >= 3
            and candidate["confidence"] >= 0.85 and not candidate.get("notes"))


def _finite(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _answer(candidates, exactly_one, limit):
    """geopy's answer shape: the best Location (or None), or a list of at most ``limit``."""
    locations = [OfflineGeocoder._location(c) for c in candidates[:limit]]
    if exactly_one:
        return locations[0] if locations else None
    return locations


def _number_after(tokens, match):
    """The number written right after a matched name, if any."""
    if match.how == "prefix" or match.end >= len(tokens):
        return None
    following = tokens[match.end]
    return following if following.isdigit() else None


def _km(metres):
    return f"{round(metres / 100) / 10:g}"


def _numbers(place):
    return {t for t in text_tokens(place.name) if t.isdigit()}


def _zone_label(zone):
    parts = []
    if zone.get("kelurahan"):
        parts.append(f"Kel. {zone['kelurahan']}")
    if zone.get("kecamatan"):
        parts.append(("dekat " if zone.get("outside_service_area") else "") + f"Kec. {zone['kecamatan']}")
    return ", ".join(parts) or "di luar wilayah layanan"


def _latlon(query):
    if isinstance(query, Location):
        return query.latitude, query.longitude
    if hasattr(query, "latitude"):
        return float(query.latitude), float(query.longitude)
    lat, lon = query
    return float(lat), float(lon)
