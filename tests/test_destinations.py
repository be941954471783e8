"""Where to take the patient: GET /api/incidents/<id>/hospitals."""
import pytest

from conftest import fresh
from dispatch.core.clock import utcnow
from dispatch.models import Hospital

SENG_HIE = (-0.0289456, 109.3437883)   # south-west bank, Pontianak Selatan


def hospital(session, name, lat, lon, **kw):
    row = Hospital(name=name, short_name=name, address="Pontianak", lat=lat, lon=lon,
                   has_emergency=kw.pop("emergency", True), has_icu=kw.pop("icu", False),
                   has_maternity=kw.pop("maternity", False), has_trauma=kw.pop("trauma", False),
                   status=kw.pop("status", "open"), beds_available=kw.pop("beds", None), updated_at=utcnow(), **kw)
    session.add(row)
    session.commit()
    return row.id


@pytest.fixture
def hospitals(world, session):
    """The world's RSUD dr. Soedarso (everything, far south-east) plus a few nearer ones."""
    return {
        "soedarso": world.hospital.id,
        "antonius": hospital(session, "RSU Santo Antonius", -0.0202106, 109.3267782, icu=True, maternity=True,
                             beds=4),
        "jeumpa": hospital(session, "RS Bersalin Jeumpa", -0.037404, 109.330901, maternity=True),
        "bhayangkara": hospital(session, "RS Bhayangkara", -0.041088, 109.3338668, icu=True, trauma=True, beds=0),
        "yarsi": hospital(session, "RSU Yarsi", -0.0364363, 109.3572182, maternity=True, status="diverting"),
        "jiwa": hospital(session, "RS Jiwa", -0.0282739, 109.3263831, emergency=False),
    }


def incident(world, category, priority="P2", point=SENG_HIE):
    resp = world.post("op", "/api/calls", {"caller_phone": "0811-573-001", "lat": point[0], "lon": point[1],
                                           "category": category, "priority": priority})
    return resp.get_json()["incident"]["id"]


def suggest(world, incident_id, who="op", **query):
    q = "&".join(f"{k}={v}" for k, v in query.items())
    return world.get(who, f"/api/incidents/{incident_id}/hospitals" + (f"?{q}" if q else ""))


def ids(items):
    return [item["hospital"]["id"] for item in items]


def test_maternity_call_is_offered_maternity_hospitals_by_travel_time(world, hospitals):
    resp = suggest(world, incident(world, "maternity"))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["need"]["code"] == "maternity" and body["need"]["id"] and body["need"]["en"]
    offered = ids(body["items"])
    assert set(offered) == {hospitals["antonius"], hospitals["jeumpa"], hospitals["soedarso"]}
    etas = [item["eta_s"] for item in body["items"]]
    assert etas == sorted(etas)
    assert offered[-1] == hospitals["soedarso"]  # farthest, across town
    excluded = {item["hospital"]["id"]: [r["code"] for r in item["reasons"]] for item in body["excluded"]}
    assert "no_maternity" in excluded[hospitals["bhayangkara"]]
    assert "diverting" in excluded[hospitals["yarsi"]]
    assert "no_emergency" in excluded[hospitals["jiwa"]]


def test_reasons_say_beds_known_or_not(world, hospitals):
    body = suggest(world, incident(world, "maternity")).get_json()
    reasons = {item["hospital"]["id"]: [r["code"] for r in item["reasons"]] for item in body["items"]}
    assert "beds_available" in reasons[hospitals["antonius"]]
    assert "beds_unknown" in reasons[hospitals["jeumpa"]]
    assert "has_maternity" in reasons[hospitals["jeumpa"]]


def test_full_hospital_is_excluded_with_the_reason(world, hospitals):
    body = suggest(world, incident(world, "trauma")).get_json()
    assert ids(body["items"]) == [hospitals["soedarso"]]
    excluded = {item["hospital"]["id"]: [r["code"] for r in item["reasons"]] for item in body["excluded"]}
    assert excluded[hospitals["bhayangkara"]] == ["no_beds"]


def test_category_without_a_special_need_takes_any_open_emergency_room(world, hospitals):
    body = suggest(world, incident(world, "poisoning")).get_json()
    assert body["need"] is None
    assert hospitals["jiwa"] not in ids(body["items"]) and hospitals["yarsi"] not in ids(body["items"])
    assert hospitals["bhayangkara"] not in ids(body["items"])  # zero beds
    assert len(body["items"]) == 3


def test_route_across_the_river_is_named(world, hospitals):
    timur = (-0.028865, 109.349895)  # Keraton Kadriah, Pontianak Timur
    body = suggest(world, incident(world, "poisoning", point=timur)).get_json()
    assert all(item["via"] == ["Jembatan Kapuas I"] for item in body["items"])
    assert all("crosses_river" in [r["code"] for r in item["reasons"]] for item in body["items"])


def test_limit_is_kept(world, hospitals):
    body = suggest(world, incident(world, "maternity"), limit=1).get_json()
    assert len(body["items"]) == 1


def test_crew_sees_suggestions_for_its_own_incident_only(world, hospitals, session):
    incident_id = incident(world, "maternity")
    assert world.assign(incident_id, world.unit_a.id).status_code == 200
    assert suggest(world, incident_id, who="crew_a").status_code == 200
    resp = suggest(world, incident_id, who="crew_b")
    assert resp.status_code == 403


def test_unknown_location_is_409(world, hospitals):
    incident_id = world.post("op", "/api/calls", {"caller_phone": "0811-573-001"}).get_json()["incident"]["id"]
    resp = suggest(world, incident_id)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "location_unknown"


def test_nothing_is_written(world, hospitals, session):
    incident_id = incident(world, "maternity")
    before = len(world.events())
    suggest(world, incident_id)
    assert len(world.events()) == before
    fresh(session)


def test_a_puskesmas_is_a_destination_for_minor_cases_only(world, hospitals, session):
    # A puskesmas (its position estimated) 220 m from Seng Hie, nearer than any hospital.
    near = hospital(session, "UPT Puskesmas Uji", SENG_HIE[0] - 0.002, SENG_HIE[1], kind="puskesmas",
                    emergency=False, position_estimated=True)
    minor = world.get("op", f"/api/incidents/{incident(world, 'other', 'P3')}/hospitals").get_json()
    first = minor["items"][0]
    assert first["hospital"]["id"] == near and first["hospital"]["kind"] == "puskesmas"
    assert first["hospital"]["position_estimated"] is True
    assert {"puskesmas", "position_estimated"} <= {r["code"] for r in first["reasons"]}
    for category, priority in (("other", "P2"), ("maternity", "P3")):
        body = world.get("op", f"/api/incidents/{incident(world, category, priority)}/hospitals").get_json()
        assert near not in [i["hospital"]["id"] for i in body["items"]]
        left = next(e for e in body["excluded"] if e["hospital"]["id"] == near)
        assert [r["code"] for r in left["reasons"]] == ["puskesmas_minor_only"]
    listed = world.get("crew_a", "/api/hospitals").get_json()["items"]
    assert {h["kind"] for h in listed} == {"hospital", "puskesmas"}
