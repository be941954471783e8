"""GET /api/map/roads (dispatch/api/maplayer.py, dispatch/core/maplayer.py): the street layer of the
maps, compact, gzipped, cached by its ETag, with the hospitals and puskesmas of the database."""
import gzip
import json

from dispatch.core.clock import utcnow
from dispatch.models import Hospital


def test_the_layer_is_compact_gzipped_and_holds_the_city(world):
    r = world.client.get("/api/map/roads", headers={**world.headers("crew_a"), "Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    packed = r.get_data()
    assert len(packed) < 500_000
    layer = json.loads(gzip.decompress(packed))
    classes = {c["code"]: c for c in layer["classes"]}
    assert {"arteri", "kolektor", "lokal", "lain", "bridge"} <= set(classes)
    assert classes["lain"]["min_zoom"] > classes["arteri"]["min_zoom"]      # lanes only close up
    assert all(len(line) % 2 == 0 and len(line) >= 4 for c in classes.values() for line in c["lines"])
    assert {b["name"] for b in layer["bridges"]} == {"Jembatan Kapuas I", "Jembatan Landak"}
    names = {(z["kind"], z["name"]) for z in layer["zones"]}
    assert ("kecamatan", "Pontianak Utara") in names and ("kelurahan", "Siantan Hulu") in names
    assert layer["streets"] and all(s["name"] and s["lines"] for s in layer["streets"])
    assert {"name": "RSUD dr. Soedarso", "kind": "hospital", "lat": -0.0616, "lon": 109.3646} in layer["places"]


def test_the_browser_keeps_it_until_it_changes(world, session):
    first = world.get("op", "/api/map/roads")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and "max-age" in first.headers["Cache-Control"] and "Content-Encoding" not in first.headers
    again = world.client.get("/api/map/roads", headers={**world.headers("op"), "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    session.add(Hospital(name="UPT Puskesmas Uji", address="Jl. Uji", kind="puskesmas", lat=-0.03, lon=109.33,
                         has_emergency=False, position_estimated=True, status="open", updated_at=utcnow()))
    session.commit()
    changed = world.client.get("/api/map/roads", headers={**world.headers("op"), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert {"name": "UPT Puskesmas Uji", "kind": "puskesmas", "lat": -0.03, "lon": 109.33} in changed.get_json()["places"]


def test_only_a_logged_in_user_gets_it(client):
    assert client.get("/api/map/roads").status_code == 401
