"""Incidents: the queue, details and timeline, corrections, cancelling, closing and reopening."""
from datetime import timedelta

from sqlalchemy import func, select

from conftest import fresh
from dispatch.core import clock
from dispatch.models import Event, Incident, Unit


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
    world.post("op", "/api/calls", {"caller_phone": "0899-573-003", "disposition": "prank"})   # about nothing
    calls = world.get("op", f"/api/incidents/{inc['id']}").get_json()["calls"]
    assert [(c["caller_name"], c["caller_phone"], c["disposition"]) for c in calls] == [
        ("Bu Sari", "+62811573119", "emergency"), ("Pak RT", "+62812000119", "duplicate")]


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


def on_scene(world, inc, *units):
    for unit in units:
        assert world.assign(inc["id"], unit.id).status_code == 200
    for unit in units:
        for status in ("en_route", "on_scene"):
            assert world.status(unit.id, status).status_code == 200


def test_close_needs_units_cleared(world):
    inc = world.new_incident()
    r = world.post("op", f"/api/incidents/{inc['id']}/close", {})
    assert r.status_code == 409 and "'pending'" in r.get_json()["error"]["message"]
    on_scene(world, inc, world.unit_a)
    r = world.post("op", f"/api/incidents/{inc['id']}/close", {"outcome": "x"})
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["code"] == "units_still_assigned" and "PSC-01 (on_scene)" in err["message"]
    assert err["details"]["units"] == [{"unit_id": world.unit_a.id, "call_sign": "PSC-01", "status": "on_scene"}]
    # withdrawn (not cleared by the crew): the incident waits for the operator to close it
    assignment_id = world.get("op", f"/api/incidents/{inc['id']}").get_json()["assignments"][0]["id"]
    r = world.post("op", f"/api/incidents/{inc['id']}/assignments/{assignment_id}/cancel", {"reason": "selesai"})
    assert r.status_code == 200 and r.get_json()["status"] == "on_scene"
    r = world.post("op", f"/api/incidents/{inc['id']}/close", {"outcome": "ditangani di tempat"})
    assert r.status_code == 200
    assert r.get_json()["outcome"] == "ditangani di tempat" and r.get_json()["closed_at"]
    closed = world.events()[-1]
    assert closed["type"] == "incident.closed" and closed["actor"]["username"] == "op"
    assert "released_units" not in closed["data"] and "automatic" not in closed["data"]


def test_close_with_release_frees_the_units_and_closes_in_one_action(world, session):
    inc = world.new_incident()
    on_scene(world, inc, world.unit_a)
    world.assign(inc["id"], world.unit_b.id)                      # still on its way
    after = world.events()[-1]["id"]
    r = world.post("sup", f"/api/incidents/{inc['id']}/close",
                   {"outcome": "ditangani di tempat", "release_units": True})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["status"], body["outcome"]) == ("closed", "ditangani di tempat") and body["closed_at"]
    assert [(a["status"], a["active"]) for a in body["assignments"]] == [("cancelled", False), ("cancelled", False)]
    for unit in (world.unit_a, world.unit_b):
        got = world.get("op", f"/api/units/{unit.id}").get_json()
        assert (got["status"], got["current_assignment"]) == ("available", None)
    news = world.events(after=after)
    assert [(e["type"], e["unit_id"]) for e in news] == [
        ("unit.status_changed", world.unit_a.id), ("unit.status_changed", world.unit_b.id),
        ("incident.closed", None)]
    assert [e["data"]["to"] for e in news[:2]] == ["available", "available"]
    closed = news[-1]
    assert closed["actor"]["username"] == "sup"
    assert closed["data"]["released_units"] == [
        {"unit_id": world.unit_a.id, "call_sign": "PSC-01", "status": "on_scene"},
        {"unit_id": world.unit_b.id, "call_sign": "PSC-02", "status": "dispatched"}]
    stored = fresh(session).get(Incident, inc["id"])
    assert stored.status == "closed"


def test_close_with_release_refuses_while_a_unit_carries_the_patient_and_changes_nothing(world, session):
    inc = world.new_incident()
    on_scene(world, inc, world.unit_a, world.unit_b)
    assert world.status(world.unit_b.id, "transporting", hospital_id=world.hospital.id).status_code == 200
    before = count_events(session)
    r = world.post("op", f"/api/incidents/{inc['id']}/close", {"release_units": True})
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["code"] == "units_transporting" and "PSC-02 (transporting)" in err["message"]
    assert err["details"]["units"] == [{"unit_id": world.unit_b.id, "call_sign": "PSC-02", "status": "transporting"}]
    assert count_events(session) == before
    assert fresh(session).get(Incident, inc["id"]).status == "transporting"
    assert [session.get(Unit, u.id).status for u in (world.unit_a, world.unit_b)] == ["on_scene", "transporting"]
    assert world.status(world.unit_b.id, "at_hospital").status_code == 200
    r = world.post("op", f"/api/incidents/{inc['id']}/close", {"release_units": True})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "units_transporting"
    assert "PSC-02 (at_hospital)" in r.get_json()["error"]["message"]


def test_close_with_release_and_no_unit_on_it_says_so(world, session):
    inc = world.new_incident()
    on_scene(world, inc, world.unit_a)
    assignment_id = world.get("op", f"/api/incidents/{inc['id']}").get_json()["assignments"][0]["id"]
    world.post("op", f"/api/incidents/{inc['id']}/assignments/{assignment_id}/cancel", {"reason": "ditarik"})
    before = count_events(session)
    r = world.post("op", f"/api/incidents/{inc['id']}/close", {"release_units": True})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "no_units_to_release"
    assert "nothing to release" in r.get_json()["error"]["message"]
    assert count_events(session) == before
    assert fresh(session).get(Incident, inc["id"]).status == "on_scene"


def count_events(session):
    return fresh(session).scalar(select(func.count()).select_from(Event))


def closed_by_hand(world, inc):
    on_scene(world, inc, world.unit_a)
    r = world.post("op", f"/api/incidents/{inc['id']}/close", {"outcome": "ditangani", "release_units": True})
    assert r.status_code == 200, r.get_json()


def test_a_closed_incident_is_reopened_within_a_day(world, session):
    with clock.shifted(-timedelta(hours=23, minutes=50)):
        inc = world.new_incident()
        closed_by_hand(world, inc)
    r = world.post("sup", f"/api/incidents/{inc['id']}/reopen", {"reason": "pasien kambuh, keluarga menelepon lagi"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["status"], body["outcome"], body["closed_at"]) == ("pending", None, None)
    assert body["dispatched_at"] is not None and body["on_scene_at"] is not None   # its history stays
    assert inc["id"] in [i["id"] for i in world.get("op", "/api/incidents").get_json()["items"]]
    event = world.events()[-1]
    assert event["type"] == "incident.reopened" and event["actor"]["username"] == "sup"
    assert event["data"]["reason"] == "pasien kambuh, keluarga menelepon lagi" and event["data"]["from"] == "closed"
    assert event["data"]["incident"]["status"] == "pending"
    # back in the queue: it can be sent a unit again
    assert world.assign(inc["id"], world.unit_b.id).status_code == 200
    assert fresh(session).get(Incident, inc["id"]).status == "dispatched"


def test_a_cancelled_incident_is_reopened(world):
    inc = world.new_incident()
    world.post("op", f"/api/incidents/{inc['id']}/cancel", {"reason": "salah sambung"})
    r = world.post("op", f"/api/incidents/{inc['id']}/reopen", {"reason": "bukan salah sambung"})
    assert r.status_code == 200
    assert (r.get_json()["status"], r.get_json()["cancel_reason"], r.get_json()["cancelled_at"]) == (
        "pending", None, None)
    assert world.events()[-1]["data"]["from"] == "cancelled"


def test_reopen_after_the_day_or_of_an_open_incident_is_refused_saying_why(world, session):
    with clock.shifted(-timedelta(hours=24, minutes=10)):
        old = world.new_incident()
        closed_by_hand(world, old)
    before = count_events(session)
    r = world.post("op", f"/api/incidents/{old['id']}/reopen", {"reason": "x"})
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["code"] == "reopen_window_passed" and "24 hours" in err["message"]
    assert err["details"]["window_s"] == 86400 and err["details"]["current"] == "closed"
    assert fresh(session).get(Incident, old["id"]).status == "closed"
    open_one = world.new_incident()
    before = count_events(session)
    r = world.post("op", f"/api/incidents/{open_one['id']}/reopen", {"reason": "x"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "incident_open"
    assert "'pending'" in r.get_json()["error"]["message"]
    assert count_events(session) == before


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
