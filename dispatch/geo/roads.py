"""Travel time over the project's road graph (``dispatch/data/roads.json``).

A point is joined to the graph at the nearest point of its nearest road (the walk to it
is counted at ``access_kmh``); one shortest-path tree by time from that point
(scipy's ``csgraph.dijkstra`` from the two ends of its edge) gives the time from it to
every node, so ranking many units costs one tree, not one search per unit. Speeds
depend on the road class and the local (WIB) time of day; a bridge adds its delay for
the queues on it. The bridges a route crosses come from the banks of its two ends
(each bank pair has one road crossing in the city). Answers are the same
:class:`~.travel.Routes` as the river model's, so the two are interchangeable.
"""
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from .distance import haversine_m
from .travel import DEFAULT_SPEEDS, Routes, SymmetricTravelTime, band_index

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "roads.json"
BANDS = tuple((start, end) for start, end, _, _ in DEFAULT_SPEEDS)
BRIDGE_DELAY_S = tuple(delay for _, _, _, delay in DEFAULT_SPEEDS)
# km/h with lights and siren, per band of BANDS (00-06, 06-09, 09-16, 16-19, 19-24 WIB).
DEFAULT_CLASS_KMH = {
    "arteri": (50, 30, 38, 26, 40),
    "kolektor": (45, 28, 34, 24, 36),
    "lokal": (38, 24, 30, 22, 32),
    "lain": (25, 18, 20, 16, 22),
    "bridge": (50, 30, 38, 26, 40),
    "connector": (20, 15, 18, 14, 18),
}
ACCESS_KMH = 10.0


def fastest_parallel(u, v, weight, n):
    """A sparse n x n matrix of the weights, keeping the least of parallel edges (a sparse matrix
    would add them up)."""
    order = np.lexsort((weight, v, u))
    u, v, w = u[order], v[order], weight[order]
    first = np.concatenate([[True], (u[1:] != u[:-1]) | (v[1:] != v[:-1])])
    return coo_matrix((w[first], (u[first], v[first])), shape=(n, n)).tocsr()


class RoadGraph:
    def __init__(self, data):
        self.nodes = np.array(data["nodes"], dtype=float)
        edges = data["edges"]
        self.u = np.array([e[0] for e in edges], dtype=np.int64)
        self.v = np.array([e[1] for e in edges], dtype=np.int64)
        self.cls = np.array([e[2] for e in edges])
        self.metres = np.array([e[3] for e in edges], dtype=float)
        self.shapes = [np.array([data["nodes"][e[0]]] + e[4] + [data["nodes"][e[1]]], dtype=float) for e in edges]
        self.bridges = {b["edge"]: b["name"] for b in data["bridges"]}
        # One segment per pair of consecutive points, for joining points to the nearest road.
        # Each segment's edge, its share of the edge's length and the share before it.
        seg_edge, starts, ends, before, share = [], [], [], [], []
        for k, shape in enumerate(self.shapes):
            steps = haversine_m(shape[:-1, 0], shape[:-1, 1], shape[1:, 0], shape[1:, 1])
            steps = steps / max(float(steps.sum()), 1e-9)
            seg_edge.append(np.full(len(steps), k))
            starts.append(shape[:-1])
            ends.append(shape[1:])
            before.append(np.concatenate([[0.0], np.cumsum(steps)[:-1]]))
            share.append(steps)
        self.seg_edge = np.concatenate(seg_edge)
        self.seg_a = np.concatenate(starts)
        self.seg_b = np.concatenate(ends)
        self.seg_before = np.concatenate(before)
        self.seg_share = np.concatenate(share)
        self._grid = None
        # Metres between two joined nodes (the shortest of parallel edges), for the length of a path.
        pair = fastest_parallel(self.u, self.v, self.metres, len(self.nodes))
        self.pair_metres = (pair + pair.T).tocsr()

    @classmethod
    def shipped(cls, path=SHIPPED):
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def _nearest_segments(self, lats, lons):
        """The segment nearest each point: looked up in a grid of cells about 22 m across (made once,
        from samples every ~10 m along the roads); points off the grid ask the tree directly."""
        if self._grid is None:
            self._build_grid()
        minlat, minlon, step, cells = self._grid
        row = np.floor((lats - minlat) / step)
        col = np.floor((lons - minlon) / step)
        on = (row >= 0) & (row < cells.shape[0]) & (col >= 0) & (col < cells.shape[1])
        which = np.empty(len(lats), dtype=np.int64)
        which[on] = cells[row[on].astype(np.intp), col[on].astype(np.intp)]
        off = np.flatnonzero(~on)
        if off.size:
            which[off] = self._samples_seg[self._kdtree.query(np.stack([lats[off], lons[off]], axis=1))[1]]
        return which

    def _build_grid(self, step=0.0002, spacing_m=10.0, margin=0.01):
        points, segs = [], []
        for k, (a, b) in enumerate(zip(self.seg_a, self.seg_b)):
            n = max(2, int(np.ceil(float(haversine_m(a[0], a[1], b[0], b[1])) / spacing_m)) + 1)
            t = np.linspace(0.0, 1.0, n)[:, None]
            points.append(a + (b - a) * t)
            segs.append(np.full(n, k))
        samples = np.concatenate(points)
        self._samples_seg = np.concatenate(segs)
        self._kdtree = cKDTree(samples)
        minlat, minlon = samples.min(axis=0) - margin
        maxlat, maxlon = samples.max(axis=0) + margin
        rows = int(np.ceil((maxlat - minlat) / step))
        cols = int(np.ceil((maxlon - minlon) / step))
        glat, glon = np.meshgrid(minlat + (np.arange(rows) + 0.5) * step, minlon + (np.arange(cols) + 0.5) * step,
                                 indexing="ij")
        nearest = self._kdtree.query(np.stack([glat.ravel(), glon.ravel()], axis=1))[1]
        self._grid = (minlat, minlon, step, self._samples_seg[nearest].reshape(rows, cols))

    def snap(self, lats, lons):
        """For each point: its edge, the fraction along it, the snapped point and the walk in metres."""
        lats = np.atleast_1d(np.asarray(lats, dtype=float))
        lons = np.atleast_1d(np.asarray(lons, dtype=float))
        which = self._nearest_segments(lats, lons)
        a, b = self.seg_a[which], self.seg_b[which]
        # Project on the segment in a local flat frame (degrees are square at the equator).
        d = b - a
        length2 = (d ** 2).sum(axis=1)
        t = ((lats - a[:, 0]) * d[:, 0] + (lons - a[:, 1]) * d[:, 1]) / np.maximum(length2, 1e-18)
        t = np.clip(np.where(length2 > 0, t, 0.0), 0.0, 1.0)
        on = a + d * t[:, None]
        walk = haversine_m(lats, lons, on[:, 0], on[:, 1])
        edge = self.seg_edge[which]
        frac = self.seg_before[which] + t * self.seg_share[which]
        return edge, np.clip(frac, 0.0, 1.0), on, walk


class GraphTravelTime(SymmetricTravelTime):
    """Road times over a :class:`RoadGraph`; the river network names the bridges and banks."""

    name = "graph"

    def __init__(self, graph, network, *, class_kmh=None, bridge_delay_s=BRIDGE_DELAY_S, access_kmh=ACCESS_KMH,
                 timezone="Asia/Pontianak"):
        self.graph = graph
        self.network = network
        self.class_kmh = {**DEFAULT_CLASS_KMH, **(class_kmh or {})}
        self.bridge_delay_s = tuple(bridge_delay_s)
        self.access_mps = access_kmh / 3.6
        self.tz = ZoneInfo(timezone)
        self._matrices = {}
        self.node_banks = network.bank_of_many(graph.nodes[:, 0], graph.nodes[:, 1])

    def band(self, at):
        return band_index(BANDS, at, self.tz)

    def edge_seconds(self, band):
        g = self.graph
        kmh = np.array([self.class_kmh[c][band] for c in g.cls.tolist()], dtype=float)
        seconds = g.metres / (kmh / 3.6)
        for k in g.bridges:
            seconds[k] += self.bridge_delay_s[band]
        return seconds

    def _matrix(self, band):
        if band not in self._matrices:
            g = self.graph
            seconds = self.edge_seconds(band)
            self._matrices[band] = (fastest_parallel(g.u, g.v, seconds, len(g.nodes)), seconds)
        return self._matrices[band]

    def _tree(self, lat, lon, band):
        """Seconds and metres from the point (lat, lon) to every node, and how the point joins the graph."""
        matrix, seconds = self._matrix(band)
        edge, frac, _, walk = self.graph.snap([lat], [lon])
        k, f, w = int(edge[0]), float(frac[0]), float(walk[0])
        ends = [int(self.graph.u[k]), int(self.graph.v[k])]
        times, pred = dijkstra(matrix, directed=False, indices=ends, return_predecessors=True)
        lengths = self._lengths(pred, ends, times)
        share = np.array([f, 1 - f])[:, None]
        t = times + share * seconds[k] + w / self.access_mps
        m = lengths + share * self.graph.metres[k] + w
        best = np.argmin(t, axis=0)
        cols = np.arange(len(self.graph.nodes))
        return t[best, cols], m[best, cols], (k, f, w)

    def _lengths(self, pred, ends, times):
        """Metres along each tree (the tree is by time): each node's edge to its parent, summed up
        the tree by pointer jumping (a few numpy steps, not a loop over the nodes)."""
        lengths = np.empty(pred.shape)
        cols = np.arange(pred.shape[1])
        for row in range(pred.shape[0]):
            anc = pred[row].copy()
            has = anc >= 0
            dist = np.zeros(pred.shape[1])
            dist[has] = np.asarray(self.graph.pair_metres[anc[has], cols[has]]).ravel()
            while True:
                live = anc >= 0
                if not live.any():
                    break
                up = np.maximum(anc, 0)
                dist = np.where(live, dist + dist[up], dist)
                anc = np.where(live, anc[up], anc)
            dist[~np.isfinite(times[row])] = np.inf
            lengths[row] = dist
        return lengths

    def to_point(self, lats, lons, lat, lon, *, at):
        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        band = self.band(at)
        times, lengths, (k0, f0, w0) = self._tree(lat, lon, band)
        _, seconds = self._matrix(band)
        edge, frac, _, walk = self.graph.snap(lats, lons)
        u, v = self.graph.u[edge], self.graph.v[edge]
        via_u = times[u] + frac * seconds[edge]
        via_v = times[v] + (1 - frac) * seconds[edge]
        use_u = via_u <= via_v
        sec = np.where(use_u, via_u, via_v) + walk / self.access_mps
        met = np.where(use_u, lengths[u] + frac * self.graph.metres[edge],
                       lengths[v] + (1 - frac) * self.graph.metres[edge]) + walk
        same = edge == k0       # on the incident's own road: along it, no detour through its ends
        if same.any():
            along = np.abs(frac[same] - f0)
            sec_same = along * seconds[k0] + (walk[same] + w0) / self.access_mps
            met_same = along * self.graph.metres[k0] + walk[same] + w0
            better = sec_same < sec[same]
            sec[same] = np.where(better, sec_same, sec[same])
            met[same] = np.where(better, met_same, met[same])
        banks = self.node_banks[np.where(use_u, u, v)]
        target = int(self.node_banks[self.graph.u[k0]])
        via_by_bank = {}
        for bank in np.unique(banks).tolist():
            path = self.network.bridges_between(bank, target) if bank >= 0 and target >= 0 else ()
            via_by_bank[bank] = tuple(step[0].name for step in path)
        return Routes(sec, met, banks, via_by_bank, self.name)
