"""dispatch.geo.distance.haversine_m: great-circle metres, checked against geopy's ellipsoidal geodesic."""
import math

import numpy as np
import pytest
from geopy.distance import geodesic

from dispatch.geo.distance import haversine_m

# (name, (lat, lon), (lat, lon)) -- places in and around Kota Pontianak, from dispatch/data/gazetteer.json.
PAIRS = [
    ("Alun Kapuas -> Keraton Kadriah (across the Kapuas)", (-0.019572, 109.339459), (-0.028865, 109.349895)),
    ("Pontianak Kota -> Pontianak Utara (centroids)", (-0.0366367, 109.3134841), (0.0079909, 109.3366461)),
    ("RSUD Soedarso -> RSUD Alkadrie", (-0.0616, 109.3646), (-0.009282, 109.2940046)),
    ("Pontianak Barat -> Pontianak Tenggara (centroids)", (-0.0158143, 109.3008277), (-0.0719474, 109.3450102)),
    ("Tugu Khatulistiwa -> Supadio airport", (0.0, 109.3222), (-0.15056, 109.40389)),
    ("due east, on the equator", (0.0, 109.30), (0.0, 109.38)),
]


@pytest.mark.parametrize("name, a, b", PAIRS, ids=[p[0] for p in PAIRS])
def test_haversine_agrees_with_geodesic_within_half_a_percent(name, a, b):
    expected = geodesic(a, b).meters
    got = float(haversine_m(a[0], a[1], b[0], b[1]))
    assert expected > 100
    assert got == pytest.approx(expected, rel=0.005), name


def test_due_north_at_the_equator_is_the_worst_case_of_the_sphere():
    # A sphere of mean radius makes a degree of latitude 111.2 km; at the equator the ellipsoid's is
    # 110.6 km. So a purely north-south trip is 0.56 % long: the largest error of haversine_m in
    # Pontianak, far below anything a dispatcher notices, but more than 0.5 %.
    a, b = (-0.02, 109.33), (0.02, 109.33)
    expected = geodesic(a, b).meters
    got = float(haversine_m(*a, *b))
    assert got == pytest.approx(expected, rel=0.006)
    assert got > expected


def test_haversine_is_symmetric():
    for _, a, b in PAIRS:
        assert float(haversine_m(*a, *b)) == pytest.approx(float(haversine_m(*b, *a)), rel=1e-12)


@pytest.mark.parametrize("point", [(0.0, 109.3222), (-0.0366367, 109.3134841), (45.0, -170.0), (-89.9, 0.0)])
def test_zero_distance_from_a_point_to_itself(point):
    assert float(haversine_m(*point, *point)) == 0.0


def test_a_degree_of_latitude_and_of_longitude_at_the_equator():
    assert float(haversine_m(0.0, 109.0, 1.0, 109.0)) == pytest.approx(111_195, rel=1e-3)
    assert float(haversine_m(0.0, 109.0, 0.0, 110.0)) == pytest.approx(111_195, rel=1e-3)


def test_antipodes_do_not_give_nan():
    d = float(haversine_m(0.0, 0.0, 0.0, 180.0))
    assert d == pytest.approx(math.pi * 6_371_008.8, rel=1e-9)


def test_many_points_to_one_broadcast():
    lats = np.array([p[1][0] for p in PAIRS])
    lons = np.array([p[1][1] for p in PAIRS])
    target = (-0.0289456, 109.3437883)
    out = haversine_m(lats, lons, *target)
    assert out.shape == (len(PAIRS),)
    for i, (_, a, _) in enumerate(PAIRS):
        assert out[i] == pytest.approx(float(haversine_m(a[0], a[1], *target)), rel=1e-12)
        assert out[i] == pytest.approx(geodesic(a, target).meters, rel=0.005)


def test_arrays_broadcast_to_a_matrix():
    lats = np.array([-0.05, 0.0, 0.01])
    lons = np.array([109.30, 109.33, 109.36, 109.40])
    out = haversine_m(lats[:, None], lons[None, :], 0.0, 109.33)
    assert out.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            assert out[i, j] == pytest.approx(float(haversine_m(lats[i], lons[j], 0.0, 109.33)), rel=1e-12)
    assert out[1, 1] == 0.0


def test_nan_in_gives_nan_out_for_that_point_only():
    out = haversine_m(np.array([np.nan, -0.02]), np.array([109.33, 109.33]), 0.0, 109.33)
    assert math.isnan(out[0])
    assert out[1] == pytest.approx(float(haversine_m(-0.02, 109.33, 0.0, 109.33)), rel=1e-12)
    assert out[1] > 2000
