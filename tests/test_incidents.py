"""Incidents: the queue, details and timeline, corrections, cancelling and closing."""
from sqlalchemy import func, select

from conftest import fresh
from dispatch.models import Event, Unit


def test_open_queue_sorted_by_priority_then_waiting_time(world):
    p3 = world.new_incident(priority="P3")
    p1_old = world.new_incident(priority="P1")
    p2 = world.new_incident(priority="P2")
    p1_new = world.new_incident(priority="P1")
    items = world.get("op", "/api/incidents").get_json()["items"]
    assert [i["id"] for i in items] == [p1_old["id"], p1_new["id"], p2["id"], p3["id"]]


def test_status_filter(world):
    open_one = world.new_incident()
    done = world.new_incident()
    world.post("op", f"/api/incidents/{done['id']}/cancel", {"reason": "salah sambung"})
    ids = lambda status: [i["id"] for i in world.get("op", f"/api/incidents?status={status}").get_json()["items"]]
    assert ids("open") == [open_one["id"]]
    assert ids("closed") == [done["id"]]
    assert sorted(ids("all")) == sorted([open_one["id"], done["id"]])


def test_detail_has_assignments_and_timeline(world):
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    d = world.get("op", f"/api/incidents/{inc['id']}").get_json()
    assert d["assignments"][0]["unit_id"] == world.unit_a.id
    types = [e["type"] for e in d["timeline"]]
    assert types[:2] == ["call.received", "incident.created"]
    assert "incident.assigned" in types
    ids = [e["id"] for e in d["timeline"]]
    assert ids == sorted(ids)
    assert all(e["actor"]["username"] == "op" for e in d["timeline"])


def test_detail_names_the_callers_to_call_back_first_call_first(world):
    inc = world.new_incident(caller_name="Bu Sari")
    again = world.post("op", "/api/calls", {"caller_phone": "0812 000 119", "caller_name": "Pak RT",
                                             "disposition": "duplicate", "incident_id": inc["id"]})
    assert again.status_code == 201, again.get_json()
    world.post("op", "/api/calls", {"caller_phone": "0899", "disposition": "prank"})   # about nothing
    calls = world.get("op", f"/api/incidents/{inc['id']}").get_json()["calls"]
    assert [(c["caller_name"], c["caller_phone"], c["disposition"]) for c in calls] == [
        ("Bu Sari", "0811573119", "emergency"), ("Pak RT", "0812 000 119", "duplicate")]


def test_patch_records_what_changed(world):
    inc = world.new_incident(priority="P2", notes="awal")
    r = world.patch("op", f"/api/incidents/{inc['id']}",
                    {"priority": "P1", "notes": "pasien tidak sadar", "destination_hospital_id": world.hospital.id})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["priority"] == "P1" and body["destination_hospital_id"] == world.hospital.id
    ev = world.events()[-1]
    assert ev["type"] == "incident.updated"
    assert ev["data"]["changes"]["priority"] == {"from": "P2", "to": "P1"}
    assert ev["data"]["changes"]["notes"] == {"from": "awal", "to": "pasien tidak sadar"}


def test_patch_without_change_writes_no_event(world, session):
    inc = world.new_incident(priority="P2")
    before = fresh(session).scalar(select(func.count()).select_from(Event))
    assert world.patch("op", f"/api/incidents/{inc['id']}", {"priority": "P2"}).status_code == 200
    assert fresh(session).scalar(select(func.count()).select_from(Event)) == before


def test_patch_clears_location(world):
    inc = world.new_incident()
    r = world.patch("op", f"/api/incidents/{inc['id']}", {"lat": None, "lon": None})
    assert r.status_code == 200 and r.get_json()["location_known"] is False


def test_finished_incident_cannot_be_changed(world):
    inc = world.new_incident()
    world.post("op", f"/api/incidents/{inc['id']}/cancel", {"reason": "batal"})
    r = world.patch("op", f"/api/incidents/{inc['id']}", {"priority": "P1"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "incident_finished"


def test_cancel_frees_units_on_the_way(world):
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    world.assign(inc["id"], world.unit_b.id)
    world.status(world.unit_b.id, "en_route")
    r = world.post("sup", f"/api/incidents/{inc['id']}/cancel", {"reason": "pasien dibawa keluarga"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "pasien dibawa keluarga"
    assert body["cancelled_at"]
    assert {a["status"] for a in body["assignments"]} == {"cancelled"}
    for unit in (world.unit_a, world.unit_b):
        assert world.get("op", f"/api/units/{unit.id}").get_json()["status"] == "available"
    again = world.post("op", f"/api/incidents/{inc['id']}/cancel", {"reason": "x"})
    assert again.status_code == 409
    assert "'cancelled'" in again.get_json()["error"]["message"]


def test_cancel_refused_while_patient_is_transported(world, session):
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    for s in ("en_route", "on_scene", "transporting"):
        world.status(world.unit_a.id, s)
    before = fresh(session).scalar(select(func.count()).select_from(Event))
    r = world.post("op", f"/api/incidents/{inc['id']}/cancel", {"reason": "x"})
    assert r.status_code == 409
    assert "PSC-01" in r.get_json()["error"]["message"] and "'transporting'" in r.get_json()["error"]["message"]
    assert fresh(session).scalar(select(func.count()).select_from(Event)) == before
    assert session.get(Unit, world.unit_a.id).status == "transporting"
    assert world.get("op", f"/api/incidents/{inc['id']}").get_json()["status"] == "transporting"


def test_close_needs_units_cleared(world):
    inc = world.new_incident()
    r = world.post("op", f"/api/incidents/{inc['id']}/close", {})
    assert r.status_code == 409 and "'pending'" in r.get_json()["error"]["message"]
    world.assign(inc["id"], world.unit_a.id)
    world.status(world.unit_a.id, "en_route")
    world.status(world.unit_a.id, "on_scene")
    r = world.post("op", f"/api/incidents/{inc['id']}/close", {"outcome": "x"})
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["code"] == "units_still_assigned" and "PSC-01 (on_scene)" in err["message"]
    world.status(world.unit_a.id, "available")
    r = world.post("op", f"/api/incidents/{inc['id']}/close", {"outcome": "ditangani di tempat"})
    assert r.status_code == 200
    assert r.get_json()["outcome"] == "ditangani di tempat" and r.get_json()["closed_at"]


def test_crew_sees_its_current_incident_only(world):
    mine, other = world.new_incident(), world.new_incident()
    world.assign(mine["id"], world.unit_a.id)
    world.assign(other["id"], world.unit_b.id)
    assert world.get("crew_a", f"/api/incidents/{mine['id']}").status_code == 200
    assert world.get("crew_a", f"/api/incidents/{other['id']}").status_code == 403
    assert world.get("crew_a", "/api/incidents").status_code == 403


def test_failed_unit_of_work_is_rolled_back_by_the_core_itself(world, session):
    """Called directly (as a socket handler or command would), a service that fails half-way
    leaves nothing behind, even if the caller then commits its session."""
    import pytest

    from dispatch.core import incidents
    from dispatch.core.errors import InvalidTransition

    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    world.assign(inc["id"], world.unit_b.id)
    for s in ("en_route", "on_scene", "transporting"):
        world.status(world.unit_b.id, s)
    fresh(session)
    actor = world.users["op"]
    with pytest.raises(InvalidTransition):
        incidents.cancel_incident(session, actor=actor, incident_id=inc["id"], reason="x")
    session.commit()
    assert fresh(session).get(Unit, world.unit_a.id).status == "dispatched"
