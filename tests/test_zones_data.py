"""The shipped coarse zones (dispatch/data/zones.geojson, built by dispatch/data/make_zones.py).

The first tests need only the shipped file. The last ones compare it with the shared reference
data (../shared/data/pontianak), and skip where that folder is missing."""
import csv
import itertools
import json
import re
from pathlib import Path

import pytest
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from conftest import REFERENCE_DATA

ZONES = Path(__file__).resolve().parents[1] / "dispatch" / "data" / "zones.geojson"
REFERENCE = REFERENCE_DATA
KECAMATAN = {"Pontianak Selatan", "Pontianak Timur", "Pontianak Barat", "Pontianak Utara", "Pontianak Kota",
             "Pontianak Tenggara"}
TINY = 1e-9  # square degrees, about 12 m2


@pytest.fixture(scope="module")
def collection():
    with open(ZONES, encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def kelurahan(collection):
    return {f["properties"]["name"]: f for f in collection["features"] if f["properties"]["kind"] == "kelurahan"}


@pytest.fixture(scope="module")
def kecamatan(collection):
    return {f["properties"]["name"]: f for f in collection["features"] if f["properties"]["kind"] == "kecamatan"}


@pytest.fixture(scope="module")
def reference():
    if not REFERENCE.is_dir():
        pytest.skip(f"../shared/data/pontianak not found: {REFERENCE} is missing, so the zones are not "
                    "compared with the reference data")
    return REFERENCE


def test_collection_says_what_it_is(collection):
    assert collection["type"] == "FeatureCollection"
    assert collection["name"]
    assert "coarse" in collection["note"].lower()
    assert "zones import" in collection["note"]
    assert ZONES.stat().st_size < 60_000


def test_29_kelurahan_and_6_kecamatan_with_unique_names(collection, kelurahan, kecamatan):
    names = [f["properties"]["name"] for f in collection["features"]]
    assert len(names) == len(set(names)) == 35
    assert len(kelurahan) == 29
    assert set(kecamatan) == KECAMATAN


def test_properties(kelurahan, kecamatan):
    for name, f in kelurahan.items():
        p = f["properties"]
        assert p["kecamatan"] in KECAMATAN, name
        assert re.fullmatch(r"61\.71\.0[1-6]\.\d{4}", p["code"]), name
        assert p["code"].startswith(kecamatan[p["kecamatan"]]["properties"]["code"] + "."), name
        assert p["source"]
    for name, f in kecamatan.items():
        p = f["properties"]
        assert re.fullmatch(r"61\.71\.0[1-6]", p["code"]), name
        assert "kecamatan" not in p
        assert p["source"]
    codes = [f["properties"]["code"] for f in [*kelurahan.values(), *kecamatan.values()]]
    assert len(codes) == len(set(codes))
    assert "Sungaijawi Dalam" in kelurahan  # the official spelling, written together


def test_geometries_are_valid_rounded_polygons(collection):
    for f in collection["features"]:
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        g = shape(f["geometry"])
        assert g.is_valid and not g.is_empty, f["properties"]["name"]
        x0, y0, x1, y1 = g.bounds  # [lon, lat] around Pontianak, not [lat, lon]
        assert 109.2 < x0 < x1 < 109.45 and -0.12 < y0 < y1 < 0.06, f["properties"]["name"]
    text = ZONES.read_text(encoding="utf-8")
    assert not re.search(r"\d\.\d{6,}", text), "coordinates are rounded to 5 decimals"


def test_kecamatan_is_the_union_of_its_kelurahan(kelurahan, kecamatan):
    for name, f in kecamatan.items():
        parts = [shape(k["geometry"]) for k in kelurahan.values() if k["properties"]["kecamatan"] == name]
        assert parts, name
        assert unary_union(parts).symmetric_difference(shape(f["geometry"])).area < TINY, name


def test_kelurahan_do_not_overlap(kelurahan):
    shapes = {name: shape(f["geometry"]) for name, f in kelurahan.items()}
    for (a, ga), (b, gb) in itertools.combinations(shapes.items(), 2):
        assert ga.intersection(gb).area < TINY, (a, b)


# ---------------------------------------------------------------- against the reference data

def test_each_kelurahan_holds_its_centroid(reference, kelurahan):
    centroids = {}
    with open(reference / "places.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["kind"] == "kelurahan":
                code = re.search(r"\((61\.71\.\d\d\.\d{4})", row["name"]).group(1)
                centroids[code] = (row, Point(float(row["lon"]), float(row["lat"])))
    assert len(centroids) == 29
    for name, f in kelurahan.items():
        row, point = centroids[f["properties"]["code"]]
        assert shape(f["geometry"]).contains(point), name
        assert row["kecamatan"] == f["properties"]["kecamatan"], name
        assert f"Kelurahan {name} (" in row["name"], name  # same official spelling


def test_names_and_codes_agree_with_the_reference(reference, kelurahan, kecamatan):
    with open(reference / "boundaries.geojson", encoding="utf-8") as fh:
        ref = {f["properties"]["name"]: f["properties"] for f in json.load(fh)["features"]}
    for name, f in [*kelurahan.items(), *kecamatan.items()]:
        assert ref[name]["kind"] == f["properties"]["kind"], name
        assert ref[name]["code"] == f["properties"]["code"], name
        if f["properties"]["kind"] == "kelurahan":
            assert ref[name]["kecamatan"] == f["properties"]["kecamatan"], name


def test_zones_cover_the_city(reference, kelurahan):
    with open(reference / "boundaries.geojson", encoding="utf-8") as fh:
        kota = next(shape(f["geometry"]) for f in json.load(fh)["features"] if f["properties"]["kind"] == "kota")
    ours = unary_union([shape(f["geometry"]) for f in kelurahan.values()])
    assert ours.intersection(kota).area > 0.995 * kota.area
    # The outline errs outwards (grown ~110 m before simplifying), never by much.
    assert ours.difference(kota).area < 0.05 * kota.area


def test_no_kelurahan_crosses_a_river(reference, kelurahan):
    with open(reference / "rivers_bridges.geojson", encoding="utf-8") as fh:
        rivers = [shape(f["geometry"]) for f in json.load(fh)["features"] if f["properties"]["kind"] == "river"]
    assert len(rivers) == 2
    for name, f in kelurahan.items():
        g = shape(f["geometry"])
        inner = g.buffer(-2e-5)  # about 2 m: the shipped edges are rounded to 10^-5 degree
        for river in rivers:
            assert not g.crosses(river) or river.intersection(inner).length < 1e-6, name
