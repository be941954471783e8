"""The street layer a map draws when it has no tile server: compact vector data of the project's own.

Built once per process from the road graph (``roads.json``), the street index
(``streets.json``, when there is one) or else the gazetteer's named roads, the zones and the
bridges; a map page draws it on a canvas (``static/js/roadlayer.js``). Coordinates are rounded to
5 decimals (about 1 m) and each line is one flat array ``[lat, lon, lat, lon, ...]``; consecutive
edges of one class are chained into longer lines, so the whole city is a few thousand numbers
arrays, not a GeoJSON document.
"""
from collections import defaultdict

import numpy as np

# Drawn from the top of this list down: the classes a map shows, and from which zoom (lanes only close).
CLASS_MIN_ZOOM = {"arteri": 0, "kolektor": 0, "lokal": 13, "lain": 15, "connector": 15, "bridge": 0}
DIGITS = 5


def _flat(points):
    out = []
    for lat, lon in points:
        pair = [round(float(lat), DIGITS), round(float(lon), DIGITS)]
        if out[-2:] != pair:
            out += pair
    return out


def chain_edges(edges):
    """Edges (u, v, points) of one class joined end to end where a node has exactly two of them."""
    at = defaultdict(list)
    for i, (u, v, _) in enumerate(edges):
        at[u].append(i)
        at[v].append(i)
    used = [False] * len(edges)
    lines = []

    def walk(node, i, points):
        # Carry on through nodes where the chain can only go one way.
        while True:
            used[i] = True
            u, v, shape = edges[i]
            step = shape if u == node else shape[::-1]
            points += step[1:] if points else step
            node = v if u == node else u
            nxt = [j for j in at[node] if not used[j]]
            if len(at[node]) != 2 or not nxt:
                return points
            i = nxt[0]

    for i, (u, v, _) in enumerate(edges):
        if used[i]:
            continue
        start = u if len(at[u]) != 2 else v if len(at[v]) != 2 else u
        lines.append(walk(start, i, []))
    return lines


def road_lines(roads):
    """``{class: [flat line, ...]}`` from the road graph's data (roads.json)."""
    nodes = roads["nodes"]
    by_class = defaultdict(list)
    for u, v, cls, _metres, interior in roads["edges"]:
        if u == v and not interior:
            continue
        by_class[cls].append((u, v, [nodes[u], *interior, nodes[v]]))
    return {cls: [_flat(line) for line in chain_edges(edges)] for cls, edges in sorted(by_class.items())}


def street_names(streets=None, gazetteer_roads=()):
    """Named streets with their lines: from the street index when there is one (its ``streets``
    with ``lines``), else the gazetteer's roads (their known points)."""
    if streets:
        return [{"name": s["name"], "lines": [_flat(line) for line in s["lines"] if len(line) > 1]}
                for s in streets.get("streets", []) if s.get("lines")]
    return [{"name": p.name, "lines": [_flat(p.points)]} for p in gazetteer_roads if len(p.points) > 1]


def zone_labels(zones):
    """Where each kecamatan and kelurahan name goes: a point inside it."""
    out = []
    for zone in list(zones.kecamatan) + list(zones.kelurahan):
        point = zone.geometry.representative_point()
        out.append({"name": zone.name, "kind": zone.kind, "lat": round(point.y, DIGITS), "lon": round(point.x, DIGITS)})
    return out


def bridges(roads):
    nodes = roads["nodes"]
    out = []
    for b in roads.get("bridges", []):
        u, v, _cls, metres, interior = roads["edges"][b["edge"]]
        out.append({"name": b["name"], "metres": round(float(metres)), "line": _flat([nodes[u], *interior, nodes[v]])})
    return out


def build_layer(roads, *, zones, streets=None, gazetteer_roads=(), places=()):
    """The layer as one JSON-ready dict (places: ``[{"name", "kind", "lat", "lon"}]``, e.g. the
    hospitals and puskesmas, labelled on the map)."""
    lines = road_lines(roads)
    return {
        "classes": [{"code": cls, "min_zoom": CLASS_MIN_ZOOM.get(cls, 15), "lines": lines[cls]}
                    for cls in CLASS_MIN_ZOOM if cls in lines],
        "streets": street_names(streets, gazetteer_roads),
        "bridges": bridges(roads),
        "zones": zone_labels(zones),
        "places": [{"name": p["name"], "kind": p["kind"], "lat": round(float(p["lat"]), DIGITS),
                    "lon": round(float(p["lon"]), DIGITS)} for p in places],
        "bounds": _bounds(roads["nodes"]),
    }


def _bounds(nodes):
    arr = np.asarray(nodes, dtype=float)
    (s, w), (n, e) = arr.min(axis=0), arr.max(axis=0)
    return [[round(float(s), DIGITS), round(float(w), DIGITS)], [round(float(n), DIGITS), round(float(e), DIGITS)]]
