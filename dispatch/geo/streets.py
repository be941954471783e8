"""The project's street index (``dispatch/data/streets.json``, built by ``dispatch/data/make_streets.py``).

Streets have lines (polylines of [lat, lon] along the road graph), everyday spellings and
the kelurahan they run through; landmarks, schools, gangs and puskesmas are points. This
module reads them and answers the geometry the geocoder asks: the middle of a street, the
point of a street nearest a place, the part of a street inside a kelurahan, where two
streets meet. Distances are in metres on a flat local plane (Pontianak is on the equator;
over a few kilometres the error is far below a metre).
"""
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString

from .distance import METRES_PER_DEGREE
from .gazetteer import Place

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "streets.json"
MIN_PRECISION_M = 50.0


@dataclass(frozen=True, eq=False)
class Street:
    name: str
    aliases: tuple
    kelurahan: tuple
    kecamatan: tuple
    lines: tuple            # numpy arrays (n, 2) of lat, lon
    length_m: float

    @property
    def precision_m(self):
        return max(MIN_PRECISION_M, round(self.length_m / 2))

    @property
    def vertices(self):
        return np.vstack(self.lines)

    def middle(self, points=None):
        """The point halfway along the street (or along ``points``, a part of it kept in order)."""
        lines = self.lines if points is None else [points]
        total = sum(_length(line) for line in lines)
        half = total / 2
        for line in lines:
            xy = _xy(line)
            steps = np.hypot(*(xy[1:] - xy[:-1]).T)
            if half <= steps.sum() or line is lines[-1]:
                done = np.concatenate([[0.0], np.cumsum(steps)])
                i = int(np.clip(np.searchsorted(done, half) - 1, 0, max(len(steps) - 1, 0)))
                if not len(steps) or steps[i] == 0:
                    return float(line[i][0]), float(line[i][1])
                t = min(max((half - done[i]) / steps[i], 0.0), 1.0)
                p = line[i] + t * (line[i + 1] - line[i])
                return float(p[0]), float(p[1])
            half -= steps.sum()
        return float(self.lines[0][0][0]), float(self.lines[0][0][1])

    def within(self, polygon):
        """The middle of the street's part inside a shapely polygon (lon, lat), or None."""
        part = shapely.intersection(shapely.MultiLineString(
            [LineString([(lon, lat) for lat, lon in line]) for line in self.lines]), polygon)
        if part.is_empty or part.length == 0:
            return None
        point = part.interpolate(0.5, normalized=True) if part.geom_type == "LineString" else \
            max(part.geoms, key=lambda g: g.length).interpolate(0.5, normalized=True)
        return float(point.y), float(point.x)


class StreetIndex:
    def __init__(self, data):
        self.data = data
        self.streets = [
            Street(name=s["name"], aliases=tuple(s.get("aliases", ())), kelurahan=tuple(s.get("kelurahan", ())),
                   kecamatan=tuple(s.get("kecamatan", ())), lines=tuple(np.array(line, dtype=float)
                                                                      for line in s["lines"]),
                   length_m=float(s["length_m"]) if "length_m" in s
                   else sum(_length(np.array(line, dtype=float)) for line in s["lines"]))
            for s in data.get("streets", ()) if s.get("lines")
        ]
        self._by_name = {s.name: s for s in self.streets}

    @classmethod
    def load(cls, path=SHIPPED):
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def street(self, name):
        return self._by_name.get(name)


    def places(self):
        """The index as gazetteer places: streets (at their middle), landmarks, schools, gangs (with their
        street), puskesmas."""
        out = []
        for s in self.streets:
            lat, lon = s.middle()
            points = tuple((float(a), float(b)) for a, b in s.vertices[::max(1, len(s.vertices) // 200)])
            lines = tuple(tuple((float(a), float(b)) for a, b in line) for line in s.lines if len(line) > 1)
            out.append(Place(name=s.name, kind="road", lat=lat, lon=lon, aliases=s.aliases,
                             kecamatan=s.kecamatan[0] if s.kecamatan else None, precision_m=s.precision_m,
                             source="streets.json", points=points, lines=lines))
        for kind, key in (("landmark", "landmarks"), ("school", "schools"), ("gang", "gangs"),
                          ("puskesmas", "puskesmas")):
            for p in self.data.get(key, ()):
                precision = p.get("precision_m", 100)
                out.append(Place(name=p["name"], kind=kind, lat=float(p["lat"]), lon=float(p["lon"]),
                                 aliases=tuple(p.get("aliases", ())), kecamatan=p.get("kecamatan"),
                                 precision_m=float(precision), source=p.get("source", "streets.json"),
                                 street=p.get("street")))
        return out


def merged_places(gazetteer_places, index):
    """The gazetteer's places and the street index's, a gazetteer road giving way to its street."""
    replaced = {name for s in index.data.get("streets", ()) for name in s.get("replaces", ())}
    kept = [p for p in gazetteer_places if not (p.kind == "road" and p.name in replaced)]
    names = {p.name for p in kept}
    return kept + [p for p in index.places() if p.name not in names]


def _xy(latlon):
    latlon = np.asarray(latlon, dtype=float)
    return np.column_stack([latlon[:, 1] * METRES_PER_DEGREE, latlon[:, 0] * METRES_PER_DEGREE])


def _length(line):
    xy = _xy(line)
    return float(np.hypot(*(xy[1:] - xy[:-1]).T).sum())
