"""The street layer's data (dispatch/geo/roadlayer.py): chained lines keep every road point."""
import json

import numpy as np

from dispatch.geo.distance import haversine_m
from dispatch.geo.roadlayer import build_layer, chain_edges, road_lines
from dispatch.geo.roads import SHIPPED
from dispatch.geo.zones import ZoneIndex


def length(flat):
    a = np.array(flat).reshape(-1, 2)
    return float(haversine_m(a[:-1, 0], a[:-1, 1], a[1:, 0], a[1:, 1]).sum())


def test_chained_lines_are_as_long_as_the_roads_and_fewer():
    roads = json.loads(SHIPPED.read_text(encoding="utf-8"))
    lines = road_lines(roads)
    nodes = roads["nodes"]
    for cls in lines:
        edges = [[nodes[u], *inner, nodes[v]] for u, v, c, _, inner in roads["edges"] if c == cls and u != v]
        drawn = sum(length(line) for line in lines[cls])
        # Rounding to about 1 m straightens the lines a little, nothing more.
        assert abs(drawn - sum(length([x for p in e for x in p]) for e in edges)) < 5e-3 * drawn + 1
        assert len(lines[cls]) <= len(edges)
    assert sum(len(v) for v in lines.values()) < 0.75 * len(roads["edges"])


def test_a_chain_goes_through_nodes_of_two_edges_only():
    # a star (0 at its centre) and a path 3-4-5: the path is one line, the star three.
    edges = [(0, 1, [[0, 0], [0, 1]]), (0, 2, [[0, 0], [1, 0]]), (0, 6, [[0, 0], [-1, 0]]),
             (3, 4, [[5, 5], [5, 6]]), (4, 5, [[5, 6], [5, 7]])]
    chains = chain_edges(edges)
    assert len(chains) == 4 and [[5, 5], [5, 6], [5, 7]] in chains


def test_the_layer_names_streets_from_the_street_index_when_there_is_one():
    roads = json.loads(SHIPPED.read_text(encoding="utf-8"))
    streets = {"streets": [{"name": "Jl. Uji", "lines": [[[-0.03, 109.33], [-0.031, 109.331]]]}]}
    layer = build_layer(roads, zones=ZoneIndex.shipped(), streets=streets)
    assert layer["streets"] == [{"name": "Jl. Uji", "lines": [[-0.03, 109.33, -0.031, 109.331]]}]
