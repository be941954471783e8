"""dispatch.geo.zones: which kelurahan and kecamatan a point lies in.

The shipped zones (dispatch/data/zones.geojson) are the project's own coarse polygons: a weighted Voronoi
diagram of the kelurahan centroids, cut by the rivers. The accuracy test measures them against the official
polygons in ../shared/data/pontianak (skipped where that folder is missing) and prints the figures; it also
shows that importing the official file (``zones import`` uses ZoneIndex.from_geojson) gives 100 %.
"""
import copy
import json

import numpy as np
import pytest
import shapely
from geopy.distance import geodesic
from shapely.geometry import Point, shape
from shapely.ops import nearest_points

from conftest import REFERENCE_DATA, gazetteer_places
from dispatch.geo.zones import ZoneDataError, ZoneIndex

REFERENCE = REFERENCE_DATA
KECAMATAN_NAMES = {"Pontianak Selatan", "Pontianak Timur", "Pontianak Barat", "Pontianak Utara", "Pontianak Kota",
                   "Pontianak Tenggara"}
# Floors a little below the figures measured when the shipped zones were built (84.3 % / 96.7 % on the
# same 20,000 points): a change to zones.geojson or to the lookup that loses accuracy fails here.
KELURAHAN_FLOOR, KECAMATAN_FLOOR = 0.82, 0.95
SAMPLE_N, SAMPLE_SEED = 20_000, 119


KECAMATAN = gazetteer_places("kecamatan")
KELURAHAN = gazetteer_places("kelurahan")


@pytest.fixture(scope="module")
def zones():
    return ZoneIndex.shipped()


@pytest.fixture(scope="module")
def official():
    if not (REFERENCE / "boundaries.geojson").is_file():
        pytest.skip(f"../shared/data/pontianak not found: {REFERENCE} is missing, so the zones are not measured "
                    "against the official boundaries")
    with open(REFERENCE / "boundaries.geojson", encoding="utf-8") as fh:
        return json.load(fh)


def report(capsys, text):
    """Print to the terminal even when pytest captures output (no -s needed): the CI log shows it."""
    with capsys.disabled():
        print(f"\n{text}")


# ---------------------------------------------------------------- the shipped zones

def test_shipped_zones_hold_29_kelurahan_in_6_kecamatan(zones):
    assert zones.source == "shipped"
    assert len(zones.kelurahan) == 29
    assert {z.name for z in zones.kecamatan} == KECAMATAN_NAMES
    assert {z.kecamatan for z in zones.kelurahan} == KECAMATAN_NAMES


@pytest.mark.parametrize("place", KECAMATAN, ids=[p["name"] for p in KECAMATAN])
def test_kecamatan_centroid_lands_in_its_kecamatan(zones, place):
    match = zones.lookup(place["lat"], place["lon"])
    assert match.inside and not match.outside_service_area
    assert match.kecamatan == place["name"]
    assert match.distance_m == 0
    assert zones.kecamatan_of(match.kelurahan) == place["name"]  # the kelurahan found is in it too


@pytest.mark.parametrize("place", KELURAHAN, ids=[p["name"] for p in KELURAHAN])
def test_kelurahan_centroid_lands_in_its_kelurahan_and_kecamatan(zones, place):
    match = zones.lookup(place["lat"], place["lon"])
    assert match.inside
    assert (match.kelurahan, match.kecamatan) == (place["name"], place["kecamatan"])


def test_how_many_kelurahan_centroids_land_in_their_own_kelurahan(zones, capsys, record_testsuite_property):
    own = [p["name"] for p in KELURAHAN if zones.lookup(p["lat"], p["lon"]).kelurahan == p["name"]]
    report(capsys, f"shipped zones: {len(own)} of {len(KELURAHAN)} kelurahan centroids land in their own kelurahan")
    record_testsuite_property("kelurahan_centroids_in_own_kelurahan", len(own))
    # The coarse zones are (weighted) Voronoi cells of these very centroids: every one must hold its own.
    assert len(own) == len(KELURAHAN) == 29


def test_a_point_on_the_border_between_two_kecamatan_is_inside_the_city(zones):
    # A vertex shared by Pontianak Kota and Pontianak Selatan, well inside the city. The shipped
    # coordinates have 5 decimals, so a position typed or rounded to 5 decimals can land exactly on
    # one: it must not be reported as outside the service area.
    kota = next(z for z in zones.kecamatan if z.name == "Pontianak Kota").geometry
    selatan = next(z for z in zones.kecamatan if z.name == "Pontianak Selatan").geometry
    shared = shapely.get_coordinates(kota.boundary.intersection(selatan.boundary))
    deep = zones.service_area.buffer(-0.002)
    vertices = [(y, x) for x, y in shared if deep.contains(Point(x, y))]
    assert vertices
    for lat, lon in vertices:
        match = zones.lookup(lat, lon)
        assert match.inside, (lat, lon)
        assert match.kecamatan in ("Pontianak Kota", "Pontianak Selatan")
        assert match.kelurahan is not None and zones.kecamatan_of(match.kelurahan) == match.kecamatan
        kel, kec = zones.lookup_many([lat], [lon])
        assert kel[0] >= 0 and kec[0] >= 0


def test_lookup_many_equals_lookup_one_by_one(zones):
    rng = np.random.default_rng(2024)
    x0, y0, x1, y1 = zones.service_area.bounds
    n = 2000
    # Random points over the city's bounding box and 2 km around it: most inside, many outside.
    lons = rng.uniform(x0 - 0.02, x1 + 0.02, n)
    lats = rng.uniform(y0 - 0.02, y1 + 0.02, n)
    lats[:5] = [np.nan, -0.03, np.nan, 5.0, -0.03]   # NaN, NaN lon, both NaN, far away, inside
    lons[:5] = [109.33, np.nan, np.nan, 109.33, 109.33]
    kel, kec = zones.lookup_many(lats, lons)
    assert kel.shape == kec.shape == (n,)
    assert kel[:4].tolist() == [-1, -1, -1, -1] and kec[:4].tolist() == [-1, -1, -1, -1]
    assert kec[4] >= 0
    inside = outside = 0
    for i in range(3, n):  # lookup of a NaN position is not asked for; the rest one by one
        match = zones.lookup(lats[i], lons[i])
        if kec[i] >= 0:
            inside += 1
            assert match.inside, i
            assert match.kecamatan == zones.kecamatan[kec[i]].name, i
            assert match.kelurahan == (zones.kelurahan[kel[i]].name if kel[i] >= 0 else None), i
        else:
            outside += 1
            assert kel[i] == -1
            assert not match.inside and match.kelurahan is None and match.distance_m > 0, i
            assert match.kecamatan in KECAMATAN_NAMES
    assert inside > 500 and outside > 200
    # Inside the city the kelurahan always lies in the kecamatan found.
    both = (kel >= 0) & (kec >= 0)
    assert ((kel >= 0) == (kec >= 0)).all()
    assert all(zones.kelurahan[k].kecamatan == zones.kecamatan[c].name for k, c in zip(kel[both], kec[both]))


@pytest.mark.parametrize("label, lat, lon, nearest, km_range", [
    ("Supadio airport (Kubu Raya)", -0.15056, 109.40389, "Pontianak Tenggara", (7, 11)),
    ("Desa Sungai Raya (Kubu Raya), just over the city limit", -0.07154625, 109.37235563, "Pontianak Tenggara",
     (0.5, 1.5)),
    ("Sungai Ambawang Kuala (Kubu Raya), east of the city", -0.0366194, 109.40635137, "Pontianak Timur", (2, 3.5)),
    ("the sea far west of the city", 0.0, 108.9, "Pontianak Barat", (38, 45)),
])
def test_a_point_outside_the_city_gets_the_nearest_kecamatan_and_its_distance(zones, label, lat, lon, nearest,
                                                                              km_range):
    match = zones.lookup(lat, lon)
    assert not match.inside and match.outside_service_area
    assert match.kelurahan is None
    assert match.kecamatan == nearest
    assert km_range[0] * 1000 < match.distance_m < km_range[1] * 1000
    # The same figure, measured on the ellipsoid to the nearest point of each kecamatan.
    here = Point(lon, lat)
    metres = {z.name: geodesic((lat, lon), (p.y, p.x)).meters
              for z in zones.kecamatan for p in [nearest_points(z.geometry, here)[0]]}
    assert min(metres, key=metres.get) == nearest
    assert match.distance_m == pytest.approx(metres[nearest], rel=0.02)


# ---------------------------------------------------------------- accuracy against the official boundaries

@pytest.fixture(scope="module")
def sample(official):
    """SAMPLE_N uniform random points in the official kota polygon, labelled with the official kelurahan
    and kecamatan polygons that contain them (made valid: several official polygons are not)."""
    features = official["features"]
    kota = shapely.make_valid(next(shape(f["geometry"]) for f in features if f["properties"]["kind"] == "kota"))
    kel = [(f["properties"]["name"], f["properties"]["kecamatan"], shapely.make_valid(shape(f["geometry"])))
           for f in features if f["properties"]["kind"] == "kelurahan"]
    assert len(kel) == 29
    rng = np.random.default_rng(SAMPLE_SEED)
    x0, y0, x1, y1 = kota.bounds
    xs, ys = np.empty(0), np.empty(0)
    while len(xs) < SAMPLE_N:
        x, y = rng.uniform(x0, x1, 4 * SAMPLE_N), rng.uniform(y0, y1, 4 * SAMPLE_N)  # as make_zones.measure
        hit = shapely.contains_xy(kota, x, y)
        xs, ys = np.concatenate([xs, x[hit]]), np.concatenate([ys, y[hit]])
    xs, ys = xs[:SAMPLE_N], ys[:SAMPLE_N]
    true_kel = np.full(SAMPLE_N, None, dtype=object)
    true_kec = np.full(SAMPLE_N, None, dtype=object)
    for name, kecamatan, geom in kel:
        hit = shapely.contains_xy(geom, xs, ys) & (true_kel == None)  # noqa: E711 (numpy elementwise)
        true_kel[hit] = name
        true_kec[hit] = kecamatan
    known = true_kel != None  # noqa: E711 -- a point on an official border or in a sliver: left out
    assert known.mean() > 0.99
    return ys[known], xs[known], true_kel[known], true_kec[known]


def _agreement(index, sample):
    lats, lons, true_kel, true_kec = sample
    kel, kec = index.lookup_many(lats, lons)
    got_kel = np.array([index.kelurahan[k].name if k >= 0 else None for k in kel], dtype=object)
    got_kec = np.array([index.kecamatan[k].name if k >= 0 else None for k in kec], dtype=object)
    return float((got_kel == true_kel).mean()), float((got_kec == true_kec).mean()), int((kec < 0).sum())


def test_accuracy_of_the_shipped_zones_against_the_official_boundaries(zones, sample, record_testsuite_property,
                                                                       capsys):
    kel_share, kec_share, outside = _agreement(zones, sample)
    n = len(sample[0])
    report(capsys, f"shipped coarse zones vs official BIG boundaries, {n} random points in the official kota "
                   f"(seed {SAMPLE_SEED}): kelurahan {kel_share:.1%}, kecamatan {kec_share:.1%} "
                   f"({outside} points outside the shipped outline, counted wrong)")
    record_testsuite_property("zones_kelurahan_accuracy", round(kel_share, 4))
    record_testsuite_property("zones_kecamatan_accuracy", round(kec_share, 4))
    assert kel_share > KELURAHAN_FLOOR
    assert kec_share > KECAMATAN_FLOOR
    assert kec_share > kel_share  # a wrong kelurahan is often still in the right kecamatan


def test_importing_the_official_boundaries_gives_full_agreement(official, sample, record_testsuite_property, capsys):
    # Several official polygons are self-intersecting (11 with shapely 2.2): from_geojson must repair them.
    assert any(not shape(f["geometry"]).is_valid for f in official["features"])
    index = ZoneIndex.from_geojson(official, source="boundaries.geojson")
    assert len(index.kelurahan) == 29 and len(index.kecamatan) == 6  # the kota feature is ignored
    assert all(z.geometry.is_valid for z in index.kelurahan + index.kecamatan)
    kel_share, kec_share, outside = _agreement(index, sample)
    report(capsys, f"official boundaries imported with ZoneIndex.from_geojson: kelurahan {kel_share:.1%}, "
                   f"kecamatan {kec_share:.1%}")
    record_testsuite_property("imported_official_kelurahan_accuracy", kel_share)
    assert (kel_share, kec_share, outside) == (1.0, 1.0, 0)


# ---------------------------------------------------------------- from_geojson: a small synthetic city
#
#   lat -0.02 +--------+--------+--------+--------+
#             |   A1   |   A2   |   B1   |   B2   |      kecamatan A = A1 + A2, B = B1 + B2
#   lat -0.04 +--------+--------+--------+--------+
#        lon 109.30  109.31   109.32   109.33   109.34

def square(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def feature(name, kind, geometry, **props):
    return {"type": "Feature", "properties": {"name": name, "kind": kind, **props}, "geometry": geometry}


def city(with_kecamatan=True, with_parent=True, with_kota=False):
    kel = [("A1", "A", 109.30), ("A2", "A", 109.31), ("B1", "B", 109.32), ("B2", "B", 109.33)]
    features = []
    if with_kota:
        features.append(feature("Kota X", "kota", square(109.20, -0.10, 109.50, 0.10)))
    if with_kecamatan:
        features += [feature("A", "kecamatan", square(109.30, -0.04, 109.32, -0.02), code="61.99.01"),
                     feature("B", "kecamatan", square(109.32, -0.04, 109.34, -0.02), code="61.99.02")]
    for name, kec, x in kel:
        props = {"kecamatan": kec} if with_parent else {}
        features.append(feature(name, "kelurahan", square(x, -0.04, round(x + 0.01, 2), -0.02), **props))
    return {"type": "FeatureCollection", "features": features}


def where(index, lat, lon):
    m = index.lookup(lat, lon)
    return (m.kelurahan, m.kecamatan, m.inside)


def test_from_geojson_builds_a_working_index():
    index = ZoneIndex.from_geojson(city(), source="test")
    assert index.source == "test"
    assert where(index, -0.03, 109.305) == ("A1", "A", True)
    assert where(index, -0.03, 109.335) == ("B2", "B", True)
    assert where(index, -0.05, 109.335)[1:] == ("B", False)
    assert index.kecamatan_of("B1") == "B"


def test_a_point_on_a_shared_edge_is_inside():
    index = ZoneIndex.from_geojson(city(), source="test")
    for lat, lon in [(-0.03, 109.32), (-0.03, 109.31), (-0.02, 109.325), (-0.04, 109.30)]:
        kel, kec, inside = where(index, lat, lon)
        assert inside and kel is not None and index.kecamatan_of(kel) == kec, (lat, lon)


BAD_COORDINATES = [
    ("not numbers", [[["a", "b"], ["c", "d"], ["e", "f"], ["a", "b"]]], r"feature 3 \('A1'\).*coordinates"),
    ("null", [[[None, None], [109.31, -0.04], [109.31, -0.02], [None, None]]], r"feature 3 \('A1'\).*coordinates"),
    ("NaN", [[[109.30, -0.04], [float("nan"), -0.04], [109.31, -0.02], [109.30, -0.04]]],
     r"feature 3 \('A1'\).*not numbers"),
    ("infinite", [[[109.30, -0.04], [109.31, float("inf")], [109.31, -0.02], [109.30, -0.04]]],
     r"feature 3 \('A1'\).*not numbers"),
    ("latitude 200", [[[109.30, -0.04], [109.31, 200.0], [109.31, -0.02], [109.30, -0.04]]],
     r"feature 3 \('A1'\).*out of range"),
    ("[lat, lon] order", [[[-0.04, 109.30], [-0.04, 109.31], [-0.02, 109.31], [-0.02, 109.30], [-0.04, 109.30]]],
     r"feature 3 \('A1'\).*out of range.*\[lon, lat\]"),
    ("a ring of 2 points", [[[109.30, -0.04], [109.31, -0.04]]], r"feature 3 \('A1'\)"),
    ("no coordinates", [], r"feature 3 \('A1'\).*empty"),
]


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # shapely, on the NaN ring
@pytest.mark.parametrize("label, coords, message", BAD_COORDINATES, ids=[b[0] for b in BAD_COORDINATES])
def test_bad_coordinates_are_refused(label, coords, message):
    data = city()
    data["features"][2]["geometry"] = {"type": "Polygon", "coordinates": coords}
    with pytest.raises(ZoneDataError, match=message):
        ZoneIndex.from_geojson(data, source="test")


def _with(change):
    def build():
        data = city()
        change(data)
        return data
    return build


def _props(i, **kw):
    def change(data):
        for k, v in kw.items():
            if v is _DELETE:
                data["features"][i]["properties"].pop(k, None)
            else:
                data["features"][i]["properties"][k] = v
    return change


_DELETE = object()

BAD_FILES = [
    ("a list, not an object", lambda: [city()], "not a GeoJSON FeatureCollection"),
    ("a single Feature", lambda: city()["features"][0], "not a GeoJSON FeatureCollection"),
    ("a Polygon", lambda: square(109.3, -0.04, 109.31, -0.02), "not a GeoJSON FeatureCollection"),
    ("no features", lambda: {"type": "FeatureCollection", "features": []}, "no features"),
    ("features missing", lambda: {"type": "FeatureCollection"}, "no features"),
    ("features not a list", lambda: {"type": "FeatureCollection", "features": {"a": 1}}, "no features"),
    ("a feature that is not a Feature", _with(lambda d: d["features"].append({"type": "Polygon"})),
     r"feature 7 is not a GeoJSON Feature"),
    ("properties not an object", _with(lambda d: d["features"][3].__setitem__("properties", ["A2"])),
     r"feature 4: properties must be an object"),
    ("kind missing", _with(_props(3, kind=_DELETE)), r"feature 4 \('A2'\).*'kind'.*None"),
    ("kind desa", _with(_props(3, kind="desa")), r"feature 4 \('A2'\).*'kind'.*'desa'"),
    ("name missing", _with(_props(4, name=_DELETE)), r"feature 5: property 'name'"),
    ("name empty", _with(_props(4, name="")), r"feature 5 \(''\): property 'name'"),
    ("name blank", _with(_props(4, name="   ")), r"feature 5 .*property 'name'"),
    ("name a number", _with(_props(4, name=42)), r"feature 5: property 'name'"),
    ("name too long", _with(_props(4, name="Kelurahan " + "x" * 100)), r"feature 5 .*at most 100 characters"),
    ("geometry a Point", _with(lambda d: d["features"][2].__setitem__(
        "geometry", {"type": "Point", "coordinates": [109.3, -0.03]})), r"feature 3 \('A1'\).*Polygon"),
    ("geometry missing", _with(lambda d: d["features"][2].pop("geometry")), r"feature 3 \('A1'\).*Polygon"),
    ("two kelurahan of one name", _with(_props(5, name="A1")), r"kelurahan 'A1' appears twice"),
    ("two kecamatan of one name", _with(_props(1, name="A")), r"kecamatan 'A' appears twice"),
    ("a kelurahan of a kecamatan not in the file", _with(_props(3, kecamatan="Nowhere")),
     r"kelurahan 'A2' names kecamatan 'Nowhere', which is not in the file"),
]


@pytest.mark.parametrize("label, make, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_are_refused_with_a_message_naming_the_problem(label, make, message):
    with pytest.raises(ZoneDataError, match=message):
        ZoneIndex.from_geojson(make(), source="test")


def test_a_kelurahan_naming_no_kecamatan_is_refused_when_nothing_else_tells():
    data = city(with_kecamatan=False)
    data["features"][1]["properties"].pop("kecamatan")
    with pytest.raises(ZoneDataError, match=r"kelurahan 'A2' names no kecamatan"):
        ZoneIndex.from_geojson(data, source="test")
    # A code alone does not help when there is no kecamatan to match it with.
    data["features"][1]["properties"]["code"] = "61.99.01.1002"
    with pytest.raises(ZoneDataError, match=r"kelurahan 'A2' names no kecamatan"):
        ZoneIndex.from_geojson(data, source="test")


def test_a_kelurahan_without_kecamatan_gets_it_from_its_code_or_its_polygon():
    data = city(with_parent=False)
    data["features"][3]["properties"]["code"] = "61.99.01.1002"  # A2 -> kecamatan code 61.99.01 = A
    data["features"][4]["properties"]["code"] = "61.99.01.1003"  # B1 -> by code A, although it lies in B
    index = ZoneIndex.from_geojson(data, source="test")
    assert index.kecamatan_of("A2") == "A"
    assert index.kecamatan_of("B1") == "A"   # the code is the declared parent
    assert index.kecamatan_of("A1") == "A"   # no code: the kecamatan it overlaps most
    assert index.kecamatan_of("B2") == "B"


def test_kecamatan_are_dissolved_from_kelurahan_when_only_kelurahan_are_given():
    index = ZoneIndex.from_geojson(city(with_kecamatan=False), source="test")
    assert sorted(z.name for z in index.kecamatan) == ["A", "B"]
    a = next(z for z in index.kecamatan if z.name == "A")
    assert a.geometry.equals(shape(square(109.30, -0.04, 109.32, -0.02)))
    assert where(index, -0.03, 109.315) == ("A2", "A", True)
    assert where(index, -0.03, 109.325) == ("B1", "B", True)
    assert where(index, -0.01, 109.325)[2] is False


def test_kota_features_are_ignored():
    index = ZoneIndex.from_geojson(city(with_kota=True), source="test")
    assert len(index.kecamatan) == 2 and len(index.kelurahan) == 4
    # In the kota polygon but in no kecamatan: outside the service area, which is the union of the kecamatan.
    assert where(index, -0.08, 109.40)[2] is False
    assert index.service_area.equals(shape(square(109.30, -0.04, 109.34, -0.02)))


def test_a_self_intersecting_polygon_is_repaired_and_accepted():
    data = city()
    # A1 drawn as a bow-tie: the ring crosses itself in the middle of the square.
    data["features"][2]["geometry"] = {"type": "Polygon", "coordinates": [
        [[109.30, -0.04], [109.31, -0.02], [109.31, -0.04], [109.30, -0.02], [109.30, -0.04]]]}
    assert not shape(data["features"][2]["geometry"]).is_valid
    index = ZoneIndex.from_geojson(data, source="test")
    a1 = next(z for z in index.kelurahan if z.name == "A1").geometry
    assert a1.is_valid and a1.area > 0
    assert where(index, -0.03, 109.302) == ("A1", "A", True)    # the west lobe of the bow-tie
    assert where(index, -0.03, 109.308) == ("A1", "A", True)    # the east lobe
    assert where(index, -0.035, 109.305)[0] is None             # below the crossing: in no kelurahan


def test_to_geojson_round_trips_the_shipped_zones(zones):
    text = json.dumps(zones.to_geojson())
    again = ZoneIndex.from_geojson(json.loads(text), source="again")
    assert [z.name for z in again.kelurahan] == [z.name for z in zones.kelurahan]
    assert [z.name for z in again.kecamatan] == [z.name for z in zones.kecamatan]
    assert [z.kecamatan for z in again.kelurahan] == [z.kecamatan for z in zones.kelurahan]
    assert [z.code for z in again.kelurahan + again.kecamatan] == [z.code for z in zones.kelurahan + zones.kecamatan]
    rng = np.random.default_rng(5)
    x0, y0, x1, y1 = zones.service_area.bounds
    lats, lons = rng.uniform(y0 - 0.01, y1 + 0.01, 3000), rng.uniform(x0 - 0.01, x1 + 0.01, 3000)
    for a, b in zip(zones.lookup_many(lats, lons), again.lookup_many(lats, lons)):
        assert (a == b).all()
    for p in KECAMATAN + KELURAHAN + [{"lat": -0.15056, "lon": 109.40389}]:
        assert again.lookup(p["lat"], p["lon"]) == zones.lookup(p["lat"], p["lon"])


def test_to_geojson_round_trips_dissolved_and_repaired_zones():
    data = city(with_kecamatan=False)
    data["features"][0]["geometry"] = {"type": "Polygon", "coordinates": [
        [[109.30, -0.04], [109.31, -0.02], [109.31, -0.04], [109.30, -0.02], [109.30, -0.04]]]}
    index = ZoneIndex.from_geojson(data, source="test")
    out = index.to_geojson()
    assert out["type"] == "FeatureCollection" and out["source"] == "test"
    kinds = [f["properties"]["kind"] for f in out["features"]]
    assert kinds.count("kecamatan") == 2 and kinds.count("kelurahan") == 4
    assert all(f["properties"]["kecamatan"] in ("A", "B") for f in out["features"]
               if f["properties"]["kind"] == "kelurahan")
    again = ZoneIndex.from_geojson(json.loads(json.dumps(out)), source="again")
    for lat, lon in [(-0.035, 109.305), (-0.03, 109.302), (-0.03, 109.315), (-0.03, 109.335), (-0.05, 109.3)]:
        assert where(again, lat, lon) == where(index, lat, lon)


def test_from_geojson_does_not_change_its_input():
    data = city(with_kecamatan=False, with_kota=True)
    before = copy.deepcopy(data)
    ZoneIndex.from_geojson(data, source="test")
    assert data == before
