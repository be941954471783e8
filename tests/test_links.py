"""Linking a call to the incident it is about (at intake, or just after saving) and unlinking a call
linked by mistake (core/links.py): nothing is lost, no second unit is sent."""
import threading

import pytest
from sqlalchemy import func, select

from conftest import fresh
from dispatch.models import Call, Event, Incident


def count(session, model):
    return fresh(session).scalar(select(func.count()).select_from(model))


def test_linked_at_intake_the_call_is_a_duplicate_and_no_incident_opens(world, session):
    crash = world.new_incident(category="traffic_accident")
    before = count(session, Incident)
    answer = world.post("op", "/api/calls", {"caller_phone": "0813-5730-001", "caller_name": "Bu Rina",
                                              "location_text": "depan toko emas", "link_to_incident_id": crash["id"]})
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["incident"] is None and body["possible_duplicates"] == []
    assert body["call"]["disposition"] == "duplicate" and body["call"]["incident_id"] == crash["id"]
    assert body["call"]["opened_incident_id"] is None
    assert count(session, Incident) == before
    detail = world.get("op", f"/api/incidents/{crash['id']}").get_json()
    assert [(c["caller_name"], c["disposition"]) for c in detail["calls"]] == [(None, "emergency"),
                                                                                ("Bu Rina", "duplicate")]
    assert [e["data"]["call"]["id"] for e in detail["timeline"] if e["type"] == "call.received"][-1] == body["call"]["id"]
    assert detail["assignments"] == []   # no second unit


@pytest.mark.parametrize("end", ["cancel", "close", "merged"])
def test_a_call_is_not_linked_to_an_incident_no_longer_open(world, session, end):
    target = world.new_incident()
    if end == "cancel":
        world.post("op", f"/api/incidents/{target['id']}/cancel", {"reason": "salah sambung"})
        code = "incident_finished"
    elif end == "close":
        world.assign(target["id"], world.unit_a.id)
        for status in ("en_route", "on_scene", "available"):
            world.status(world.unit_a.id, status)
        code = "incident_finished"
    else:
        survivor = world.new_incident()
        own = world.new_call()
        world.post("op", f"/api/calls/{own['call']['id']}/link", {"incident_id": survivor["id"]})
        target = own["incident"]
        code = "incident_merged"
    calls = count(session, Call)
    answer = world.post("op", "/api/calls", {"caller_phone": "0813-5730-002", "link_to_incident_id": target["id"]})
    assert answer.status_code == 409, answer.get_json()
    assert answer.get_json()["error"]["code"] == code
    assert "link_to_incident_id" in answer.get_json()["error"]["fields"]
    if end == "merged":
        assert answer.get_json()["error"]["details"]["merged_into_id"] == survivor["id"]
    assert count(session, Call) == calls   # nothing half-written
    late = world.new_call(caller_phone="0813-5730-003")["call"]
    answer = world.post("op", f"/api/calls/{late['id']}/link", {"incident_id": target["id"]})
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == code


def test_link_at_intake_refuses_what_does_not_fit(world):
    target = world.new_incident()
    for body, field, status in (
            ({"disposition": "prank", "link_to_incident_id": target["id"]}, "link_to_incident_id", 422),
            ({"link_to_incident_id": target["id"] + 99}, "link_to_incident_id", 404),
            ({"disposition": "duplicate", "incident_id": target["id"], "link_to_incident_id": target["id"] + 1},
             "link_to_incident_id", 422),
            ({"link_to_incident_id": "satu"}, "link_to_incident_id", 422)):
        answer = world.post("op", "/api/calls", {"caller_phone": "0813-5730-004", **body})
        assert answer.status_code == status, (body, answer.get_json())
        assert field in answer.get_json()["error"]["fields"], answer.get_json()


def test_linked_just_after_saving_its_own_incident_is_merged_into_the_chosen_one(world, session):
    survivor = world.new_incident(priority="P2", category="traffic_accident")
    saved = world.new_call(caller_phone="0813-5730-005", priority="P1", category="trauma")
    own = saved["incident"]
    assert saved["possible_duplicates"][0]["incident"]["id"] == survivor["id"]
    answer = world.post("op", f"/api/calls/{saved['call']['id']}/link", {"incident_id": survivor["id"]})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["applied"] is True and body["call"]["disposition"] == "duplicate"
    assert body["merged_incident"]["id"] == own["id"] and body["merged_incident"]["merged_into_id"] == survivor["id"]
    assert body["incident"]["priority"] == "P1"   # the survivor keeps the higher priority
    merged = world.get("op", f"/api/incidents/{own['id']}").get_json()
    assert merged["status"] == "merged" and merged["related"][0]["relation"] == "replaced"
    assert merged["calls"] == []   # its call is the survivor's now
    kept = world.get("op", f"/api/incidents/{survivor['id']}").get_json()
    assert [c["id"] for c in kept["calls"]][-1] == saved["call"]["id"]
    assert kept["related"] == [{"id": own["id"], "reference": own["reference"], "status": "merged",
                                "relation": "replacing", "at": merged["merged_at"]}]
    # the merged incident's own events are on the survivor's timeline, and the queue has one incident
    assert {"incident.created", "incident.merged", "call.linked"} <= {e["type"] for e in kept["timeline"]}
    assert [i["id"] for i in world.get("op", "/api/incidents").get_json()["items"]] == [survivor["id"]]
    # linking it again to the same incident changes nothing
    again = world.post("op", f"/api/calls/{saved['call']['id']}/link", {"incident_id": survivor["id"]})
    assert again.status_code == 200 and again.get_json()["applied"] is False
    events = [e.type for e in fresh(session).scalars(select(Event).order_by(Event.id))]
    assert events[-2:] == ["incident.merged", "call.linked"] and events.count("call.linked") == 1


def test_a_call_whose_incident_has_a_unit_is_not_merged_away(world, session):
    survivor = world.new_incident()
    saved = world.new_call(caller_phone="0813-5730-006")
    world.assign(saved["incident"]["id"], world.unit_a.id)
    answer = world.post("op", f"/api/calls/{saved['call']['id']}/link", {"incident_id": survivor["id"]})
    assert answer.status_code == 409
    error = answer.get_json()["error"]
    assert error["code"] == "units_on_incident" and world.unit_a.call_sign in error["message"]
    assert [u["call_sign"] for u in error["details"]["units"]] == [world.unit_a.call_sign]
    fresh(session)
    assert session.get(Incident, saved["incident"]["id"]).status == "dispatched"
    assert session.get(Call, saved["call"]["id"]).disposition == "emergency"


def test_a_call_linked_elsewhere_is_unlinked_first(world):
    one, two = world.new_incident(), world.new_incident()
    call = world.post("op", "/api/calls", {"caller_phone": "0813-5730-007",
                                            "link_to_incident_id": one["id"]}).get_json()["call"]
    answer = world.post("op", f"/api/calls/{call['id']}/link", {"incident_id": two["id"]})
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "call_linked"
    assert answer.get_json()["error"]["details"]["reference"] == one["reference"]


def test_a_prank_call_found_to_be_about_an_incident_is_linked_to_it(world):
    incident = world.new_incident()
    prank = world.post("op", "/api/calls", {"caller_phone": "0813-5730-008", "disposition": "prank"}).get_json()["call"]
    answer = world.post("op", f"/api/calls/{prank['id']}/link", {"incident_id": incident["id"]})
    assert answer.status_code == 200 and answer.get_json()["merged_incident"] is None
    assert answer.get_json()["call"]["disposition"] == "duplicate"


def test_unlinking_brings_back_the_incident_the_call_had_opened(world, session):
    survivor = world.new_incident()
    saved = world.new_call(caller_phone="0813-5730-009", location_text="Jl. Tanjungpura")
    world.post("op", f"/api/calls/{saved['call']['id']}/link", {"incident_id": survivor["id"]})
    answer = world.post("op", f"/api/calls/{saved['call']['id']}/unlink", {})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["incident"]["id"] == saved["incident"]["id"] and body["incident"]["status"] == "pending"
    assert body["incident"]["reference"] == saved["incident"]["reference"]
    assert body["incident"]["merged_into_id"] is None and body["left_incident"]["id"] == survivor["id"]
    assert body["call"]["disposition"] == "emergency" and body["call"]["incident_id"] == saved["incident"]["id"]
    assert {i["id"] for i in world.get("op", "/api/incidents").get_json()["items"]} == {survivor["id"],
                                                                                         saved["incident"]["id"]}
    kept = world.get("op", f"/api/incidents/{survivor['id']}").get_json()
    assert [c["disposition"] for c in kept["calls"]] == ["emergency"]   # only the call that opened it
    assert kept["related"] == []
    back = world.get("op", f"/api/incidents/{saved['incident']['id']}").get_json()
    assert [e["type"] for e in back["timeline"]][-2:] == ["incident.split", "call.unlinked"]


def test_unlinking_a_duplicate_taken_at_intake_opens_an_incident_where_the_caller_said(world):
    crash = world.new_incident(category="traffic_accident", priority="P1")
    call = world.post("op", "/api/calls", {"caller_phone": "0813-5730-010", "lat": -0.0202, "lon": 109.3268,
                                            "location_accuracy_m": 15, "complaint": "ibu pingsan",
                                            "link_to_incident_id": crash["id"]}).get_json()["call"]
    answer = world.post("op", f"/api/calls/{call['id']}/unlink", {"category": "unconscious"})
    assert answer.status_code == 200, answer.get_json()
    incident = answer.get_json()["incident"]
    assert incident["id"] != crash["id"] and incident["status"] == "pending"
    assert (incident["lat"], incident["lon"], incident["location_accuracy_m"]) == (-0.0202, 109.3268, 15)
    assert (incident["category"], incident["priority"], incident["complaint"]) == ("unconscious", "P1", "ibu pingsan")
    assert answer.get_json()["call"]["opened_incident_id"] == incident["id"]
    # unlinked already: there is nothing more to unlink
    again = world.post("op", f"/api/calls/{call['id']}/unlink", {})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "call_not_linked"


def test_only_dispatchers_link_and_unlink(world):
    incident = world.new_incident()
    call = world.new_call(caller_phone="0813-5730-011")["call"]
    for who in ("crew_a", "adm"):
        assert world.post(who, f"/api/calls/{call['id']}/link", {"incident_id": incident["id"]}).status_code == 403
        assert world.post(who, f"/api/calls/{call['id']}/unlink", {}).status_code == 403
    assert world.post("op", f"/api/calls/{call['id'] + 99}/link", {"incident_id": incident["id"]}).status_code == 404
    missing = world.post("op", f"/api/calls/{call['id']}/link", {})
    assert missing.status_code == 422 and "incident_id" in missing.get_json()["error"]["fields"]


def test_two_operators_linking_one_call_at_once_link_it_once(app, world, session):
    first, second = world.new_incident(), world.new_incident()
    saved = world.new_call(caller_phone="0813-5730-012")
    barrier = threading.Barrier(2)
    answers = {}

    def link(target):
        client = app.test_client()
        barrier.wait()
        answers[target] = client.post(f"/api/calls/{saved['call']['id']}/link", json={"incident_id": target},
                                      headers=world.headers("op"))

    threads = [threading.Thread(target=link, args=(t,)) for t in (first["id"], second["id"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(a.status_code for a in answers.values())
    assert codes == [200, 409], {k: a.get_json() for k, a in answers.items()}
    loser = next(a for a in answers.values() if a.status_code == 409)
    assert loser.get_json()["error"]["code"] == "call_linked"
    winner = next(t for t, a in answers.items() if a.status_code == 200)
    fresh(session)
    assert session.get(Call, saved["call"]["id"]).incident_id == winner
    assert session.get(Incident, saved["incident"]["id"]).merged_into_id == winner
    assert session.scalar(select(func.count()).select_from(Event).where(Event.type == "call.linked")) == 1


# --- a supervisor merges two incidents found to be one -----------------------------------------

def test_a_supervisor_merges_two_incidents_keeping_every_call_note_event_and_unit(world, session):
    survivor = world.new_incident(priority="P2", category="traffic_accident", notes="korban dua orang")
    other = world.new_call(caller_phone="0813-5730-020", caller_name="Bu Ani", priority="P1", category="trauma",
                           notes="pagar hijau")
    world.post("op", "/api/calls", {"caller_phone": "0813-5730-021", "link_to_incident_id": other["incident"]["id"]})
    world.assign(other["incident"]["id"], world.unit_a.id)
    world.status(world.unit_a.id, "en_route")
    answer = world.post("sup", f"/api/incidents/{other['incident']['id']}/merge",
                        {"into": survivor["id"], "reason": "tabrakan yang sama"})
    assert answer.status_code == 200, answer.get_json()
    merged, into = answer.get_json()["incident"], answer.get_json()["into"]
    assert merged["status"] == "merged" and merged["merged_into_id"] == survivor["id"]
    assert merged["assignments"] == []
    assert into["priority"] == "P1" and into["status"] == "dispatched"
    assert into["notes"] == f"korban dua orang\n[{other['incident']['reference']}] pagar hijau"
    assert [(a["call_sign"], a["status"]) for a in into["assignments"]] == [(world.unit_a.call_sign, "en_route")]
    detail = world.get("sup", f"/api/incidents/{survivor['id']}").get_json()
    assert len(detail["calls"]) == 3 and "Bu Ani" in [c["caller_name"] for c in detail["calls"]]
    types = [e["type"] for e in detail["timeline"]]
    assert {"incident.assigned", "incident.merged", "assignment.moved", "incident.status_changed"} <= set(types)
    assert types.count("call.received") == 3
    # the crew's unit now works the survivor, and the crew may read it
    unit = world.get("crew_a", f"/api/units/{world.unit_a.id}").get_json()
    assert unit["current_assignment"]["incident_id"] == survivor["id"]
    assert world.get("crew_a", f"/api/incidents/{survivor['id']}").status_code == 200
    # and the job goes on to its end on the survivor
    for status in ("on_scene", "available"):
        assert world.status(world.unit_a.id, status).status_code == 200
    assert world.get("sup", f"/api/incidents/{survivor['id']}").get_json()["status"] == "closed"
    assert world.get("op", f"/api/units/{world.unit_a.id}").get_json()["status"] == "available"


def test_merging_refuses_what_cannot_be_merged(world, session):
    one, two = world.new_incident(), world.new_incident()
    same = world.post("sup", f"/api/incidents/{one['id']}/merge", {"into": one["id"]})
    assert same.status_code == 422 and "into" in same.get_json()["error"]["fields"]
    assert world.post("op", f"/api/incidents/{one['id']}/merge", {"into": two["id"]}).status_code == 403
    assert world.post("sup", f"/api/incidents/{one['id']}/merge", {"into": 999_999}).status_code == 404
    assert world.post("sup", f"/api/incidents/{one['id']}/merge", {"into": two["id"]}).status_code == 200
    again = world.post("sup", f"/api/incidents/{one['id']}/merge", {"into": two["id"]})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "incident_merged"
    three = world.new_incident()
    into_merged = world.post("sup", f"/api/incidents/{three['id']}/merge", {"into": one["id"]})
    assert into_merged.status_code == 409 and into_merged.get_json()["error"]["code"] == "incident_merged"
    assert into_merged.get_json()["error"]["details"]["merged_into_id"] == two["id"]
    world.post("op", f"/api/incidents/{three['id']}/cancel", {"reason": "salah sambung"})
    finished = world.post("sup", f"/api/incidents/{three['id']}/merge", {"into": two["id"]})
    assert finished.status_code == 409 and finished.get_json()["error"]["code"] == "incident_finished"
    assert fresh(session).get(Incident, three["id"]).status == "cancelled"
    reopened = world.post("op", f"/api/incidents/{one['id']}/reopen", {"reason": "x"})
    assert reopened.status_code == 409 and reopened.get_json()["error"]["code"] == "incident_merged"


def test_the_call_of_a_merged_incident_is_split_back_out(world):
    survivor = world.new_incident()
    other = world.new_call(caller_phone="0813-5730-022")
    world.post("sup", f"/api/incidents/{other['incident']['id']}/merge", {"into": survivor["id"]})
    answer = world.post("op", f"/api/calls/{other['call']['id']}/unlink", {})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["incident"]["id"] == other["incident"]["id"]
    assert answer.get_json()["incident"]["status"] == "pending"


def test_the_survivor_does_not_fall_behind_the_incident_merged_into_it(world):
    reached = world.new_incident()
    aid = world.assign(reached["id"], world.unit_a.id).get_json()["assignments"][0]["id"]
    for status in ("en_route", "on_scene"):
        world.status(world.unit_a.id, status)
    world.post("op", f"/api/incidents/{reached['id']}/assignments/{aid}/cancel", {"reason": "dipindah"})
    survivor = world.new_incident()
    into = world.post("sup", f"/api/incidents/{reached['id']}/merge", {"into": survivor["id"]}).get_json()["into"]
    assert into["status"] == "on_scene" and into["on_scene_at"] is not None and into["assignments"] == []
