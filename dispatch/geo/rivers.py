"""Pontianak's rivers, the banks they make, and the bridges between them.

The Kapuas and the Landak split the city into three banks. Each bank is a polygon
made by splitting a wide box with the river lines (extended past the city limit in
the direction of their last reach), so any point in the region falls on one bank.
A road trip between banks crosses the bridges on the shortest chain of banks
between them; :meth:`RiverNetwork.bridges_between` gives that chain.
"""
import json
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, Point, box
from shapely.ops import split

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "rivers.json"
_REGION = box(108.8, -0.6, 110.0, 0.6)  # well beyond Kota Pontianak and its neighbours
_EXTEND_DEG = 2.0
# The lookup grid: Kota Pontianak and its neighbours (minx, miny, maxx, maxy, cell size in degrees).
_GRID = (109.15, -0.25, 109.55, 0.15, 0.0005)


@dataclass(frozen=True)
class Bridge:
    name: str
    ends: dict          # bank code -> (lat, lon) of the end on that bank
    length_m: float


@dataclass(frozen=True)
class Bank:
    code: str
    label: dict         # {"id": ..., "en": ...}
    polygon: object


class RiverNetwork:
    def __init__(self, data):
        self.rivers = {r["name"]: LineString([(lon, lat) for lat, lon in r["line"]]) for r in data["rivers"]}
        (kapuas_name, kapuas), (landak_name, landak) = list(self.rivers.items())[:2]
        probes = {b["code"]: Point(b["probe"][1], b["probe"][0]) for b in data["banks"]}
        codes = [b["code"] for b in data["banks"]]
        kapuas_cut = _extended(kapuas, both=True)
        south_west, north_east = _halves(_REGION, kapuas_cut, probes[codes[0]])
        # The Landak leaves the Kapuas at the confluence: push its west end a little into the
        # Kapuas so it cuts the north-east half cleanly, and run its east end out of the region.
        landak_cut = _extended(LineString(list(landak.coords)[::-1]), both=True, start_deg=0.002)
        timur, utara = _halves(north_east, landak_cut, probes[codes[1]])
        # The lines that divide the banks, for straight_crossings: the rivers run on past the city
        # limit, so a straight line between two banks crosses one even where it passes beyond the
        # end of a drawn centreline (Paritmayor - Bangkabelitung). The Landak's stub past the
        # confluence lies on the south-west bank and divides nothing: it is clipped off.
        self._dividers = {**self.rivers, kapuas_name: kapuas_cut, landak_name: landak_cut.intersection(north_east)}
        labels = {b["code"]: {"id": b["id"], "en": b["en"]} for b in data["banks"]}
        self.banks = [Bank(code, labels[code], poly) for code, poly in zip(codes, (south_west, timur, utara))]
        for bank in self.banks:
            shapely.prepare(bank.polygon)
        self.bridges = [
            Bridge(b["name"], dict(zip(b["joins"], (tuple(e) for e in b["ends"]))), float(b["length_m"]))
            for b in data["bridges"]
        ]
        self._paths = self._all_paths()
        self._cells = None
        self._river_union = shapely.union_all(list(self._dividers.values()))
        shapely.prepare(self._river_union)

    def to_geojson(self):
        """The rivers (lines) and the bridges (a line from end to end) as a FeatureCollection."""
        features = [{"type": "Feature", "properties": {"kind": "river", "name": name},
                     "geometry": shapely.geometry.mapping(line)} for name, line in self.rivers.items()]
        features += [{"type": "Feature", "properties": {"kind": "bridge", "name": b.name, "length_m": b.length_m},
                      "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in b.ends.values()]}}
                     for b in self.bridges]
        return {"type": "FeatureCollection", "features": features}

    @classmethod
    def shipped(cls):
        return cls(json.loads(SHIPPED.read_text(encoding="utf-8")))

    def bank_of_many(self, lats, lons):
        """Index into ``self.banks`` for each point; -1 outside the modelled region.

        Looked up in a grid of cells about 55 m across, made once; the polygons are tested
        only for points in a cell a river runs through, or outside the grid, so the answer
        is exactly the polygons' at a fraction of the cost.
        """
        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        grid = self._grid()
        col = np.floor((lons - _GRID[0]) / _GRID[4])
        row = np.floor((lats - _GRID[1]) / _GRID[4])
        on_grid = (col >= 0) & (col < grid.shape[1]) & (row >= 0) & (row < grid.shape[0])
        out = np.full(lats.shape, -2, dtype=np.int8)
        out[on_grid] = grid[row[on_grid].astype(np.intp), col[on_grid].astype(np.intp)]
        exact = np.flatnonzero(out == -2)
        if exact.size:
            out[exact] = self._bank_exact(lats[exact], lons[exact])
        return out

    def _bank_exact(self, lats, lons):
        out = np.full(lats.shape, -1, dtype=np.int8)
        for i, bank in enumerate(self.banks):
            # intersects: a point on a river line belongs to the first bank that has it.
            todo = np.flatnonzero(out < 0)
            out[todo[shapely.intersects_xy(bank.polygon, lons[todo], lats[todo])]] = i
        return out

    def _grid(self):
        """Bank of each grid cell whose four corners agree; -2 where they do not (a river)."""
        if self._cells is None:
            minx, miny, maxx, maxy, step = _GRID
            xs = np.arange(minx, maxx + step / 2, step)
            ys = np.arange(miny, maxy + step / 2, step)
            gx, gy = np.meshgrid(xs, ys)
            corners = self._bank_exact(gy.ravel(), gx.ravel()).reshape(gy.shape)
            cells = corners[:-1, :-1].copy()
            mixed = ((cells != corners[1:, :-1]) | (cells != corners[:-1, 1:]) | (cells != corners[1:, 1:])
                     | (cells < 0))
            cells[mixed] = -2
            self._cells = cells
        return self._cells

    def bank_of(self, lat, lon):
        return int(self.bank_of_many(np.array([lat]), np.array([lon]))[0])

    def bridges_between(self, bank_a, bank_b):
        """The bridges, in order, on the road from bank ``bank_a`` to bank ``bank_b`` (indexes)."""
        return self._paths.get((bank_a, bank_b), ())

    def straight_crossings(self, lat1, lon1, lat2, lon2):
        """Names of the rivers a straight line between two points crosses (it is not a road).

        The rivers are taken as the lines that divide the banks, so two points on different banks
        always give at least one river."""
        segment = LineString([(lon1, lat1), (lon2, lat2)])
        if not self._river_union.intersects(segment):
            return []
        return [name for name, line in self._dividers.items() if line.intersects(segment)]

    def _all_paths(self):
        """Breadth-first search over banks joined by bridges: the fewest crossings between each pair."""
        codes = [b.code for b in self.banks]
        links = {c: [] for c in codes}
        for bridge in self.bridges:
            a, b = bridge.ends
            links[a].append((b, bridge))
            links[b].append((a, bridge))
        paths = {}
        for start in codes:
            seen = {start: ()}
            queue = deque([start])
            while queue:
                here = queue.popleft()
                for there, bridge in links[here]:
                    if there not in seen:
                        seen[there] = seen[here] + ((bridge, here, there),)
                        queue.append(there)
            for end, path in seen.items():
                paths[(codes.index(start), codes.index(end))] = path
        return paths


def _extended(line, *, both, start_deg=_EXTEND_DEG):
    """The line, run on past its ends in the direction of its first and last reach."""
    pts = [np.array(p) for p in line.coords]

    def beyond(a, b, deg):  # from b, away from a
        d = b - a
        return tuple(b + d / np.hypot(*d) * deg)

    head = [beyond(pts[1], pts[0], start_deg)] if both else []
    return LineString(head + [tuple(p) for p in pts] + [beyond(pts[-2], pts[-1], _EXTEND_DEG)])


def _halves(polygon, line, probe):
    parts = list(split(polygon, line).geoms)
    if len(parts) < 2:
        raise ValueError("a river line does not cut the region in two")
    parts.sort(key=lambda p: p.area, reverse=True)
    first, second = parts[0], shapely.union_all(parts[1:])
    return (first, second) if first.contains(probe) else (second, first)
