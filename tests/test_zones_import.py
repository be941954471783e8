"""``flask --app wsgi zones import FILE.geojson``, ``zones reset`` and ``zones show``.

An import replaces the shipped coarse zones for every later lookup (calls, reverse,
search); a malformed file is refused with a clear message and the zones in use stay.
"""
import json

import numpy as np
import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import func, select

from conftest import REFERENCE_DATA, fresh
from dispatch.models import Event, Zone

SHARED = REFERENCE_DATA
BOUNDARIES = SHARED / "boundaries.geojson"


def official():
    if not BOUNDARIES.exists():
        pytest.skip(f"../shared/data/pontianak not found: {SHARED} (official boundaries for the import test)")
    return json.loads(BOUNDARIES.read_text(encoding="utf-8"))


def square(name, kind, lon, lat, size=0.01, **props):
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Feature", "properties": {"name": name, "kind": kind, **props},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def write(tmp_path, data, name="zones.geojson"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def run(app, *args):
    return app.test_cli_runner().invoke(args=["zones", *args])


def reverse(world, lat, lon):
    return world.get("op", f"/api/reverse?lat={lat}&lon={lon}").get_json()


def test_import_replaces_the_zones_for_every_lookup(app, world, session, tmp_path):
    data = {"type": "FeatureCollection", "features": [
        square("Kecamatan Uji", "kecamatan", 109.30, -0.05, size=0.05),
        square("Kelurahan Satu", "kelurahan", 109.30, -0.05, size=0.025, kecamatan="Kecamatan Uji"),
    ]}
    result = run(app, "import", write(tmp_path, data))
    assert result.exit_code == 0, result.output
    assert "1 kecamatan and 1 kelurahan" in result.output
    body = reverse(world, -0.04, 109.31)
    assert (body["kelurahan"], body["kecamatan"]) == ("Kelurahan Satu", "Kecamatan Uji")
    # Outside the imported area now: flagged, with the nearest (imported) kecamatan.
    assert reverse(world, 0.005, 109.33)["outside_service_area"] is True
    inc = world.post("op", "/api/calls", {"caller_phone": "0811-573-001", "lat": -0.04, "lon": 109.31}).get_json()["incident"]
    assert inc["kecamatan"] == "Kecamatan Uji"
    fresh(session)
    assert session.scalar(select(func.count(Zone.id))) == 2
    event = session.scalars(select(Event).where(Event.type == "zones.imported")).one()
    assert event.data == {"source": write(tmp_path, data), "kecamatan": 1, "kelurahan": 1}


def test_reset_goes_back_to_the_shipped_zones(app, world, tmp_path):
    shipped = reverse(world, -0.0203, 109.3268)
    data = {"type": "FeatureCollection", "features": [square("K", "kecamatan", 109.30, -0.05, size=0.05)]}
    assert run(app, "import", write(tmp_path, data)).exit_code == 0
    assert reverse(world, -0.0203, 109.3268)["kecamatan"] != shipped["kecamatan"]
    result = run(app, "reset")
    assert result.exit_code == 0 and "shipped" in result.output
    assert reverse(world, -0.0203, 109.3268) == shipped


def test_show_names_the_source_and_the_zones(app, tmp_path):
    result = run(app, "show")
    assert result.exit_code == 0 and "source: shipped" in result.output
    assert "Pontianak Timur: 7 kelurahan" in result.output


MALFORMED = {
    "not json": ("{not json", "not readable GeoJSON"),
    "a list": ("[]", "FeatureCollection"),
    "no features": ({"type": "FeatureCollection", "features": []}, "no features"),
    "point geometry": ({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "X", "kind": "kecamatan"},
         "geometry": {"type": "Point", "coordinates": [109.3, -0.03]}}]}, "Polygon"),
    "unknown kind": ({"type": "FeatureCollection", "features": [square("X", "desa", 109.3, -0.03)]}, "kind"),
    "no name": ({"type": "FeatureCollection", "features": [square("", "kecamatan", 109.3, -0.03)]}, "name"),
    "lat out of range": ({"type": "FeatureCollection", "features": [square("X", "kecamatan", 109.3, 95)]},
                         "out of range"),
    "nan coordinates": ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
                        '{"name": "X", "kind": "kecamatan"}, "geometry": {"type": "Polygon", "coordinates": '
                        '[[[0, 0], [NaN, 0], [1, 1], [0, 0]]]}}]}', "not numbers"),
    "ring of strings": ({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "X", "kind": "kecamatan"},
         "geometry": {"type": "Polygon", "coordinates": [["a", "b"]]}}]}, "malformed"),
    "orphan kelurahan": ({"type": "FeatureCollection", "features": [square("X", "kelurahan", 109.3, -0.03)]},
                         "kecamatan"),
    "duplicate": ({"type": "FeatureCollection", "features": [square("X", "kecamatan", 109.3, -0.03),
                                                             square("X", "kecamatan", 109.4, -0.03)]}, "twice"),
    "binary": ("\x00\x01\x02\xff", "not readable"),
    "code too long": ({"type": "FeatureCollection", "features": [square("X", "kecamatan", 109.3, -0.03,
                                                                        code="6" * 40)]}, "'code'"),
    "kecamatan name too long": ({"type": "FeatureCollection", "features": [
        square("Y", "kecamatan", 109.3, -0.03), square("X", "kelurahan", 109.3, -0.03, kecamatan="K" * 101)]},
        "'kecamatan'"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_file_is_refused_clearly_and_the_old_zones_stay(app, world, session, tmp_path, case):
    data, words = MALFORMED[case]
    before = reverse(world, -0.0203, 109.3268)
    result = run(app, "import", write(tmp_path, data))
    assert result.exit_code != 0
    assert "zones not imported" in result.output and words in result.output, result.output
    assert "Traceback" not in result.output
    fresh(session)
    assert session.scalar(select(func.count(Zone.id))) == 0
    assert session.scalar(select(func.count(Event.id)).where(Event.type == "zones.imported")) == 0
    assert reverse(world, -0.0203, 109.3268) == before


def test_failed_import_keeps_an_earlier_import(app, world, tmp_path):
    good = {"type": "FeatureCollection", "features": [square("K", "kecamatan", 109.30, -0.05, size=0.05)]}
    assert run(app, "import", write(tmp_path, good)).exit_code == 0
    bad = {"type": "FeatureCollection", "features": [square("X", "desa", 109.3, -0.03)]}
    assert run(app, "import", write(tmp_path, bad, "bad.geojson")).exit_code != 0
    assert reverse(world, -0.04, 109.31)["kecamatan"] == "K"


def test_missing_file_is_refused(app):
    result = run(app, "import", "/nonexistent/zones.geojson")
    assert result.exit_code != 0 and "does not exist" in result.output


def test_official_boundaries_import_gives_every_point_its_official_zone(app, world, tmp_path):
    """After `zones import` of the official boundaries, lookups agree with them 100%."""
    data = official()
    result = run(app, "import", str(BOUNDARIES))
    assert result.exit_code == 0, result.output
    assert "6 kecamatan and 29 kelurahan" in result.output
    kota = shapely.make_valid(shape(next(f for f in data["features"] if f["properties"]["kind"] == "kota")["geometry"]))
    kelurahan = [(f["properties"]["name"], f["properties"]["kecamatan"], shapely.make_valid(shape(f["geometry"])))
                 for f in data["features"] if f["properties"]["kind"] == "kelurahan"]
    rng = np.random.default_rng(119)
    minx, miny, maxx, maxy = kota.bounds
    xs, ys = rng.uniform(minx, maxx, 6000), rng.uniform(miny, maxy, 6000)
    truth = np.full(xs.shape, -1)
    for i, (_, _, geom) in enumerate(kelurahan):
        truth[shapely.contains_xy(geom, xs, ys)] = i
    inside = truth >= 0
    geo = app.extensions["psc_geo"]
    with app.app_context():
        from dispatch.extensions import db
        index = geo.refresh_zones(db.session)
    kel, kec = index.lookup_many(ys[inside], xs[inside])
    got = [index.kelurahan[k].name if k >= 0 else None for k in kel]
    want = [kelurahan[t][0] for t in truth[inside]]
    assert got == want
    assert [index.kecamatan[k].name for k in kec] == [kelurahan[t][1] for t in truth[inside]]
    # And through the API, for one point where the shipped coarse zones are wrong.
    body = reverse(world, -0.0273, 109.3465)  # Kampung Beting side of Dalam Bugis
    assert body["kecamatan"] == "Pontianak Timur"


def test_a_second_import_of_as_many_zones_replaces_the_first_everywhere(app, world, tmp_path):
    """Every running process follows a re-import, even when ids repeat (SQLite after a delete)."""
    first = {"type": "FeatureCollection", "features": [square("Kec A", "kecamatan", 109.30, -0.05, size=0.05)]}
    second = {"type": "FeatureCollection", "features": [square("Kec B", "kecamatan", 109.30, -0.05, size=0.05)]}
    assert run(app, "import", write(tmp_path, first, "a.geojson")).exit_code == 0
    assert reverse(world, -0.04, 109.31)["kecamatan"] == "Kec A"
    assert run(app, "import", write(tmp_path, second, "b.geojson")).exit_code == 0
    assert reverse(world, -0.04, 109.31)["kecamatan"] == "Kec B"
