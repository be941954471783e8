"""Kelurahan and kecamatan from polygons: which zone a point lies in.

A :class:`ZoneIndex` is built from a GeoJSON FeatureCollection (the project's own
coarse polygons in ``dispatch/data/zones.geojson``, or official boundaries imported
with ``flask --app wsgi zones import FILE.geojson``). Lookups of many points at once
are vectorised with shapely's ``intersects_xy`` on prepared polygons, after a
bounding-box filter in numpy.

A point outside every kecamatan is outside the service area; it is still given the
nearest kecamatan and its distance, so an incident just over the city limit is
served, flagged.

:meth:`ZoneIndex.along` answers where a road runs in a zone ("Jl. Ahmad Yani, Bansir Laut"):
the middle of its stretch inside, or, for a road that does not enter it, its point nearest
the zone and how far that is. Each answer is kept with the index (roads and zones never
change under it), so a road named with a kelurahan costs one dict lookup after the first time.
"""
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Point, shape
from shapely.ops import nearest_points, unary_union

from .distance import METRES_PER_DEGREE

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "zones.geojson"
ZONE_KINDS = ("kelurahan", "kecamatan")


class ZoneDataError(ValueError):
    """A zone file that cannot be used; the message names the feature and the problem."""


@dataclass(frozen=True)
class Zone:
    name: str
    kind: str
    code: str | None
    kecamatan: str | None  # the parent kecamatan of a kelurahan
    geometry: object


@dataclass(frozen=True)
class ZoneMatch:
    kelurahan: str | None
    kecamatan: str | None
    inside: bool
    # For a point outside the service area: the nearest kecamatan, and how far it is.
    distance_m: float = 0.0

    @property
    def outside_service_area(self):
        return not self.inside


@dataclass(frozen=True)
class Stretch:
    """Where a road runs in a zone: ``inside``, the middle of its longest part in the zone and
    ``spread_m``, the farthest that part (or any other part in the zone) reaches from that point;
    else its point nearest the zone and ``distance_m``, how far the zone is from it."""
    lat: float
    lon: float
    inside: bool
    spread_m: float = 0.0
    distance_m: float = 0.0


class ZoneIndex:
    def __init__(self, kelurahan, kecamatan, *, source):
        if not kecamatan:
            raise ZoneDataError("no kecamatan polygons")
        self.kelurahan = list(kelurahan)
        self.kecamatan = list(kecamatan)
        self.source = source
        for zone in self.kelurahan + self.kecamatan:
            shapely.prepare(zone.geometry)
        self.service_area = unary_union([z.geometry for z in self.kecamatan])
        shapely.prepare(self.service_area)
        self._kel_bounds = _bounds(self.kelurahan)
        self._kec_bounds = _bounds(self.kecamatan)
        self._by_name = {(z.kind, z.name): z for z in self.kelurahan + self.kecamatan}
        self._stretches = {}

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def shipped(cls):
        return cls.from_geojson(json.loads(SHIPPED.read_text(encoding="utf-8")), source="shipped")

    @classmethod
    def from_geojson(cls, data, *, source):
        """Validate a FeatureCollection of kelurahan/kecamatan polygons and index it.

        Kecamatan missing from the file are dissolved from their kelurahan (which then
        must name their ``kecamatan``). A ``kota`` feature is ignored: the service area is
        the union of the kecamatan.
        """
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
            raise ZoneDataError("not a GeoJSON FeatureCollection")
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise ZoneDataError("the FeatureCollection has no features")
        kel, kec = [], []
        for n, feature in enumerate(features, 1):
            zone = _zone(feature, n)
            if zone is not None:
                (kel if zone.kind == "kelurahan" else kec).append(zone)
        _unique(kel, "kelurahan")
        _unique(kec, "kecamatan")
        by_code = {z.code: z.name for z in kec if z.code}
        fixed = []
        for z in kel:
            parent = z.kecamatan or by_code.get(z.code.rsplit(".", 1)[0] if z.code else None)
            if parent is None and kec:
                parent = max(kec, key=lambda k: k.geometry.intersection(z.geometry).area).name
            if parent is None:
                raise ZoneDataError(f"kelurahan '{z.name}' names no kecamatan (property 'kecamatan')")
            if kec and parent not in {k.name for k in kec}:
                raise ZoneDataError(f"kelurahan '{z.name}' names kecamatan '{parent}', which is not in the file")
            fixed.append(Zone(z.name, z.kind, z.code, parent, z.geometry))
        kel = fixed
        if not kec:
            groups = {}
            for z in kel:
                groups.setdefault(z.kecamatan, []).append(z.geometry)
            kec = [Zone(name, "kecamatan", None, None, unary_union(geoms)) for name, geoms in sorted(groups.items())]
        return cls(kel, kec, source=source)

    # -- lookups ----------------------------------------------------------------------------
    def lookup(self, lat, lon):
        """The zones of one point (a plain loop: cheaper than arrays for one point)."""
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return ZoneMatch(None, None, False, math.inf)
        kec = _first(self.kecamatan, self._kec_bounds, lon, lat)
        if kec is None:
            nearest, metres = self.nearest_kecamatan(lat, lon)
            return ZoneMatch(None, nearest, False, metres)
        kel = _first(self.kelurahan, self._kel_bounds, lon, lat)
        return ZoneMatch(kel.name if kel else None, kec.name, True)

    def lookup_many(self, lats, lons):
        """Indexes into ``self.kelurahan`` and ``self.kecamatan`` for each point; -1 where none."""
        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        return (_locate(self.kelurahan, self._kel_bounds, lons, lats),
                _locate(self.kecamatan, self._kec_bounds, lons, lats))

    def nearest_kecamatan(self, lat, lon):
        point = Point(lon, lat)
        best = min(self.kecamatan, key=lambda z: z.geometry.distance(point))
        return best.name, best.geometry.distance(point) * METRES_PER_DEGREE

    def kecamatan_of(self, kelurahan_name):
        return next((z.kecamatan for z in self.kelurahan if z.name == kelurahan_name), None)

    def distance_to(self, kind, name, lat, lon):
        """Metres from a point to the zone of that kind and name (0 inside); None: no such zone."""
        zone = self._by_name.get((kind, name))
        if zone is None:
            return None
        return zone.geometry.distance(Point(lon, lat)) * METRES_PER_DEGREE

    def along(self, kind, name, lines):
        """Where a road (``lines``: tuples of (lat, lon)) runs in the zone of that kind and name, as a
        :class:`Stretch`; None when there is no such zone or no line."""
        key = (kind, name, lines)
        if key not in self._stretches:
            self._stretches[key] = self._stretch(self._by_name.get((kind, name)), lines)
        return self._stretches[key]

    @staticmethod
    def _stretch(zone, lines):
        lines = [[(lon, lat) for lat, lon in line] for line in lines if len(line) > 1]
        if zone is None or not lines:
            return None
        road = shapely.MultiLineString(lines)
        part = shapely.intersection(road, zone.geometry)
        pieces = [g for g in getattr(part, "geoms", [part]) if g.geom_type == "LineString" and g.length > 0]
        if not pieces:
            near, other = nearest_points(road, zone.geometry)
            return Stretch(near.y, near.x, False, distance_m=near.distance(other) * METRES_PER_DEGREE)
        middle = max(pieces, key=lambda g: g.length).interpolate(0.5, normalized=True)
        ends = np.vstack([shapely.get_coordinates(g) for g in pieces])
        spread = float(np.hypot(ends[:, 0] - middle.x, ends[:, 1] - middle.y).max()) * METRES_PER_DEGREE
        return Stretch(middle.y, middle.x, True, spread_m=spread)

    def to_geojson(self):
        """The zones as a FeatureCollection (for maps)."""
        return {
            "type": "FeatureCollection",
            "source": self.source,
            "features": [
                {"type": "Feature",
                 "properties": {"name": z.name, "kind": z.kind, "code": z.code,
                                **({"kecamatan": z.kecamatan} if z.kind == "kelurahan" else {})},
                 "geometry": shapely.geometry.mapping(z.geometry)}
                for z in self.kecamatan + self.kelurahan
            ],
        }


def _zone(feature, n):
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ZoneDataError(f"feature {n} is not a GeoJSON Feature")
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise ZoneDataError(f"feature {n}: properties must be an object")
    kind = props.get("kind")
    if kind == "kota":
        return None
    name = props.get("name")
    label = f"feature {n}" + (f" ('{name}')" if isinstance(name, str) else "")
    if kind not in ZONE_KINDS:
        raise ZoneDataError(f"{label}: property 'kind' must be 'kelurahan', 'kecamatan' or 'kota', not {kind!r}")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise ZoneDataError(f"{label}: property 'name' must be a non-empty text of at most 100 characters")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise ZoneDataError(f"{label}: geometry must be a Polygon or MultiPolygon")
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise ZoneDataError(f"{label}: malformed coordinates ({exc})") from None
    coords = shapely.get_coordinates(geom)
    if geom.is_empty or not np.isfinite(coords).all():
        raise ZoneDataError(f"{label}: empty geometry or coordinates that are not numbers")
    if (np.abs(coords[:, 0]) > 180).any() or (np.abs(coords[:, 1]) > 90).any():
        raise ZoneDataError(f"{label}: coordinates out of range (GeoJSON order is [lon, lat])")
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
        geom = unary_union([g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon")])
        if geom.is_empty:
            raise ZoneDataError(f"{label}: the polygon is invalid and cannot be repaired")
    code = props.get("code")
    parent = props.get("kecamatan")
    if code is not None and len(str(code)) > 32:
        raise ZoneDataError(f"{label}: property 'code' is longer than 32 characters")
    if parent is not None and (not isinstance(parent, str) or len(parent) > 100):
        raise ZoneDataError(f"{label}: property 'kecamatan' must be a text of at most 100 characters")
    return Zone(name.strip(), kind, str(code) if code is not None else None,
                parent.strip() if isinstance(parent, str) and parent.strip() else None, geom)


def _unique(zones, kind):
    seen = set()
    for z in zones:
        if z.name in seen:
            raise ZoneDataError(f"{kind} '{z.name}' appears twice")
        seen.add(z.name)


def _bounds(zones):
    return np.array([z.geometry.bounds for z in zones]) if zones else np.empty((0, 4))


def _first(zones, bounds, x, y):
    for zone, (minx, miny, maxx, maxy) in zip(zones, bounds.tolist()):
        if minx <= x <= maxx and miny <= y <= maxy and shapely.intersects_xy(zone.geometry, x, y):
            return zone
    return None


def _locate(zones, bounds, xs, ys):
    found = np.full(xs.shape, -1, dtype=np.int32)
    ok = np.isfinite(xs) & np.isfinite(ys)
    for i, zone in enumerate(zones):
        minx, miny, maxx, maxy = bounds[i]
        candidates = np.flatnonzero(ok & (found < 0) & (xs >= minx) & (xs <= maxx) & (ys >= miny) & (ys <= maxy))
        if candidates.size:
            # intersects, not contains: a point on a border (5-decimal coordinates can land exactly
            # on a shared vertex) belongs to the first zone that has it, not to none of them.
            inside = shapely.intersects_xy(zone.geometry, xs[candidates], ys[candidates])
            found[candidates[inside]] = i
    return found
