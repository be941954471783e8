"""Units over the API: registration, status reports, idempotent retries, position fixes."""
from datetime import timedelta

from dispatch.core import assignment
from dispatch.core.clock import utcnow
from dispatch.models import Assignment, ClientRequest, Event, Incident, Unit
from sqlalchemy import func, select

from conftest import fresh


def count(session, model):
    fresh(session)
    return session.scalar(select(func.count()).select_from(model))


def test_admin_registers_unit_available_at_station(world, session):
    r = world.post("adm", "/api/units", {"call_sign": "psc-09", "capability": "BLS",
                                         "station_name": "Pos Siantan", "lat": 0.0013, "lon": 109.3616})
    assert r.status_code == 201, r.get_json()
    unit = r.get_json()
    assert unit["call_sign"] == "PSC-09"
    assert unit["status"] == "available"
    assert unit["station"] == {"name": "Pos Siantan", "lat": 0.0013, "lon": 109.3616, "facility_id": None}
    assert unit["position"]["lat"] == 0.0013 and unit["position"]["source"] == "station"
    assert unit["position"]["at"] is None
    ev = world.events()[-1]
    assert ev["type"] == "unit.created" and ev["unit_id"] == unit["id"] and ev["actor"]["username"] == "adm"


def test_duplicate_call_sign_is_refused(world):
    r = world.post("adm", "/api/units", {"call_sign": "PSC-01", "capability": "ALS",
                                         "station_name": "x", "lat": 0, "lon": 109})
    assert r.status_code == 409
    assert r.get_json()["error"]["code"] == "unit_exists"
    assert "call_sign" in r.get_json()["error"]["fields"]


def test_list_and_get_units(world):
    items = world.get("op", "/api/units").get_json()["items"]
    assert [u["call_sign"] for u in items] == ["PSC-01", "PSC-02", "PSC-03"]
    r = world.get("crew_a", f"/api/units/{world.unit_a.id}")
    assert r.status_code == 200 and r.get_json()["call_sign"] == "PSC-01"
    assert world.get("op", "/api/units/999999").status_code == 404


def test_crew_walks_through_every_status_and_timestamps_are_kept(world, session):
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    unit = world.get("crew_a", f"/api/units/{world.unit_a.id}").get_json()
    assert unit["status"] == "dispatched"
    assert unit["current_assignment"]["incident_id"] == inc["id"]
    expected_incident = {"en_route": "dispatched", "on_scene": "on_scene", "transporting": "transporting",
                         "at_hospital": "transporting", "available": "closed"}
    for status, incident_status in expected_incident.items():
        extra = {"hospital_id": world.hospital.id} if status == "transporting" else {}
        r = world.status(world.unit_a.id, status, **extra)
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["unit"]["status"] == status and r.get_json()["applied"] is True
        assert world.get("op", f"/api/incidents/{inc['id']}").get_json()["status"] == incident_status
    detail = world.get("op", f"/api/incidents/{inc['id']}").get_json()
    a = detail["assignments"][0]
    assert a["status"] == "cleared" and a["active"] is False
    for stamp in ("dispatched_at", "en_route_at", "on_scene_at", "transporting_at", "at_hospital_at", "cleared_at"):
        assert a[stamp] is not None, stamp
    assert a["hospital_id"] == world.hospital.id
    assert detail["destination_hospital_id"] == world.hospital.id
    assert detail["on_scene_at"] and detail["transporting_at"] and detail["dispatched_at"]
    assert world.get("op", f"/api/units/{world.unit_a.id}").get_json()["current_assignment"] is None


def _call_sign(world, unit_id):
    return {world.unit_a.id: "PSC-01", world.unit_b.id: "PSC-02", world.unit_c.id: "PSC-03"}[unit_id]


def walk(world, unit_id, *statuses, hospital_id=None):
    for status in statuses:
        extra = {"hospital_id": hospital_id} if status == "transporting" and hospital_id else {}
        r = world.status(unit_id, status, **extra)
        assert r.status_code == 200, (status, r.get_json())


def closed_events(world, incident_id):
    return [e for e in world.events() if e["type"] == "incident.closed" and e["incident_id"] == incident_id]


def test_the_whole_call_ends_with_the_incident_closed_by_itself_as_transported(world, session):
    inc = world.new_incident()
    assert world.assign(inc["id"], world.unit_a.id).status_code == 200
    assignment_id = world.get("crew_a", f"/api/units/{world.unit_a.id}").get_json()["current_assignment"]["id"]
    assignment.accept_assignment(session, actor=world.users["crew_a"], assignment_id=assignment_id)
    walk(world, world.unit_a.id, "en_route", "on_scene", "transporting", hospital_id=world.hospital.id)
    walk(world, world.unit_a.id, "at_hospital")
    assert world.get("op", f"/api/incidents/{inc['id']}").get_json()["status"] == "transporting"
    walk(world, world.unit_a.id, "available")
    detail = world.get("op", f"/api/incidents/{inc['id']}").get_json()
    assert (detail["status"], detail["outcome"], detail["destination_hospital_id"]) == (
        "closed", "transported", world.hospital.id)
    assert detail["closed_at"] is not None
    [closed] = closed_events(world, inc["id"])
    assert closed["actor"] is None
    assert closed["data"]["automatic"] is True and closed["data"]["outcome"] == "transported"
    assert closed["data"]["hospital_id"] == world.hospital.id and closed["data"]["from"] == "transporting"
    assert closed["data"]["incident"]["status"] == "closed"
    # the unit's own event comes first, then the system's close
    types = [e["type"] for e in world.events()][-2:]
    assert types == ["unit.status_changed", "incident.closed"]
    assert world.get("op", f"/api/units/{world.unit_a.id}").get_json()["status"] == "available"
    assert inc["id"] not in [i["id"] for i in world.get("op", "/api/incidents").get_json()["items"]]
    stored = fresh(session).get(Incident, inc["id"])
    assert (stored.status, stored.outcome) == ("closed", "transported")


def test_treated_on_scene_then_available_closes_the_incident_by_itself(world):
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    walk(world, world.unit_a.id, "en_route", "on_scene", "available")
    detail = world.get("op", f"/api/incidents/{inc['id']}").get_json()
    assert (detail["status"], detail["outcome"], detail["destination_hospital_id"]) == (
        "closed", "treated_on_scene", None)
    [closed] = closed_events(world, inc["id"])
    assert closed["actor"] is None and closed["data"]["automatic"] is True
    assert closed["data"]["outcome"] == "treated_on_scene" and closed["data"]["hospital_id"] is None
    # closed already: a close by hand is refused, naming the state
    r = world.post("op", f"/api/incidents/{inc['id']}/close", {"outcome": "treated on scene"})
    assert r.status_code == 409 and "'closed'" in r.get_json()["error"]["message"]


def test_with_two_units_only_the_last_one_ending_closes_the_incident(world):
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    world.assign(inc["id"], world.unit_b.id)
    walk(world, world.unit_a.id, "en_route", "on_scene", "transporting", hospital_id=world.hospital.id)
    walk(world, world.unit_b.id, "en_route", "on_scene")
    walk(world, world.unit_a.id, "at_hospital", "available")      # A took the patient and is back
    detail = world.get("op", f"/api/incidents/{inc['id']}").get_json()
    assert detail["status"] == "transporting" and detail["outcome"] is None
    assert closed_events(world, inc["id"]) == []
    walk(world, world.unit_b.id, "available")                     # B, the last one, clears on scene
    detail = world.get("op", f"/api/incidents/{inc['id']}").get_json()
    # the patient was transported by A: that is the outcome, with A's hospital
    assert (detail["status"], detail["outcome"], detail["destination_hospital_id"]) == (
        "closed", "transported", world.hospital.id)
    [closed] = closed_events(world, inc["id"])
    assert closed["actor"] is None and closed["data"]["automatic"] is True


def test_a_unit_out_of_service_leaves_the_incident_open_for_the_operator(world):
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    walk(world, world.unit_a.id, "en_route", "on_scene", "out_of_service")
    assert world.get("op", f"/api/incidents/{inc['id']}").get_json()["status"] == "on_scene"
    assert closed_events(world, inc["id"]) == []
    r = world.post("op", f"/api/incidents/{inc['id']}/close", {"outcome": "treated on scene"})
    assert r.status_code == 200 and r.get_json()["status"] == "closed"
    [closed] = closed_events(world, inc["id"])
    assert closed["actor"]["username"] == "op" and "automatic" not in closed["data"]


def test_current_assignment_says_the_reference_and_whether_the_crew_accepted(world, session):
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    world.assign(world.new_incident()["id"], world.unit_b.id)
    current = world.get("op", f"/api/units/{world.unit_a.id}").get_json()["current_assignment"]
    assert current["incident_reference"] == inc["reference"]
    assert current["accepted_at"] is None and current["unacknowledged_at"] is None
    # nobody answered in time: operators are told, and the unit says so on every read
    assignment.flag_unacknowledged(session, assignment_ids=[current["id"]], timeout_s=60)
    listed = {u["id"]: u for u in world.get("op", "/api/units").get_json()["items"]}
    assert listed[world.unit_a.id]["current_assignment"]["unacknowledged_at"] is not None
    assert listed[world.unit_b.id]["current_assignment"]["unacknowledged_at"] is None
    assignment.accept_assignment(fresh(session), actor=world.users["crew_a"], assignment_id=current["id"])
    current = world.get("crew_a", f"/api/units/{world.unit_a.id}").get_json()["current_assignment"]
    assert current["accepted_at"] is not None and current["incident_reference"] == inc["reference"]


def test_illegal_transition_names_both_states_and_changes_nothing(world, session):
    before = count(session, Event)
    r = world.status(world.unit_a.id, "on_scene")
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["code"] == "invalid_transition"
    assert "'available'" in err["message"] and "'on_scene'" in err["message"]
    assert count(session, Event) == before
    assert fresh(session).get(Unit, world.unit_a.id).status == "available"


def test_status_report_cannot_dispatch_or_cancel(world):
    r = world.status(world.unit_a.id, "dispatched", who="op")
    assert r.status_code == 409 and "assign" in r.get_json()["error"]["message"]
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    r = world.status(world.unit_a.id, "available")
    assert r.status_code == 409 and "cancel its assignment" in r.get_json()["error"]["message"]


def test_operator_reports_status_on_crews_behalf(world):
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    r = world.status(world.unit_a.id, "en_route", who="op")
    assert r.status_code == 200
    ev = [e for e in world.events() if e["type"] == "unit.status_changed"][-1]
    assert ev["actor"]["username"] == "op" and ev["data"]["to"] == "en_route"


def test_hospital_id_only_with_transporting_and_must_exist(world, session):
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    r = world.status(world.unit_a.id, "en_route", hospital_id=world.hospital.id)
    assert r.status_code == 422 and "hospital_id" in r.get_json()["error"]["fields"]
    world.status(world.unit_a.id, "en_route")
    world.status(world.unit_a.id, "on_scene")
    r = world.status(world.unit_a.id, "transporting", hospital_id=424242)
    assert r.status_code == 404 and "hospital_id" in r.get_json()["error"]["fields"]
    assert fresh(session).get(Unit, world.unit_a.id).status == "on_scene"


def test_client_ref_applies_once(world, session):
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    first = world.status(world.unit_a.id, "en_route", client_ref="phone-42")
    assert first.status_code == 200 and first.get_json()["applied"] is True
    events_after_first = count(session, Event)
    version = first.get_json()["unit"]["version"]
    again = world.status(world.unit_a.id, "en_route", client_ref="phone-42")
    assert again.status_code == 200
    assert again.get_json()["applied"] is False
    assert again.get_json()["unit"]["status"] == "en_route"
    assert again.get_json()["unit"]["version"] == version
    assert count(session, Event) == events_after_first
    # the same ref with other values is a client bug, said plainly
    r = world.status(world.unit_a.id, "on_scene", client_ref="phone-42")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "client_ref_reused"
    # a retried ref even after the unit moved on still changes nothing
    world.status(world.unit_a.id, "on_scene", client_ref="phone-43")
    again = world.status(world.unit_a.id, "en_route", client_ref="phone-42")
    assert again.status_code == 200 and again.get_json()["unit"]["status"] == "on_scene"
    assert count(session, ClientRequest) == 2


def test_a_press_for_a_job_that_was_replaced_is_refused_not_applied_to_the_new_one(world, session):
    first = world.new_incident()
    a_id = world.assign(first["id"], world.unit_a.id).get_json()["id"]
    # the phone goes offline and queues "en route" for the first job; meanwhile the operator
    # takes the unit off it and sends it to another incident
    world.post("op", f"/api/incidents/{first['id']}/assignments/{a_id}/cancel", {"reason": "closer call"})
    second = world.new_incident()
    b_id = world.assign(second["id"], world.unit_a.id).get_json()["id"]
    events_before = count(session, Event)
    r = world.status(world.unit_a.id, "en_route", assignment_id=a_id, client_ref="q-1")
    assert r.status_code == 409
    error = r.get_json()["error"]
    assert error["code"] == "assignment_changed" and "assignment_id" in error["fields"]
    assert error["details"] == {"current": b_id, "requested": a_id}
    unit = fresh(session).get(Unit, world.unit_a.id)
    assert unit.status == "dispatched"
    assert count(session, Event) == events_before and count(session, ClientRequest) == 0
    # the press for the job on the screen goes through
    r = world.status(world.unit_a.id, "en_route", assignment_id=b_id, client_ref="q-2")
    assert r.status_code == 200 and r.get_json()["unit"]["status"] == "en_route"


def test_a_press_made_with_no_job_is_refused_once_a_job_came(world, session):
    # "out of service" pressed offline while free; a job was given before it arrived
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    r = world.status(world.unit_a.id, "out_of_service", assignment_id=None)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "assignment_changed"
    assert fresh(session).get(Unit, world.unit_a.id).status == "dispatched"
    # without assignment_id nothing is checked (the operator's console, older phones)
    assert world.status(world.unit_a.id, "en_route").status_code == 200


def test_a_retried_press_that_ended_the_job_is_still_answered_as_applied(world, session):
    inc = world.new_incident()
    a_id = world.assign(inc["id"], world.unit_a.id).get_json()["id"]
    for status in ("en_route", "on_scene"):
        world.status(world.unit_a.id, status, assignment_id=a_id)
    first = world.status(world.unit_a.id, "available", assignment_id=a_id, client_ref="end-1")
    assert first.status_code == 200 and first.get_json()["applied"] is True
    # the answer was lost; the phone sends it again: the job is over, but it was this press
    again = world.status(world.unit_a.id, "available", assignment_id=a_id, client_ref="end-1")
    assert again.status_code == 200 and again.get_json()["applied"] is False


def test_client_ref_of_a_refused_request_is_not_burnt(world, session):
    r = world.status(world.unit_a.id, "on_scene", client_ref="x1")
    assert r.status_code == 409
    assert count(session, ClientRequest) == 0


def test_out_of_service_by_supervisor_or_own_crew_only(world):
    assert world.status(world.unit_a.id, "out_of_service", who="op").status_code == 403
    assert world.status(world.unit_a.id, "out_of_service", who="crew_b").status_code == 403
    r = world.status(world.unit_a.id, "out_of_service", who="crew_a")
    assert r.status_code == 200 and r.get_json()["unit"]["status"] == "out_of_service"
    assert world.status(world.unit_a.id, "available", who="op").status_code == 403
    assert world.status(world.unit_a.id, "available", who="sup").status_code == 200
    assert world.status(world.unit_a.id, "out_of_service", who="sup").status_code == 200


def test_unit_breaking_down_puts_incident_back_in_queue(world, session):
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    world.status(world.unit_a.id, "en_route")
    r = world.status(world.unit_a.id, "out_of_service")
    assert r.status_code == 200
    detail = world.get("op", f"/api/incidents/{inc['id']}").get_json()
    assert detail["status"] == "pending"
    assert detail["assignments"][0]["status"] == "cancelled"
    assert detail["assignments"][0]["cancel_reason"] == "unit out of service"
    # and it can be given to another unit
    assert world.assign(inc["id"], world.unit_b.id).status_code == 200


def fix(world, unit_id, lat, lon, at, who="crew_a", **extra):
    return world.post(who, f"/api/units/{unit_id}/location",
                      {"lat": lat, "lon": lon, "recorded_at": at.isoformat(), **extra})


def test_location_fix_moves_unit(world):
    at = utcnow()
    r = fix(world, world.unit_a.id, -0.03, 109.33, at, accuracy_m=8, speed_mps=12.5, heading=90)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["applied"] is True
    assert body["unit"]["position"]["lat"] == -0.03 and body["unit"]["position"]["accuracy_m"] == 8
    assert body["unit"]["position"]["source"] == "gps"
    assert world.get("op", f"/api/units/{world.unit_a.id}").get_json()["position"]["lon"] == 109.33


def test_stale_fix_is_accepted_but_does_not_move_unit(world):
    now = utcnow()
    fix(world, world.unit_a.id, -0.03, 109.33, now)
    r = fix(world, world.unit_a.id, -0.05, 109.35, now - timedelta(seconds=30))
    assert r.status_code == 200
    assert r.get_json()["applied"] is False
    pos = world.get("op", f"/api/units/{world.unit_a.id}").get_json()["position"]
    assert (pos["lat"], pos["lon"]) == (-0.03, 109.33)


def test_fix_from_the_future_is_refused(world):
    r = fix(world, world.unit_a.id, -0.03, 109.33, utcnow() + timedelta(hours=1))
    assert r.status_code == 422 and "recorded_at" in r.get_json()["error"]["fields"]


def test_fix_without_timezone_is_taken_as_utc(world):
    at = utcnow().replace(tzinfo=None, microsecond=0)
    r = world.post("crew_a", f"/api/units/{world.unit_a.id}/location",
                   {"lat": -0.03, "lon": 109.33, "recorded_at": at.isoformat()})
    assert r.status_code == 200 and r.get_json()["applied"] is True
    assert r.get_json()["unit"]["position"]["at"].startswith(at.isoformat())


def test_only_own_crew_reports_position(world):
    assert fix(world, world.unit_a.id, -0.03, 109.33, utcnow(), who="crew_b").status_code == 403
    assert fix(world, world.unit_a.id, -0.03, 109.33, utcnow(), who="op").status_code == 403


def test_position_fixes_write_no_events(world, session):
    before = count(session, Event)
    fix(world, world.unit_a.id, -0.03, 109.33, utcnow())
    assert count(session, Event) == before


def test_one_active_assignment_per_unit_is_enforced_by_the_database(world, session):
    """The partial unique index stands behind the compare-and-set."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    a = session.scalar(select(Assignment))
    session.add(Assignment(incident_id=a.incident_id, unit_id=a.unit_id, status="dispatched", active=True,
                           dispatched_at=utcnow()))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_simultaneous_registration_of_one_call_sign(world, live_server, session):
    """Two admins registering the same call sign at once: one 201, one 409, never a 500."""
    import threading

    import requests

    barrier = threading.Barrier(6)
    codes = []

    def register():
        with requests.Session() as http:
            barrier.wait()
            r = http.post(f"{live_server}/api/units", headers=world.headers("adm"), timeout=60,
                          json={"call_sign": "PSC-77", "capability": "ALS", "station_name": "x", "lat": 0, "lon": 109})
            codes.append((r.status_code, r.json().get("error", {}).get("code")))

    threads = [threading.Thread(target=register) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes, key=str) == sorted([(201, None)] + [(409, "unit_exists")] * 5, key=str)
    assert count(session, Unit) == 4


def test_a_unit_can_be_stationed_at_a_puskesmas(world, session):
    from dispatch.core.clock import utcnow
    from dispatch.models import Hospital

    pkm = Hospital(name="UPT Puskesmas Siantan Hilir", address="Jl. Khatulistiwa", kind="puskesmas", lat=0.0203,
                   lon=109.3312, has_emergency=False, position_estimated=True, status="open", updated_at=utcnow())
    session.add(pkm)
    session.commit()
    r = world.post("adm", "/api/units", {"call_sign": "PSC-09", "capability": "BLS", "station_facility_id": pkm.id})
    assert r.status_code == 201, r.get_json()
    station = r.get_json()["station"]
    assert station == {"name": "UPT Puskesmas Siantan Hilir", "lat": 0.0203, "lon": 109.3312, "facility_id": pkm.id}
    assert r.get_json()["position"]["lat"] == 0.0203
    named = world.post("adm", "/api/units", {"call_sign": "PSC-10", "capability": "BLS", "station_facility_id": pkm.id,
                                             "station_name": "Pos Siantan"}).get_json()
    assert named["station"]["name"] == "Pos Siantan" and named["station"]["facility_id"] == pkm.id
    both = world.post("adm", "/api/units", {"call_sign": "PSC-11", "capability": "BLS",
                                            "station_facility_id": pkm.id, "lat": 0.02, "lon": 109.33})
    assert both.status_code == 422 and set(both.get_json()["error"]["fields"]) == {"lat", "lon"}
    none = world.post("adm", "/api/units", {"call_sign": "PSC-12", "capability": "BLS"})
    assert none.status_code == 422 and set(none.get_json()["error"]["fields"]) == {"station_name", "lat", "lon"}
    unknown = world.post("adm", "/api/units", {"call_sign": "PSC-13", "capability": "BLS", "station_facility_id": 999})
    assert unknown.status_code == 404 and "station_facility_id" in unknown.get_json()["error"]["fields"]
    assert world.get("op", "/api/units").get_json()["items"][0]["station"]["facility_id"] is None
