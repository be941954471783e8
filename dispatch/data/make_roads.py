"""Build ``dispatch/data/roads.json``, the project's road graph, from the national base map.

    .venv/bin/python -m dispatch.data.make_roads ../shared/data/pontianak

Input: the RBI road centrelines (``roads_rbi.geojson``: Badan Informasi Geospasial, open
with the source named; 935 lines, each with its class) and the project's own bridges
(``dispatch/data/rivers.json``). Output: nodes at junctions and dead ends, edges with
their class, length and shape, and the list of every join the script made, so a reader
can check each one. Two runs give the same bytes.

The steps, and why:
1. A line end within ``SNAP_M`` of another road is moved onto it: the data has T-junctions
   that miss the road by centimetres.
2. A line end that stops short of another road, within ``SHORT_END_M``, is joined to it by a
   short connector (``short_end``): in the field the road meets the other one.
3. All lines are noded together on a 1e-6 degree grid (about 11 cm), so roads that cross
   meet at a node, as in a city without flyovers.
4. The Kapuas I and Landak bridges (missing in the RBI layer: the gaps where the roads
   stop at each bank) are added as edges between the road ends on each bank.
5. Pieces that are still apart are joined at their nearest points, nearest first
   (``gap``), when the gap is at most ``GAP_M`` and the straight join crosses no river.
   Pieces left apart after that are dropped and listed.
"""
import json
import sys
from pathlib import Path

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry import LineString, Point
from shapely.strtree import STRtree

from ..geo.distance import METRES_PER_DEGREE as M_PER_DEG, haversine_m
from ..geo.rivers import RiverNetwork

HERE = Path(__file__).resolve().parent
OUT = HERE / "roads.json"
CLASSES = {"Jalan Arteri": "arteri", "Jalan Kolektor": "kolektor", "Jalan Lokal": "lokal", "Jalan Lain": "lain"}
RANK = {"bridge": 0, "arteri": 1, "kolektor": 2, "lokal": 3, "lain": 4, "connector": 5}
SNAP_M = 1.0
SHORT_END_M = 20.0
GAP_M = 400.0
GRID = 1e-6


def metres(a, b):
    """Metres between two (lon, lat) points."""
    return float(haversine_m(a[1], a[0], b[1], b[0]))


def line_metres(coords):
    return sum(metres(a, b) for a, b in zip(coords, coords[1:]))


def key(p):
    return (round(p[0] / GRID), round(p[1] / GRID))


def load_rbi(folder):
    data = json.loads((Path(folder) / "roads_rbi.geojson").read_text(encoding="utf-8"))
    lines = []
    for feature in data["features"]:
        cls = CLASSES[feature["properties"]["class"]]
        geometry = feature["geometry"]
        parts = geometry["coordinates"] if geometry["type"] == "MultiLineString" else [geometry["coordinates"]]
        for part in parts:
            coords = [tuple(p[:2]) for p in part]
            coords = [p for i, p in enumerate(coords) if i == 0 or p != coords[i - 1]]
            if len(coords) >= 2:
                lines.append([coords, cls])
    return lines


def join_short_ends(lines, joins, rivers):
    """Steps 1 and 2: snap ends that nearly touch, join ends that stop a few metres short."""
    geoms = [LineString(c) for c, _ in lines]
    tree = STRtree(geoms)
    ends = {}
    for coords, _ in lines:
        for p in (coords[0], coords[-1]):
            ends[key(p)] = ends.get(key(p), 0) + 1
    connectors = []
    for i, (coords, _) in enumerate(lines):
        for at in (0, -1):
            p = coords[at]
            if ends[key(p)] > 1:
                continue
            point = Point(p)
            near = [j for j in tree.query(point.buffer(SHORT_END_M / M_PER_DEG * 1.5)) if j != i]
            if not near:
                continue
            # Nearest by metres (degrees are square enough on the equator), ties by index.
            dist, j = min((geoms[j].distance(point) * M_PER_DEG, int(j)) for j in near)
            if dist > SHORT_END_M:
                continue
            target = geoms[j].interpolate(geoms[j].project(point))
            q = (target.x, target.y)
            if dist <= SNAP_M:
                coords[at] = q
            elif not rivers.straight_crossings(p[1], p[0], q[1], q[0]):
                connectors.append([[p, q], "connector"])
                joins.append({"kind": "short_end", "from": latlon(p), "to": latlon(q), "metres": round(dist, 1)})
    return lines + connectors


def noded(lines):
    """Step 3: every crossing and touching point becomes a node; each piece keeps its class."""
    geoms = [LineString(c) for c, _ in lines]
    union = shapely.union_all(geoms, grid_size=GRID)
    pieces = list(shapely.get_parts(union))
    tree = STRtree(geoms)
    out = []
    for piece in pieces:
        coords = [tuple(c) for c in piece.coords]
        if len(coords) < 2:
            continue
        mid = piece.interpolate(0.5, normalized=True)
        # The class of the line it lies on; where lines overlap, the bigger road.
        near = tree.query(mid.buffer(1e-6))
        classes = [lines[j][1] for j in near if geoms[j].distance(mid) < 1e-6] or ["connector"]
        out.append([coords, min(classes, key=RANK.get)])
    return out


def graph_of(pieces):
    nodes = {}
    for coords, _ in pieces:
        for p in (coords[0], coords[-1]):
            nodes.setdefault(key(p), p)
    index = {k: i for i, k in enumerate(nodes)}
    edges = [(index[key(c[0])], index[key(c[-1])], c, cls) for c, cls in pieces]
    return list(nodes.values()), edges


def components(n, edges):
    if not edges:
        return n, np.arange(n)
    u = np.array([e[0] for e in edges])
    v = np.array([e[1] for e in edges])
    matrix = coo_matrix((np.ones(len(edges)), (u, v)), shape=(n, n))
    return connected_components(matrix, directed=False)


def add_bridges(pieces, rivers, joins):
    """Step 4: each bridge from the road end nearest its end on one bank to the one on the other."""
    ends = [c[i] for c, _ in pieces for i in (0, -1)]
    points = np.array(ends)
    bridges = []
    for bridge in rivers.bridges:
        line = []
        for bank, (lat, lon) in bridge.ends.items():
            d = np.hypot(points[:, 0] - lon, points[:, 1] - lat) * M_PER_DEG
            k = int(np.argmin(d))
            line.append(tuple(points[k]))
            joins.append({"kind": "bridge_end", "bridge": bridge.name, "bank": bank, "from": [lat, lon],
                          "to": latlon(points[k]), "metres": round(float(d[k]), 1)})
        pieces.append([line, "bridge"])
        # The edge is as long as the bridge with its approaches (the gap between the road ends is shorter).
        bridges.append({"name": bridge.name, "ends": [latlon(p) for p in line], "metres": round(bridge.length_m)})
    return bridges


def join_gaps(pieces, rivers, joins):
    """Step 5: join the pieces still apart, nearest gap first, until one is left or none is close."""
    while True:
        nodes, edges = graph_of(noded(pieces))
        count, labels = components(len(nodes), edges)
        if count == 1:
            return pieces, []
        sizes = np.zeros(count)
        for u, _, coords, _ in edges:
            sizes[labels[u]] += line_metres(coords)
        main = int(np.argmax(sizes))
        geoms = [LineString(c) for _, _, c, _ in edges]
        best = None
        for comp in range(count):
            if comp == main:
                continue
            mine = [k for k, e in enumerate(edges) if labels[e[0]] == comp]
            others = [k for k, e in enumerate(edges) if labels[e[0]] != comp]
            tree = STRtree([geoms[k] for k in others])
            for k in mine:
                for p in (edges[k][2][0], edges[k][2][-1]):
                    point = Point(p)
                    j = others[int(tree.query_nearest(point)[0])]
                    q = geoms[j].interpolate(geoms[j].project(point))
                    dist = metres(p, (q.x, q.y))
                    if dist <= GAP_M and not rivers.straight_crossings(p[1], p[0], q.y, q.x):
                        cand = (dist, p, (q.x, q.y))
                        if best is None or cand[0] < best[0]:
                            best = cand
        if best is None:
            dropped = [{"component": comp, "metres": round(sizes[comp]),
                        "at": latlon(nodes[int(np.flatnonzero(labels == comp)[0])])}
                       for comp in range(count) if comp != main]
            keep = {i for i in range(len(nodes)) if labels[i] == main}
            kept = [[c, cls] for u, _, c, cls in edges if u in keep]
            return kept, dropped
        dist, p, q = best
        pieces.append([[p, q], "connector"])
        joins.append({"kind": "gap", "from": latlon(p), "to": latlon(q), "metres": round(dist, 1)})


def latlon(p):
    return [round(float(p[1]), 6), round(float(p[0]), 6)]


def build(folder):
    rivers = RiverNetwork.shipped()
    joins = []
    lines = join_short_ends(load_rbi(folder), joins, rivers)
    pieces = noded(lines)
    bridges = add_bridges(pieces, rivers, joins)
    pieces, dropped = join_gaps(pieces, rivers, joins)
    nodes, edges = graph_of(noded(pieces))
    # Stable order: nodes by position, edges by their nodes.
    order = sorted(range(len(nodes)), key=lambda i: (round(nodes[i][1], 6), round(nodes[i][0], 6)))
    new = {old: k for k, old in enumerate(order)}
    out_edges = []
    for u, v, coords, cls in edges:
        a, b = new[u], new[v]
        if (a, b) > (b, a):
            a, b, coords = b, a, coords[::-1]
        out_edges.append([a, b, cls, round(line_metres(coords), 1), [latlon(c) for c in coords[1:-1]]])
    lengths = {tuple(sorted(tuple(e) for e in b["ends"])): b["metres"] for b in bridges}
    for e in out_edges:
        if e[2] == "bridge":
            e[3] = float(lengths[tuple(sorted((tuple(latlon(nodes[order[e[0]]])), tuple(latlon(nodes[order[e[1]]])))))])
    out_edges.sort(key=lambda e: (e[0], e[1], e[3]))
    bridge_edges = []
    for bridge in bridges:
        ends = {tuple(e) for e in bridge["ends"]}
        k = next(i for i, e in enumerate(out_edges)
                 if e[2] == "bridge" and {tuple(latlon(nodes[order[e[0]]])), tuple(latlon(nodes[order[e[1]]]))} == ends)
        bridge_edges.append({**bridge, "edge": k})
    by_kind = {}
    for j in joins:
        by_kind[j["kind"]] = by_kind.get(j["kind"], 0) + 1
    return {
        "about": "The project's own road graph of Kota Pontianak, built by dispatch/data/make_roads.py from the "
                 "RBI road lines (Badan Informasi Geospasial) and the project's bridges (rivers.json). Nodes are "
                 "[lat, lon]; each edge is [from node, to node, class, metres, [interior points as [lat, lon]]]. "
                 "See docs/GEO.md.",
        "source": "RBI road layer (Badan Informasi Geospasial), as published in Nvioktv/WebGIS-Kesehatan "
                  "(JalanBesar.geojson); bridges from dispatch/data/rivers.json",
        "classes": ["arteri", "kolektor", "lokal", "lain", "bridge", "connector"],
        "nodes": [latlon(nodes[i]) for i in order],
        "edges": out_edges,
        "bridges": bridge_edges,
        "joins": joins,
        "dropped": dropped,
        "summary": {"nodes": len(nodes), "edges": len(out_edges), "joins": by_kind, "dropped_pieces": len(dropped),
                    "metres": round(sum(e[3] for e in out_edges))},
    }


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    graph = build(argv[0])
    OUT.write_text(json.dumps(graph, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    s = graph["summary"]
    print(f"{OUT.name}: {s['nodes']} nodes, {s['edges']} edges, {s['metres'] / 1000:.1f} km of road")
    print(f"joins: {s['joins'].get('short_end', 0)} ends that stopped short of a road (at most {SHORT_END_M:g} m), "
          f"{s['joins'].get('gap', 0)} gaps between pieces (at most {GAP_M:g} m), "
          f"{len(graph['bridges'])} bridges ({', '.join(b['name'] for b in graph['bridges'])})")
    for j in graph["joins"]:
        if j["kind"] == "gap":
            print(f"  gap joined: {j['from']} -> {j['to']} ({j['metres']} m)")
    for d in graph["dropped"]:
        print(f"  piece left apart and dropped: {d['metres']} m of road at {d['at']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
