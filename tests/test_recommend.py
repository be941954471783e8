"""Which unit to send: GET /api/incidents/<id>/recommendations and what assignments record.

Real Pontianak cases: the Kapuas and the Landak split the city into three banks joined
by two bridges, so the unit nearest in a straight line is often not the first to arrive.
"""
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import update

from conftest import fresh
from dispatch.core import units
from dispatch.core.clock import utcnow
from dispatch.core.geo import Geo
from dispatch.core.recommend import Candidates, rank_units
from dispatch.models import Assignment, Unit

# Places (lat, lon)
SENG_HIE = (-0.0289456, 109.3437883)      # Pelabuhan Seng Hie, south-west bank, by the Kapuas
KERATON = (-0.028865, 109.349895)         # Keraton Kadriah, across the Kapuas in Pontianak Timur
MUJAHIDIN = (-0.041644, 109.3361516)      # Masjid Raya Mujahidin, south-west bank
TUGU = (0.001058, 109.322194)             # Tugu Khatulistiwa, Pontianak Utara
RS_KOTA = (-0.009282, 109.2940046)        # RSUD SSMA, Pontianak Barat


@pytest.fixture
def scene(world, session):
    """The world's units off duty; the test places its own."""
    session.execute(update(Unit).values(status="out_of_service"))
    session.commit()
    return world


def place(session, call_sign, station, capability="BLS", fix=None, fix_age_s=None):
    unit = units.create_unit(session, actor=None, call_sign=call_sign, capability=capability,
                             station_name=f"Pos {call_sign}", lat=station[0], lon=station[1])
    if fix is not None:
        session.execute(update(Unit).where(Unit.id == unit.id).values(
            lat=fix[0], lon=fix[1], position_at=utcnow() - timedelta(seconds=fix_age_s or 0)))
        session.commit()
    return unit.id


def incident_at(world, point, category="cardiac", priority="P1"):
    resp = world.post("op", "/api/calls", {"caller_phone": "0811573119", "lat": point[0], "lon": point[1],
                                           "category": category, "priority": priority})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["incident"]["id"]


def recommend(world, incident_id, **query):
    q = "&".join(f"{k}={v}" for k, v in query.items())
    resp = world.get("op", f"/api/incidents/{incident_id}/recommendations" + (f"?{q}" if q else ""))
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def codes(item):
    return [r["code"] for r in item["reasons"]]


def test_unit_across_the_kapuas_ranks_below_a_farther_unit_on_the_same_bank(scene, session):
    across = place(session, "TIMUR-1", KERATON)
    same_bank = place(session, "SEL-1", MUJAHIDIN)
    body = recommend(scene, incident_at(scene, SENG_HIE, category="trauma", priority="P2"))
    first, second = body["items"]
    assert first["unit"]["id"] == same_bank and second["unit"]["id"] == across
    assert first["via"] == [] and second["via"] == ["Jembatan Kapuas I"]
    assert first["eta_s"] < second["eta_s"]
    # The across-river unit is the nearer in a straight line: ~0.7 km against ~1.8 km ...
    assert second["distance_m"] > 3 * 700  # ... but its road goes round by the bridge.
    assert "across_river" in codes(second) and "crosses_river" in codes(second)
    assert "fastest" in codes(first)
    for item in body["items"]:
        assert set(item) == {"unit", "eta_s", "distance_m", "via", "position_source", "position_age_s", "reasons"}
        for reason in item["reasons"]:
            assert reason["id"] and reason["en"] and reason["code"]


def test_routes_from_the_south_west_bank_to_utara_cross_both_bridges(scene, session):
    place(session, "SEL-1", MUJAHIDIN)
    body = recommend(scene, incident_at(scene, TUGU))
    assert body["items"][0]["via"] == ["Jembatan Kapuas I", "Jembatan Landak"]


def test_a_fresh_gps_fix_is_used_and_a_stale_one_is_not(scene, session):
    # Both stations are far off in Pontianak Barat; one unit's fresh fix is near the incident.
    fresh_fix = place(session, "GPS-1", RS_KOTA, fix=MUJAHIDIN, fix_age_s=90)
    stale_fix = place(session, "GPS-2", RS_KOTA, fix=SENG_HIE, fix_age_s=20 * 60)
    body = recommend(scene, incident_at(scene, SENG_HIE, category="other", priority="P3"))
    by_id = {item["unit"]["id"]: item for item in body["items"]}
    assert body["items"][0]["unit"]["id"] == fresh_fix
    assert by_id[fresh_fix]["position_source"] == "gps" and 85 <= by_id[fresh_fix]["position_age_s"] <= 120
    assert "gps_position" in codes(by_id[fresh_fix])
    # Its fix was right at the incident, but 20 minutes old: counted from its station, and said so.
    assert by_id[stale_fix]["position_source"] == "station"
    assert by_id[stale_fix]["position_age_s"] >= 20 * 60
    assert "station_position" in codes(by_id[stale_fix])


def test_the_position_age_limit_is_configurable(scene, session, app):
    unit = place(session, "GPS-1", RS_KOTA, fix=SENG_HIE, fix_age_s=20 * 60)
    incident = incident_at(scene, SENG_HIE)
    app.extensions["psc_geo"].position_max_age_s = 3600
    item = recommend(scene, incident)["items"][0]
    assert item["unit"]["id"] == unit and item["position_source"] == "gps"


def test_unit_without_a_fix_is_counted_from_its_station(scene, session):
    unit = place(session, "SEL-1", MUJAHIDIN)
    item = recommend(scene, incident_at(scene, SENG_HIE))["items"][0]
    assert item["unit"]["id"] == unit
    assert item["position_source"] == "station" and item["position_age_s"] is None


def test_als_goes_first_for_p1_cardiac_when_it_is_not_much_slower(scene, session):
    bls = place(session, "BLS-1", MUJAHIDIN)
    als = place(session, "ALS-1", (MUJAHIDIN[0] - 0.0014, MUJAHIDIN[1]), capability="ALS")  # ~150 m further
    items = recommend(scene, incident_at(scene, SENG_HIE, category="cardiac", priority="P1"))["items"]
    assert [i["unit"]["id"] for i in items] == [als, bls]
    assert items[0]["eta_s"] > items[1]["eta_s"]
    assert "als_preferred" in codes(items[0]) and "fastest" not in codes(items[0])
    assert "als_preferred_over" in codes(items[1]) and "fastest" in codes(items[1])


@pytest.mark.parametrize("category, priority", [("cardiac", "P2"), ("trauma", "P1"), ("other", "P1")])
def test_no_als_preference_outside_p1_als_categories(scene, session, category, priority):
    bls = place(session, "BLS-1", MUJAHIDIN)
    place(session, "ALS-1", (MUJAHIDIN[0] - 0.0014, MUJAHIDIN[1]), capability="ALS")
    items = recommend(scene, incident_at(scene, SENG_HIE, category=category, priority=priority))["items"]
    assert items[0]["unit"]["id"] == bls
    assert not any(c.startswith("als_") for i in items for c in codes(i))


def test_als_much_slower_is_not_put_first_and_the_reason_says_so(scene, session):
    bls = place(session, "BLS-1", MUJAHIDIN)
    place(session, "ALS-1", TUGU, capability="ALS")  # across both rivers
    items = recommend(scene, incident_at(scene, SENG_HIE, category="stroke"))["items"]
    assert items[0]["unit"]["id"] == bls
    assert "als_too_far" in codes(items[0])
    assert "ALS-1" in next(r["en"] for r in items[0]["reasons"] if r["code"] == "als_too_far")


def test_only_available_units_are_ranked_and_limit_is_kept(scene, session, world):
    ids = [place(session, f"U-{n}", (MUJAHIDIN[0], MUJAHIDIN[1] + n * 0.001)) for n in range(7)]
    busy = incident_at(scene, MUJAHIDIN)
    assert world.assign(busy, ids[0]).status_code == 200
    body = recommend(scene, incident_at(scene, SENG_HIE), limit=3)
    assert len(body["items"]) == 3 and body["available_units"] == 6
    assert ids[0] not in [i["unit"]["id"] for i in body["items"]]
    etas = [i["eta_s"] for i in body["items"]]
    assert etas == sorted(etas)
    assert body["estimated_by"] == "graph"


def test_no_available_unit_gives_an_empty_list(scene, session):
    body = recommend(scene, incident_at(scene, SENG_HIE))
    assert body["items"] == [] and body["available_units"] == 0


def test_unknown_location_is_409_with_a_clear_code(scene, session):
    place(session, "SEL-1", MUJAHIDIN)
    resp = scene.post("op", "/api/calls", {"caller_phone": "0811-573-001", "location_text": "rumah kuning"})
    incident_id = resp.get_json()["incident"]["id"]
    resp = scene.get("op", f"/api/incidents/{incident_id}/recommendations")
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "location_unknown"


def test_unknown_incident_is_404(scene):
    assert scene.get("op", "/api/incidents/999999/recommendations").status_code == 404


# --- What an assignment records -----------------------------------------------------------------

def test_assignment_records_the_recommended_unit_and_both_etas(scene, session):
    near = place(session, "SEL-1", MUJAHIDIN)
    far = place(session, "TIMUR-1", KERATON)
    incident = incident_at(scene, SENG_HIE, category="trauma", priority="P2")
    ranked = recommend(scene, incident)["items"]
    resp = scene.assign(incident, far)  # the dispatcher chose the second one
    assert resp.status_code == 200, resp.get_json()
    row = fresh(session).query(Assignment).filter_by(incident_id=incident).one()
    assert row.unit_id == far and row.recommended_unit_id == near
    assert row.recommended_eta_s == pytest.approx(ranked[0]["eta_s"], abs=5)
    assert row.eta_s == pytest.approx(ranked[1]["eta_s"], abs=5)
    out = resp.get_json()["assignments"][0]
    assert out["recommended_unit_id"] == near and out["eta_s"] > out["recommended_eta_s"]


def test_recommended_unit_sent_by_the_console_is_kept(scene, session):
    near = place(session, "SEL-1", MUJAHIDIN)
    far = place(session, "TIMUR-1", KERATON)
    incident = incident_at(scene, SENG_HIE)
    resp = scene.post("op", f"/api/incidents/{incident}/assign", {"unit_id": near, "recommended_unit_id": far})
    assert resp.status_code == 200
    row = fresh(session).query(Assignment).filter_by(incident_id=incident).one()
    assert row.recommended_unit_id == far and row.eta_s is not None and row.recommended_eta_s > row.eta_s


def test_assignment_to_an_incident_without_location_records_no_eta(scene, session):
    unit = place(session, "SEL-1", MUJAHIDIN)
    incident = scene.post("op", "/api/calls", {"caller_phone": "0811-573-001"}).get_json()["incident"]["id"]
    assert scene.assign(incident, unit).status_code == 200
    row = fresh(session).query(Assignment).filter_by(incident_id=incident).one()
    assert row.eta_s is None and row.recommended_unit_id is None


# --- The pure ranking ---------------------------------------------------------------------------

def test_rank_units_orders_by_road_time_not_straight_distance():
    geo = Geo()
    nan = float("nan")
    cands = Candidates(ids=np.array([1, 2]), als=np.array([False, False]),
                       fix_lat=np.array([nan, nan]), fix_lon=np.array([nan, nan]), fix_age_s=np.array([nan, nan]),
                       station_lat=np.array([KERATON[0], MUJAHIDIN[0]]),
                       station_lon=np.array([KERATON[1], MUJAHIDIN[1]]), labels=["A", "B"])
    picks = rank_units(cands, *SENG_HIE, travel=geo.travel, at=utcnow(), priority="P2", category="other")
    assert [int(cands.ids[p.index]) for p in picks] == [2, 1]
    assert picks[1].via == ("Jembatan Kapuas I",)


def test_a_crew_sees_its_road_to_the_incident_with_the_bridges(world):
    # Unit B (Pos Barat, south-west bank) to Siantan (north bank): across the Kapuas and the Landak.
    incident = world.new_incident(lat=0.0013, lon=109.3616, location_text="Siantan")
    world.assign(incident["id"], world.unit_b.id)
    r = world.get("crew_b", f"/api/units/{world.unit_b.id}/route")
    assert r.status_code == 200
    route = r.get_json()
    assert route["incident_id"] == incident["id"] and route["from"] == "station"
    assert route["via"] == ["Jembatan Kapuas I", "Jembatan Landak"] and route["eta_s"] > 0 and route["distance_m"] > 0
    assert world.get("crew_a", f"/api/units/{world.unit_b.id}/route").status_code == 403
    none = world.get("crew_a", f"/api/units/{world.unit_a.id}/route")
    assert none.status_code == 404 and none.get_json()["error"]["code"] == "no_incident"


def test_the_crews_road_follows_the_job_to_the_scene_then_to_the_chosen_hospital(world):
    incident = world.new_incident(lat=0.0013, lon=109.3616, location_text="Siantan")
    world.assign(incident["id"], world.unit_b.id)
    url = f"/api/units/{world.unit_b.id}/route"
    to_scene = world.get("crew_b", url).get_json()
    assert (to_scene["to"], to_scene["hospital_id"], to_scene["estimated_by"]) == ("incident", None, "graph")
    assert to_scene["path"][0] == [world.unit_b.station_lat, world.unit_b.station_lon]
    assert to_scene["path"][-1] == [0.0013, 109.3616] and len(to_scene["path"]) > 10
    for status in ("en_route", "on_scene"):
        assert world.status(world.unit_b.id, status).status_code == 200
    assert world.status(world.unit_b.id, "transporting", hospital_id=world.hospital.id).status_code == 200
    to_hospital = world.get("crew_b", url).get_json()
    assert (to_hospital["to"], to_hospital["hospital_id"], to_hospital["from"]) == ("hospital", world.hospital.id,
                                                                                   "scene")
    assert to_hospital["path"][0] == [0.0013, 109.3616] and to_hospital["path"][-1] == [-0.0616, 109.3646]
    # Siantan (north bank) to RSUD Soedarso (south-west bank): the Landak, then the Kapuas.
    assert to_hospital["via"] == ["Jembatan Landak", "Jembatan Kapuas I"]
    assert world.status(world.unit_b.id, "at_hospital").status_code == 200
    assert world.status(world.unit_b.id, "available").status_code == 200
    assert world.get("crew_b", url).status_code == 404
