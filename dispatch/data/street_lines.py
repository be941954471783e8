"""The line of a street for ``make_streets``: the road-graph edges its points lie along.

Street lights stand a median 8 m from the RBI line of their road, so the edge of
``roads.json`` nearest a light (within ``NEAR_M``) is an edge of its street. A single light
near a junction may be nearer the cross street: an edge is taken when two points or more
lie along it, or one point well inside it (``INSIDE_M`` from both ends). Stretches with no
light between two taken stretches (a junction, a short block) are filled with the shortest
road path between them when it is at most ``GAP_M`` long. The taken edges are then joined
into as few polylines as they make. A street whose lights stand off every road line (the RBI
lines miss a few streets) is drawn through its lights (:func:`lights_line`).
"""
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString, Point
from shapely.strtree import STRtree

from ..geo.distance import METRES_PER_DEGREE as M_PER_DEG, haversine_m
from ..geo.roadlayer import chain_edges

NEAR_M = 25.0
INSIDE_M = 20.0
GAP_M = 250.0


class RoadEdges:
    """The edges of ``roads.json`` with their shapes, for nearest-edge look-ups and paths."""

    def __init__(self, roads):
        self.nodes = [tuple(n) for n in roads["nodes"]]
        self.edges = roads["edges"]
        self.shapes = [[self.nodes[u]] + [tuple(p) for p in interior] + [self.nodes[v]]
                       for u, v, _, _, interior in self.edges]
        self.geoms = [LineString([(lon, lat) for lat, lon in shape]) for shape in self.shapes]
        self.tree = STRtree(self.geoms)
        self.by_pair = {}
        for i, (a, b, _, metres, _) in enumerate(self.edges):
            for pair in ((a, b), (b, a)):
                best = self.by_pair.get(pair)
                if best is None or metres < self.edges[best][3]:
                    self.by_pair[pair] = i   # the shorter of parallel edges
        pairs = sorted(self.by_pair)
        n = len(self.nodes)
        self.matrix = coo_matrix(([max(self.edges[self.by_pair[p]][3], 0.01) for p in pairs],
                                  ([p[0] for p in pairs], [p[1] for p in pairs])), shape=(n, n)).tocsr()

    def nearest(self, lat, lon, max_m=NEAR_M):
        """``(edge, metres, metres from the nearer end)`` of the nearest edge within ``max_m``, or None."""
        point = Point(lon, lat)
        hits = self.tree.query_nearest(point, max_distance=max_m / M_PER_DEG, return_distance=True)
        if len(hits[0]) == 0:
            return None
        i = int(min(hits[0]))   # ties: the lowest index, so runs agree
        geom = self.geoms[i]
        along = geom.project(point) * M_PER_DEG
        return i, float(hits[1][0]) * M_PER_DEG, min(along, geom.length * M_PER_DEG - along)


def street_edges(road, points, max_m=NEAR_M):
    """The edges a street's points lie along (see the module's docstring), sorted."""
    counts, inside = {}, set()
    for lat, lon in points:
        hit = road.nearest(lat, lon, max_m)
        if hit is None:
            continue
        edge, _, from_end = hit
        counts[edge] = counts.get(edge, 0) + 1
        if from_end >= INSIDE_M:
            inside.add(edge)
    return sorted(e for e, c in counts.items() if c >= 2 or e in inside)


def fill_gaps(road, edges, gap_m=GAP_M):
    """Join the pieces the edges make with the shortest road paths of at most ``gap_m``, nearest first."""
    edges = set(edges)
    if len(edges) < 2:
        return sorted(edges)
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for e in edges:
        a, b = road.edges[e][0], road.edges[e][1]
        parent[find(a)] = find(b)
    nodes = sorted(parent)
    dist, pred = dijkstra(road.matrix, indices=nodes, limit=gap_m, return_predecessors=True)
    joins = []
    for i, a in enumerate(nodes):
        for b in nodes:
            if b > a and np.isfinite(dist[i, b]):
                joins.append((float(dist[i, b]), a, b, i))
    for _, a, b, i in sorted(joins):
        if find(a) == find(b):
            continue
        parent[find(a)] = find(b)
        node = b
        while node != a:
            prev = int(pred[i, node])
            edges.add(road.by_pair[(prev, node)])
            node = prev
    return sorted(edges)


def polylines(road, edges):
    """The edges joined end to end into polylines of [lat, lon] (through nodes where exactly two meet)."""
    lines = chain_edges([(road.edges[e][0], road.edges[e][1], road.shapes[e]) for e in sorted(edges)])
    return [[[round(lat, 6), round(lon, 6)] for lat, lon in line] for line in lines]


def lights_line(points):
    """A street the road lines miss (its lights are all more than ``NEAR_M`` from any edge): the line
    through its lights in their order along the street's main direction."""
    pts = np.array(points, dtype=float)
    xy = pts - pts.mean(axis=0)
    axis = np.linalg.svd(xy, full_matrices=False)[2][0] if len(pts) > 1 else np.array([1.0, 0.0])
    order = np.argsort(xy @ axis, kind="stable")
    return [[round(float(pts[i, 0]), 6), round(float(pts[i, 1]), 6)] for i in order]


def line_metres(lines):
    total = 0.0
    for line in lines:
        pts = np.array(line)
        total += float(haversine_m(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1]).sum())
    return total
