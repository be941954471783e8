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
from .travel import DEFAULT_SPEEDS, Routes, SymmetricTravelTime, Way, band_index

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "roads.json"
BANDS = tuple((start, end) for start, end, _, _ in DEFAULT_SPEEDS)
BRIDGE_DELAY_S = tuple(delay for _, _, _, delay in DEFAULT_SPEEDS)
# km/h with lights and siren, per band of BANDS (00-06, 06-09, 09-16, 16-19, 19-24 WIB): the
# river model's speed of each band, a little faster on the main roads and slower in the lanes.
# Close together on purpose: with arterials much faster (38 against 20 km/h) the fastest path goes
# round by the main roads where real drivers cut through, and the error against the OpenStreetMap
# shortest paths grows from 3.4% to 4.9% (docs/GEO.md). "connector" is a join the data lacked.
DEFAULT_CLASS_KMH = {
    "arteri": (44, 26, 33, 24, 35),
    "kolektor": (41, 25, 31, 23, 33),
    "lokal": (40, 24, 30, 22, 32),
    "lain": (37, 22, 28, 21, 30),
    "bridge": (44, 26, 33, 24, 35),
    "connector": (27, 16, 20, 15, 21),
}
ROAD_CLASSES = tuple(DEFAULT_CLASS_KMH)
ACCESS_KMH = 10.0


def parse_class_kmh(text):
    """Speeds per road class from a setting: JSON ``{"arteri": [44, 26, 33, 24, 35], ...}`` (km/h per
    band of BANDS); classes left out keep their defaults. ValueError naming what is wrong."""
    try:
        given = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not isinstance(given, dict):
        raise ValueError('a JSON object of road class -> speeds, e.g. {"arteri": [44, 26, 33, 24, 35]}')
    out = {}
    for cls, kmh in given.items():
        if cls not in DEFAULT_CLASS_KMH:
            raise ValueError(f"unknown road class {cls!r} (known: {', '.join(ROAD_CLASSES)})")
        if (not isinstance(kmh, list) or len(kmh) != len(BANDS)
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool) and 0 < x <= 200 for x in kmh)):
            raise ValueError(f"{cls}: {len(BANDS)} speeds in km/h above 0, one per band of WIB hours {BANDS}")
        out[cls] = tuple(float(x) for x in kmh)
    return out


def fastest_parallel(u, v, weight, n):
    """A sparse n x n matrix of the weights, keeping the least of parallel edges (a sparse matrix
    would add them up)."""
    order = np.lexsort((weight, v, u))
    u, v, w = u[order], v[order], weight[order]
    first = np.concatenate([[True], (u[1:] != u[:-1]) | (v[1:] != v[:-1])])
    return coo_matrix((w[first], (u[first], v[first])), shape=(n, n)).tocsr()


class RoadGraph:
    def __init__(self, data):
        """``data`` as in roads.json; ValueError when it is not a usable graph."""
        try:
            self.nodes = np.array(data["nodes"], dtype=float).reshape(-1, 2)
            edges = data["edges"]
            self._check(edges)
        except (KeyError, TypeError, IndexError) as exc:
            raise ValueError(f"not a road graph ({type(exc).__name__}: {exc})") from exc
        self.u = np.array([e[0] for e in edges], dtype=np.int64)
        self.v = np.array([e[1] for e in edges], dtype=np.int64)
        self.cls = np.array([e[2] for e in edges])
        self.metres = np.array([e[3] for e in edges], dtype=float)
        self.shapes = [np.array([data["nodes"][e[0]]] + e[4] + [data["nodes"][e[1]]], dtype=float) for e in edges]
        self.bridges = {int(b["edge"]): str(b["name"]) for b in data.get("bridges", [])}
        if any(not 0 <= k < len(edges) for k in self.bridges):
            raise ValueError("not a road graph: a bridge names an edge that does not exist")
        # One segment per pair of consecutive points, for joining points to the nearest road.
        # Each segment's edge, its share of the edge's length and the share before it.
        seg_edge, starts, ends, before, share = [], [], [], [], []
        self.cumulative = []     # per edge: the share of its length up to each of its points
        for k, shape in enumerate(self.shapes):
            steps = haversine_m(shape[:-1, 0], shape[:-1, 1], shape[1:, 0], shape[1:, 1])
            steps = steps / max(float(steps.sum()), 1e-9)
            seg_edge.append(np.full(len(steps), k))
            starts.append(shape[:-1])
            ends.append(shape[1:])
            before.append(np.concatenate([[0.0], np.cumsum(steps)[:-1]]))
            share.append(steps)
            self.cumulative.append(np.concatenate([[0.0], np.cumsum(steps)]))
        self.seg_edge = np.concatenate(seg_edge)
        self.seg_a = np.concatenate(starts)
        self.seg_b = np.concatenate(ends)
        self.seg_before = np.concatenate(before)
        self.seg_share = np.concatenate(share)
        self._grid = None
        # Metres between two joined nodes (the shortest of parallel edges), for the length of a path.
        pair = fastest_parallel(self.u, self.v, self.metres, len(self.nodes))
        self.pair_metres = (pair + pair.T).tocsr()

    def _check(self, edges):
        n = len(self.nodes)
        if n < 2 or not edges:
            raise ValueError("not a road graph: no nodes or no edges")
        if not (np.isfinite(self.nodes).all() and (np.abs(self.nodes[:, 0]) <= 90).all()
                and (np.abs(self.nodes[:, 1]) <= 180).all()):
            raise ValueError("not a road graph: a node is not a position")
        for e in edges:
            if not (0 <= e[0] < n and 0 <= e[1] < n) or e[2] not in DEFAULT_CLASS_KMH or not e[3] >= 0:
                raise ValueError(f"not a road graph: bad edge {e[:4]}")

    @classmethod
    def shipped(cls, path=SHIPPED):
        """The graph in ``path``: OSError when it cannot be read, ValueError when it is not a graph."""
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def piece(self, k, start, end):
        """The points of edge ``k`` from the fraction ``start`` of its length to ``end`` (backwards
        when ``end`` < ``start``)."""
        shape, cum = self.shapes[k], self.cumulative[k]
        lo, hi = min(start, end), max(start, end)

        def at(f):
            i = min(int(np.searchsorted(cum, f, side="right")) - 1, len(shape) - 2)
            span = cum[i + 1] - cum[i]
            t = (f - cum[i]) / span if span > 0 else 0.0
            return shape[i] + (shape[i + 1] - shape[i]) * t

        inner = [p for p, c in zip(shape, cum) if lo < c < hi]
        points = [at(lo), *inner, at(hi)]
        return points if end >= start else points[::-1]

    def nearest_segments(self, lats, lons):
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

    def samples(self):
        """Points every ~10 m along the roads and the segment of each (for lookups of one's own)."""
        if self._grid is None:
            self._build_grid()
        return self._kdtree.data, self._samples_seg

    def snap(self, lats, lons, which=None):
        """For each point: its edge, the fraction along it, the snapped point and the walk in metres
        (to the nearest segment, or to the segments ``which`` when given)."""
        lats = np.atleast_1d(np.asarray(lats, dtype=float))
        lons = np.atleast_1d(np.asarray(lons, dtype=float))
        if which is None:
            which = self.nearest_segments(lats, lons)
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
        if any(len(kmh) != len(BANDS) or min(kmh) <= 0 for kmh in self.class_kmh.values()):
            raise ValueError(f"a road class needs {len(BANDS)} speeds above 0 km/h, one per band {BANDS}")
        self.bridge_delay_s = tuple(bridge_delay_s)
        self.access_mps = access_kmh / 3.6
        self.tz = ZoneInfo(timezone)
        self._matrices = {}
        self.node_banks = network.bank_of_many(graph.nodes[:, 0], graph.nodes[:, 1])
        # Each road segment's bank (a bridge's: none), so a point joins a road on its own bank: one by
        # the water's edge, or on the water, is not put on the road across the river.
        middle = (graph.seg_a + graph.seg_b) / 2
        self.seg_banks = network.bank_of_many(middle[:, 0], middle[:, 1])
        self.seg_banks[np.isin(graph.seg_edge, list(graph.bridges))] = -1
        self._bank_trees = {}
        for band in range(len(BANDS)):
            self._matrix(band)

    def snap(self, lats, lons):
        """:meth:`RoadGraph.snap` to the nearest road on the point's own bank."""
        lats = np.atleast_1d(np.asarray(lats, dtype=float))
        lons = np.atleast_1d(np.asarray(lons, dtype=float))
        which = self.graph.nearest_segments(lats, lons)
        banks = self.network.bank_of_many(lats, lons)
        seg_banks = self.seg_banks[which]
        wrong = np.flatnonzero((banks >= 0) & (seg_banks >= 0) & (seg_banks != banks))
        for bank in np.unique(banks[wrong]).tolist():
            tree, segs = self._bank_tree(bank)
            these = wrong[banks[wrong] == bank]
            which[these] = segs[tree.query(np.stack([lats[these], lons[these]], axis=1))[1]]
        return self.graph.snap(lats, lons, which=which)

    def _bank_tree(self, bank):
        if bank not in self._bank_trees:
            samples, segs = self.graph.samples()
            keep = self.seg_banks[segs] == bank
            self._bank_trees[bank] = (cKDTree(samples[keep]), segs[keep])
        return self._bank_trees[bank]

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
        """The sparse matrix of edge seconds in a band, the seconds, and the edge a path takes between
        two joined nodes (the fastest of parallel edges, as the matrix keeps)."""
        if band not in self._matrices:
            g = self.graph
            seconds = self.edge_seconds(band)
            pair_edge = {}
            for k in np.argsort(-seconds, kind="stable").tolist():   # the fastest written last
                pair_edge[(int(g.u[k]), int(g.v[k]))] = pair_edge[(int(g.v[k]), int(g.u[k]))] = k
            self._matrices[band] = (fastest_parallel(g.u, g.v, seconds, len(g.nodes)), seconds, pair_edge)
        return self._matrices[band]

    def _tree(self, lat, lon, band):
        """Seconds and metres from the point (lat, lon) to every node, how the point joins the graph,
        and for the way itself the trees (predecessors) and which of them reaches each node first."""
        matrix, seconds, _ = self._matrix(band)
        edge, frac, _, walk = self.snap([lat], [lon])
        k, f, w = int(edge[0]), float(frac[0]), float(walk[0])
        ends = [int(self.graph.u[k]), int(self.graph.v[k])]
        times, pred = dijkstra(matrix, directed=False, indices=ends, return_predecessors=True)
        lengths = self._lengths(pred, ends, times)
        share = np.array([f, 1 - f])[:, None]
        t = times + share * seconds[k] + w / self.access_mps
        m = lengths + share * self.graph.metres[k] + w
        best = np.argmin(t, axis=0)
        cols = np.arange(len(self.graph.nodes))
        return t[best, cols], m[best, cols], (k, f, w), (pred, best, ends)

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

    def _join(self, lats, lons, band, tree):
        """For points (lats, lons): seconds and metres to the tree's root point, and how they went
        (their edge, fraction and walk, whether by the edge's first end, along the root's own edge)."""
        times, lengths, (k0, f0, w0), _ = tree
        _, seconds, _ = self._matrix(band)
        edge, frac, _, walk = self.snap(lats, lons)
        u, v = self.graph.u[edge], self.graph.v[edge]
        via_u = times[u] + frac * seconds[edge]
        via_v = times[v] + (1 - frac) * seconds[edge]
        use_u = via_u <= via_v
        sec = np.where(use_u, via_u, via_v) + walk / self.access_mps
        met = np.where(use_u, lengths[u] + frac * self.graph.metres[edge],
                       lengths[v] + (1 - frac) * self.graph.metres[edge]) + walk
        along = np.zeros(len(edge), dtype=bool)
        same = edge == k0       # on the root's own road: along it, no detour through its ends
        if same.any():
            part = np.abs(frac[same] - f0)
            sec_same = part * seconds[k0] + (walk[same] + w0) / self.access_mps
            met_same = part * self.graph.metres[k0] + walk[same] + w0
            better = sec_same < sec[same]
            sec[same] = np.where(better, sec_same, sec[same])
            met[same] = np.where(better, met_same, met[same])
            along[same] = better
        return sec, met, (edge, frac, walk, use_u, along)

    def _via(self, nodes, k0):
        banks = self.node_banks[nodes]
        target = int(self.node_banks[self.graph.u[k0]])
        via_by_bank = {}
        for bank in np.unique(banks).tolist():
            path = self.network.bridges_between(bank, target) if bank >= 0 and target >= 0 else ()
            via_by_bank[bank] = tuple(step[0].name for step in path)
        return banks, via_by_bank

    def to_point(self, lats, lons, lat, lon, *, at):
        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        band = self.band(at)
        tree = self._tree(lat, lon, band)
        sec, met, (edge, _, _, use_u, _) = self._join(lats, lons, band, tree)
        nodes = np.where(use_u, self.graph.u[edge], self.graph.v[edge])
        banks, via_by_bank = self._via(nodes, tree[2][0])
        return Routes(sec, met, banks, via_by_bank, self.name)

    def way(self, lat1, lon1, lat2, lon2, *, at):
        """The road from (lat1, lon1) to (lat2, lon2) with the points it follows."""
        band = self.band(at)
        tree = self._tree(lat2, lon2, band)
        _, _, (k0, f0, w0), (pred, best, ends) = tree
        sec, met, (edge, frac, walk, use_u, along) = self._join([lat1], [lon1], band, tree)
        k, f = int(edge[0]), float(frac[0])
        g = self.graph
        _, _, pair_edge = self._matrix(band)
        if along[0]:
            road = g.piece(k, f, f0)
            nodes = [int(g.u[k])]
        else:
            node = int(g.u[k]) if use_u[0] else int(g.v[k])
            road = g.piece(k, f, 0.0 if use_u[0] else 1.0)
            row = int(best[node])
            chain = [node]
            while pred[row, chain[-1]] >= 0:
                chain.append(int(pred[row, chain[-1]]))
            for a, b in zip(chain, chain[1:]):
                e = pair_edge[(a, b)]
                road += list(g.shapes[e] if a == g.u[e] else g.shapes[e][::-1])[1:]
            root = ends[row]
            road += g.piece(k0, 0.0 if root == g.u[k0] else 1.0, f0)[1:]
            nodes = [node]
        path = [(lat1, lon1)] + road + [(lat2, lon2)]
        banks, via_by_bank = self._via(np.array(nodes), k0)
        return Way(float(sec[0]), float(met[0]), via_by_bank.get(int(banks[0]), ()), _points(path),
                   float(walk[0]), w0, self.name)


def _points(path):
    """[lat, lon] pairs rounded to about 1 m, without repeats."""
    out = []
    for p in path:
        q = [round(float(p[0]), 6), round(float(p[1]), 6)]
        if not out or out[-1] != q:
            out.append(q)
    return out
