"""The gazetteer data file: its schema, its completeness, and agreement with the demo hospitals and
(where the folder exists) with the shared reference geography it was compiled from."""
import csv
import json
import math
import re
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import REFERENCE_DATA

ROOT = Path(__file__).parents[1]
GAZETTEER = ROOT / "dispatch/data/gazetteer.json"
DEMO = ROOT / "dispatch/data/demo.json"
SHARED = REFERENCE_DATA

KINDS = {"kecamatan", "kelurahan", "hospital", "puskesmas", "landmark", "bridge", "road"}
KECAMATAN = {"Pontianak Selatan", "Pontianak Timur", "Pontianak Barat", "Pontianak Utara", "Pontianak Kota",
             "Pontianak Tenggara"}
PLACE_KEYS = {"name", "kind", "lat", "lon", "aliases", "kecamatan", "precision_m", "source"}
# Generous box around Kota Pontianak (and Supadio airport): a swapped lat/lon pair falls far outside it.
LAT_RANGE = (-0.2, 0.2)
LON_RANGE = (109.1, 109.6)

# Spellings deliberately shared by two places, with the reason. Empty: every spelling names one place.
SHARED_ALIASES_ALLOWED = {
    # "normalised spelling": "reason",
}


@pytest.fixture(scope="module")
def gazetteer():
    with open(GAZETTEER, encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def places(gazetteer):
    return gazetteer["places"]


def key(spelling):
    """Casefolded, without spaces (and without . , - ' which the geocoder drops as well)."""
    return re.sub(r"[\s.,\-']+", "", spelling.casefold())


def haversine_m(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371000 * math.asin(math.sqrt(a))


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def check_point(lat, lon, where):
    assert is_number(lat) and is_number(lon), where
    assert LAT_RANGE[0] <= lat <= LAT_RANGE[1], f"{where}: lat {lat} outside {LAT_RANGE} (swapped?)"
    assert LON_RANGE[0] <= lon <= LON_RANGE[1], f"{where}: lon {lon} outside {LON_RANGE} (swapped?)"
    assert round(lat, 7) == lat and round(lon, 7) == lon, f"{where}: more than 7 decimals"


def test_top_level_schema(gazetteer):
    assert set(gazetteer) == {"about", "sources", "places"}
    assert isinstance(gazetteer["about"], str) and gazetteer["about"].strip()
    assert isinstance(gazetteer["sources"], dict) and gazetteer["sources"]
    for name, text in gazetteer["sources"].items():
        assert isinstance(name, str) and isinstance(text, str) and text.strip(), name
    assert isinstance(gazetteer["places"], list) and gazetteer["places"]


def test_every_place_follows_the_schema(gazetteer, places):
    for p in places:
        where = p.get("name", p)
        extra = {"points"} if p.get("kind") == "road" else set()
        assert set(p) == PLACE_KEYS | extra, f"{where}: keys {sorted(p)}"
        assert isinstance(p["name"], str) and p["name"].strip() == p["name"] and p["name"], where
        assert p["kind"] in KINDS, where
        check_point(p["lat"], p["lon"], where)
        assert isinstance(p["aliases"], list), where
        assert all(isinstance(a, str) and a.strip() == a and a for a in p["aliases"]), where
        assert p["kecamatan"] is None or p["kecamatan"] in KECAMATAN, f"{where}: kecamatan {p['kecamatan']!r}"
        assert isinstance(p["precision_m"], int) and not isinstance(p["precision_m"], bool), where
        assert 10 <= p["precision_m"] <= 5000, where
        assert p["source"] in gazetteer["sources"], f"{where}: unknown source {p['source']!r}"


def test_roads_have_points_in_lat_lon_order(places):
    roads = [p for p in places if p["kind"] == "road"]
    assert roads
    for r in roads:
        pts = r["points"]
        assert isinstance(pts, list) and len(pts) >= 1, r["name"]
        for i, pt in enumerate(pts):
            assert isinstance(pt, list) and len(pt) == 2, (r["name"], pt)
            check_point(pt[0], pt[1], f"{r['name']} point {i}")
        # the representative point is one of the road's points
        assert [r["lat"], r["lon"]] in pts, r["name"]


def test_administrative_areas_are_complete(places):
    kec = [p for p in places if p["kind"] == "kecamatan"]
    kel = [p for p in places if p["kind"] == "kelurahan"]
    assert {p["name"] for p in kec} == KECAMATAN and len(kec) == 6
    for p in kec:
        assert p["kecamatan"] == p["name"]
    assert len(kel) == 29
    for p in kel:
        assert p["kecamatan"] in KECAMATAN, p["name"]
    assert {p["kecamatan"] for p in kel} == KECAMATAN


def test_names_are_unique(places):
    names = [p["name"] for p in places]
    assert len(names) == len(set(names))
    keys = [key(n) for n in names]
    assert len(keys) == len(set(keys))


def test_demo_hospitals_are_present_with_the_same_coordinates(places):
    with open(DEMO, encoding="utf-8") as fh:
        demo = json.load(fh)["hospitals"]
    assert len(demo) == 15
    hospitals = {p["name"]: p for p in places if p["kind"] == "hospital"}
    for h in demo:
        assert h["name"] in hospitals, f"demo hospital {h['name']!r} missing from the gazetteer"
        g = hospitals[h["name"]]
        assert g["lat"] == pytest.approx(h["lat"], abs=1e-6), h["name"]
        assert g["lon"] == pytest.approx(h["lon"], abs=1e-6), h["name"]


def test_no_spelling_names_two_places(places):
    owners = defaultdict(set)
    for p in places:
        for spelling in [p["name"], *p["aliases"]]:
            owners[key(spelling)].add(p["name"])
    shared = {k: sorted(v) for k, v in owners.items() if len(v) > 1 and k not in SHARED_ALIASES_ALLOWED}
    assert not shared, f"spellings naming more than one place: {shared}"
    stale = set(SHARED_ALIASES_ALLOWED) - {k for k, v in owners.items() if len(v) > 1}
    assert not stale, f"allow-list entries no longer shared: {stale}"


def test_agrees_with_the_shared_reference_geography(places):
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data/pontianak not found: {SHARED} (reference data for this check only)")
    with open(SHARED / "boundaries.geojson", encoding="utf-8") as fh:
        features = [f["properties"] for f in json.load(fh)["features"]]
    by_name = {p["name"]: p for p in places}

    for kind in ("kecamatan", "kelurahan"):
        ref = [f for f in features if f["kind"] == kind]
        assert {f["name"] for f in ref} == {p["name"] for p in places if p["kind"] == kind}
        for f in ref:
            g = by_name[f["name"]]
            assert g["kind"] == kind, f["name"]
            assert g["lat"] == pytest.approx(f["centroid_lat"], abs=1e-6), f["name"]
            assert g["lon"] == pytest.approx(f["centroid_lon"], abs=1e-6), f["name"]
            if kind == "kelurahan":
                assert g["kecamatan"] == f["kecamatan"], f["name"]
                aliases = {key(a) for a in g["aliases"]}
                for alt in f["alt_names"]:
                    assert key(alt) in aliases, f"{f['name']}: alt_name {alt!r} not among the aliases"

    hospitals = [p for p in places if p["kind"] == "hospital"]
    with open(SHARED / "places.csv", encoding="utf-8", newline="") as fh:
        ref_hospitals = [r for r in csv.DictReader(fh) if r["kind"] == "hospital"]
    assert len(ref_hospitals) == 15
    for r in ref_hospitals:
        lat, lon = float(r["lat"]), float(r["lon"])
        nearest = min(haversine_m(lat, lon, h["lat"], h["lon"]) for h in hospitals)
        assert nearest <= 200, f"{r['name']}: nearest gazetteer hospital {nearest:.0f} m away"
