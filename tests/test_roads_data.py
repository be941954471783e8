"""The shipped road graph (dispatch/data/roads.json, built by dispatch/data/make_roads.py).

The first tests need only the shipped file; the last one rebuilds it from the shared reference
data (../shared/data/pontianak) and skips where that folder is missing."""
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from conftest import REFERENCE_DATA
from dispatch.data import make_roads
from dispatch.geo.distance import haversine_m
from dispatch.geo.rivers import RiverNetwork

ROADS = Path(__file__).resolve().parents[1] / "dispatch" / "data" / "roads.json"


@pytest.fixture(scope="module")
def graph():
    return json.loads(ROADS.read_text(encoding="utf-8"))


def matrix(graph, weight=lambda e: e[3]):
    n = len(graph["nodes"])
    u = [e[0] for e in graph["edges"]]
    v = [e[1] for e in graph["edges"]]
    w = [weight(e) for e in graph["edges"]]
    return coo_matrix((w, (u, v)), shape=(n, n)).tocsr()


def test_nodes_are_lat_lon_inside_pontianak(graph):
    nodes = np.array(graph["nodes"])
    # Latitude first: Pontianak straddles the equator at longitude 109.3.
    assert (np.abs(nodes[:, 0]) < 0.15).all() and ((nodes[:, 1] > 109.2) & (nodes[:, 1] < 109.5)).all()
    assert len(graph["nodes"]) == graph["summary"]["nodes"] > 1000


def test_edges_have_a_class_a_length_that_matches_their_shape(graph):
    nodes = graph["nodes"]
    assert {e[2] for e in graph["edges"]} <= set(graph["classes"])
    for a, b, cls, metres, inner in graph["edges"]:
        if cls == "bridge":
            continue      # as long as the bridge with its approaches: longer than the gap in the RBI lines
        pts = np.array([nodes[a]] + inner + [nodes[b]])
        shape = float(haversine_m(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1]).sum())
        assert metres > 0 and abs(shape - metres) < 1, (a, b, cls)
    assert 350_000 < graph["summary"]["metres"] < 500_000


def test_one_connected_network_with_the_bridges(graph):
    count, _ = connected_components(matrix(graph), directed=False)
    assert count == 1
    names = {b["name"] for b in graph["bridges"]}
    assert names == {"Jembatan Kapuas I", "Jembatan Landak"}
    for bridge in graph["bridges"]:
        edge = graph["edges"][bridge["edge"]]
        assert edge[2] == "bridge" and 300 < edge[3] < 600


def test_the_bridges_are_the_only_way_across_the_rivers(graph):
    """Without its bridge edges the graph falls apart into the three banks, each whole."""
    rivers = RiverNetwork.shipped()
    nodes = np.array(graph["nodes"])
    banks = rivers.bank_of_many(nodes[:, 0], nodes[:, 1])
    no_bridges = matrix(graph, weight=lambda e: 0 if e[2] == "bridge" else e[3])
    no_bridges.eliminate_zeros()
    count, labels = connected_components(no_bridges, directed=False)
    assert count == 3
    # Each bank is one piece (a few nodes within the river model's 100-200 m of a river line
    # may sit on the other side of it, as the docs say).
    for piece in range(3):
        on = banks[labels == piece]
        assert np.mean(on == np.bincount(on[on >= 0]).argmax()) > 0.97


def test_joins_are_listed_short_and_never_across_a_river(graph):
    rivers = RiverNetwork.shipped()
    kinds = {j["kind"] for j in graph["joins"]}
    assert kinds == {"short_end", "gap", "bridge_end"}
    for j in graph["joins"]:
        if j["kind"] == "short_end":
            assert j["metres"] <= make_roads.SHORT_END_M
        elif j["kind"] == "gap":
            assert j["metres"] <= make_roads.GAP_M
            assert not rivers.straight_crossings(*j["from"], *j["to"])
        else:
            assert j["metres"] < 100     # a bridge end to the road end at its abutment


def test_a_trip_across_both_bridges_is_a_plausible_road_distance(graph):
    """Selatan (near Kapuas I on the south-west bank) to Siantan (Utara) crosses both rivers."""
    nodes = np.array(graph["nodes"])

    def nearest(lat, lon):
        return int(np.argmin(haversine_m(nodes[:, 0], nodes[:, 1], lat, lon)))

    a, b = nearest(-0.0405, 109.3440), nearest(0.0000, 109.3400)
    dist = dijkstra(matrix(graph), directed=False, indices=a)[b]
    straight = float(haversine_m(nodes[a, 0], nodes[a, 1], nodes[b, 0], nodes[b, 1]))
    assert straight * 1.2 < dist < straight * 3


def test_the_shipped_graph_is_what_the_builder_makes(graph):
    if not REFERENCE_DATA.is_dir():
        pytest.skip(f"../shared/data/pontianak not found: {REFERENCE_DATA} is missing, so the road graph is not "
                    "rebuilt from the RBI lines")
    assert make_roads.build(REFERENCE_DATA) == graph
