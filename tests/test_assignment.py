"""Assigning units: the compare-and-set, multi-unit incidents, recalls, and a race of
twenty dispatchers over one real threaded HTTP server."""
import threading

import pytest
from sqlalchemy import func, select

from conftest import fresh
from dispatch import database
from dispatch.core import assignment
from dispatch.core.assignment import accept_assignment
from dispatch.core.errors import InvalidTransition
from dispatch.models import Assignment, Event, Unit


def test_assign_dispatches_unit_and_incident(world, session):
    inc = world.new_incident()
    r = world.assign(inc["id"], world.unit_a.id)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "dispatched" and body["dispatched_at"]
    assert [a["call_sign"] for a in body["assignments"]] == ["PSC-01"]
    assert body["assignments"][0]["assigned_by_id"] == world.users["op"].id
    unit = world.get("op", f"/api/units/{world.unit_a.id}").get_json()
    assert unit["status"] == "dispatched"
    types = [e["type"] for e in world.events() if e["incident_id"] == inc["id"]]
    assert types[-3:] == ["incident.status_changed", "incident.assigned", "unit.status_changed"]


def test_busy_unit_gets_409_unit_unavailable(world, session):
    first, second = world.new_incident(), world.new_incident()
    world.assign(first["id"], world.unit_a.id)
    before = fresh(session).scalar(select(func.count()).select_from(Event))
    r = world.assign(second["id"], world.unit_a.id)
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["code"] == "unit_unavailable" and "PSC-01" in err["message"] and "'dispatched'" in err["message"]
    assert fresh(session).scalar(select(func.count()).select_from(Event)) == before
    assert world.get("op", f"/api/incidents/{second['id']}").get_json()["status"] == "pending"


def test_out_of_service_unit_cannot_be_assigned(world):
    world.status(world.unit_a.id, "out_of_service")
    r = world.assign(world.new_incident()["id"], world.unit_a.id)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "unit_unavailable"


def test_several_units_on_one_incident(world):
    inc = world.new_incident(category="traffic_accident")
    assert world.assign(inc["id"], world.unit_a.id).status_code == 200
    r = world.assign(inc["id"], world.unit_b.id)
    assert r.status_code == 200
    assert sorted(a["call_sign"] for a in r.get_json()["assignments"]) == ["PSC-01", "PSC-02"]
    world.status(world.unit_b.id, "en_route")
    world.status(world.unit_b.id, "on_scene")
    assert world.get("op", f"/api/incidents/{inc['id']}").get_json()["status"] == "on_scene"


def test_records_recommended_and_chosen_unit(world):
    inc = world.new_incident()
    r = world.post("op", f"/api/incidents/{inc['id']}/assign",
                   {"unit_id": world.unit_b.id, "recommended_unit_id": world.unit_a.id})
    a = r.get_json()["assignments"][0]
    assert (a["unit_id"], a["recommended_unit_id"]) == (world.unit_b.id, world.unit_a.id)


def test_assign_is_one_core_call_that_works_out_the_etas_before_its_write(world, session, monkeypatch):
    inc = world.new_incident()
    order = []
    etas = assignment.etas_for_assignment
    monkeypatch.setattr(assignment, "etas_for_assignment", lambda *a, **k: order.append("etas") or etas(*a, **k))
    begin = database.begin_write
    monkeypatch.setattr(database, "begin_write", lambda s: order.append("write") or begin(s))
    incident = assignment.assign(session, actor=world.users["op"], geo=world.app.extensions["psc_geo"],
                                 incident_id=inc["id"], unit_id=world.unit_b.id)
    assert order == ["etas", "write"]   # the routing holds no write transaction open
    assert incident.status == "dispatched"
    row = fresh(session).query(Assignment).filter_by(incident_id=inc["id"]).one()
    assert row.unit_id == world.unit_b.id and row.recommended_unit_id is not None
    assert row.eta_s is not None and row.recommended_eta_s is not None


def test_assign_without_a_travel_model_records_the_consoles_recommendation_and_no_eta(world, session):
    inc = world.new_incident()
    assignment.assign(session, actor=world.users["op"], incident_id=inc["id"], unit_id=world.unit_b.id,
                      recommended_unit_id=world.unit_a.id)
    row = fresh(session).query(Assignment).filter_by(incident_id=inc["id"]).one()
    assert (row.recommended_unit_id, row.eta_s, row.recommended_eta_s) == (world.unit_a.id, None, None)


def test_cannot_assign_to_finished_incident(world):
    inc = world.new_incident()
    world.post("op", f"/api/incidents/{inc['id']}/cancel", {"reason": "caller hung up, no patient"})
    r = world.assign(inc["id"], world.unit_a.id)
    assert r.status_code == 409 and "'cancelled'" in r.get_json()["error"]["message"]
    assert world.get("op", f"/api/units/{world.unit_a.id}").get_json()["status"] == "available"


def test_unknown_incident_or_unit(world):
    assert world.assign(999999, world.unit_a.id).status_code == 404
    r = world.assign(world.new_incident()["id"], 999999)
    assert r.status_code == 404 and "unit_id" in r.get_json()["error"]["fields"]


def test_recall_one_unit_frees_it_and_requeues_incident(world):
    inc = world.new_incident()
    a_id = world.assign(inc["id"], world.unit_a.id).get_json()["assignments"][0]["id"]
    world.status(world.unit_a.id, "en_route")
    r = world.post("op", f"/api/incidents/{inc['id']}/assignments/{a_id}/cancel", {"reason": "closer unit free"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "pending"
    assert body["assignments"][0]["status"] == "cancelled"
    assert body["assignments"][0]["cancel_reason"] == "closer unit free"
    assert world.get("op", f"/api/units/{world.unit_a.id}").get_json()["status"] == "available"
    again = world.post("op", f"/api/incidents/{inc['id']}/assignments/{a_id}/cancel", {"reason": "twice"})
    assert again.status_code == 409


def test_twenty_dispatchers_race_for_one_unit(world, live_server, session):
    """Exactly one of 20 simultaneous assignments of the same unit wins."""
    import requests

    incidents = [world.new_incident(caller_phone=f"08120000{i:03d}")["id"] for i in range(20)]
    headers = world.headers("op")
    barrier = threading.Barrier(20)
    results = [None] * 20

    def dispatcher(i):
        with requests.Session() as http:
            barrier.wait()
            r = http.post(f"{live_server}/api/incidents/{incidents[i]}/assign",
                          json={"unit_id": world.unit_a.id}, headers=headers, timeout=60)
            results[i] = (r.status_code, r.json())

    threads = [threading.Thread(target=dispatcher, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    codes = sorted(code for code, _ in results)
    assert codes == [200] + [409] * 19, results
    assert all(body["error"]["code"] == "unit_unavailable" for code, body in results if code == 409)
    fresh(session)
    assigned = session.scalars(select(Event).where(Event.type == "incident.assigned")).all()
    assert len(assigned) == 1
    winner = next(i for i, (code, _) in enumerate(results) if code == 200)
    assert assigned[0].incident_id == incidents[winner]
    dispatched = session.scalars(select(Event).where(
        Event.type == "unit.status_changed", Event.unit_id == world.unit_a.id)).all()
    assert [e.data["to"] for e in dispatched] == ["dispatched"]
    assert session.scalar(select(func.count()).select_from(Assignment)) == 1
    unit = session.get(Unit, world.unit_a.id)
    assert unit.status == "dispatched" and unit.version == 2


def test_a_recalled_assignment_can_no_longer_be_accepted(world, session):
    inc = world.new_incident()
    a_id = world.assign(inc["id"], world.unit_a.id).get_json()["assignments"][0]["id"]
    world.post("op", f"/api/incidents/{inc['id']}/assignments/{a_id}/cancel", {"reason": "sent elsewhere"})
    with pytest.raises(InvalidTransition, match="cancelled"):
        accept_assignment(session, actor=world.users["crew_a"], assignment_id=a_id)
