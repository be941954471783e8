"""Calls taken on paper while the system was down, entered afterwards with their original times
(core/late.py, POST /api/calls with taken_at and late_entry)."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from conftest import fresh
from dispatch.core.clock import shifted, to_local, utcnow
from dispatch.core.visibility import CrewView
from dispatch.models import Assignment, Call, Event, Incident, Unit


@pytest.fixture
def afternoon():
    """The server's clock at 14:00 WIB today, so that the cards of the last hours are today's."""
    now = utcnow()
    target = to_local(now).replace(hour=14, minute=0, second=0, microsecond=0).astimezone(timezone.utc)
    with shifted(target - now):
        yield target


def iso(moment):
    return moment.isoformat()


def parsed(text):
    return datetime.fromisoformat(text)


def card(world, **fields):
    return world.post("sup", "/api/calls", {"caller_phone": "0812-5600-771", "location_text": "Jl. Gajah Mada",
                                             "lat": -0.035, "lon": 109.335, "category": "trauma", "priority": "P1",
                                             **fields})


def counts(session):
    fresh(session)
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in (Call, Incident, Assignment, Event))


def test_a_paper_card_keeps_its_times_in_the_incident_the_statistics_and_the_event_log(world, session, afternoon):
    """The proof of issue 13 for paper cards: entered by a supervisor after an outage, with a unit
    that is busy on another incident now, which is not touched."""
    live = world.new_incident()
    assert world.assign(live["id"], world.unit_a.id).status_code == 200
    assert world.status(world.unit_a.id, "en_route").status_code == 200
    before = world.events()[-1]["id"]
    live_dispatch = world.get("sup", "/api/stats/today").get_json()["call_to_dispatch_s"]
    assert live_dispatch["n"] == 1
    taken = afternoon - timedelta(hours=3)
    times = {"dispatched_at": taken + timedelta(minutes=2), "en_route_at": taken + timedelta(minutes=3),
             "on_scene_at": taken + timedelta(minutes=14), "transporting_at": taken + timedelta(minutes=30),
             "at_hospital_at": taken + timedelta(minutes=45), "cleared_at": taken + timedelta(minutes=70)}
    answer = card(world, taken_at=iso(taken), complaint="tabrakan motor, kaki patah",
                  late_entry={"unit_id": world.unit_a.id, "hospital_id": world.hospital.id,
                              **{k: iso(v) for k, v in times.items()}})
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    call, incident = body["call"], body["incident"]
    assert parsed(call["received_at"]) == taken and call["entered_late"] is True
    assert call["entered_late_by_id"] == world.users["sup"].id
    assert abs(parsed(call["entered_late_at"]) - utcnow()) < timedelta(minutes=1)
    assert parsed(incident["created_at"]) == taken and incident["entered_late"] is True
    assert incident["reference"].startswith(f"PSC-{to_local(taken):%Y%m%d}-")
    assert incident["status"] == "closed" and incident["outcome"] == "transported"
    assert incident["destination_hospital_id"] == world.hospital.id
    assert parsed(incident["dispatched_at"]) == times["dispatched_at"]
    assert parsed(incident["on_scene_at"]) == times["on_scene_at"]
    assert parsed(incident["closed_at"]) == times["cleared_at"]
    [assignment] = incident["assignments"]
    assert assignment["unit_id"] == world.unit_a.id and assignment["active"] is False
    assert assignment["status"] == "cleared" and assignment["entered_late_at"] is not None
    assert {k: parsed(assignment[k]) for k in times} == times
    assert body["possible_duplicates"] == []
    # the unit is still on the incident it works now
    fresh(session)
    unit = session.get(Unit, world.unit_a.id)
    assert unit.status == "en_route" and unit.current_assignment.incident_id == live["id"]
    # today's statistics count the card's times
    today = world.get("sup", "/api/stats/today").get_json()
    assert today["incidents_today"] == 2
    assert today["call_to_dispatch_s"]["n"] == 2
    assert today["call_to_dispatch_s"]["median"] == pytest.approx((live_dispatch["median"] + 120) / 2)
    assert today["call_to_arrival_s"]["n"] == 1
    assert today["call_to_arrival_s"]["median"] == (times["on_scene_at"] - taken).total_seconds()
    # the event log: recorded now, in commit order, each with the card's time
    new = [e for e in world.events(after=before)]
    assert [e["type"] for e in new] == ["call.received", "incident.created", "assignment.entered_late",
                                        "incident.closed"]
    assert [parsed(e["occurred_at"]) for e in new] == [taken, taken, times["dispatched_at"], times["cleared_at"]]
    assert all(parsed(e["at"]) > parsed(e["occurred_at"]) for e in new)
    assert new[-1]["data"]["entered_late"] is True and new[-1]["data"]["outcome"] == "transported"
    # the crew of the unit is not moved to the old incident by them
    view = CrewView(unit_id=world.unit_a.id, incident_id=live["id"])
    for event in new:
        view.admits(event)
    assert view.incident_id == live["id"]
    # the incident's timeline shows the card's times
    detail = world.get("op", f"/api/incidents/{incident['id']}").get_json()
    assert [parsed(e["occurred_at"]) for e in detail["timeline"]][:2] == [taken, taken]
    assert detail["calls"][0]["id"] == call["id"] and detail["calls"][0]["entered_late"] is True


def test_a_card_without_the_units_times_opens_an_incident_in_the_queue_and_other_cards_are_calls(world, session,
                                                                                                 afternoon):
    taken = afternoon - timedelta(minutes=40)
    open_card = card(world, taken_at=iso(taken))
    assert open_card.status_code == 201, open_card.get_json()
    incident = open_card.get_json()["incident"]
    assert incident["status"] == "pending" and parsed(incident["created_at"]) == taken
    assert incident["entered_late"] is True and incident["assignments"] == []
    assert incident["id"] in [i["id"] for i in world.get("op", "/api/incidents").get_json()["items"]]
    prank = card(world, taken_at=iso(taken - timedelta(minutes=5)), disposition="prank", caller_phone="0813-1111-222")
    assert prank.status_code == 201, prank.get_json()
    assert prank.get_json()["incident"] is None and prank.get_json()["call"]["entered_late"] is True
    history = world.get("op", "/api/callers/0813-1111-222").get_json()
    assert history["counts"]["prank"] == 1 and parsed(history["last_call"]["received_at"]) == taken - timedelta(minutes=5)
    # a call taken live is not marked
    assert world.new_call()["call"]["entered_late"] is False


def test_a_card_without_the_time_the_unit_was_free_closes_at_its_last_time(world, afternoon):
    taken = afternoon - timedelta(hours=2)
    answer = card(world, taken_at=iso(taken), late_entry={
        "unit_id": world.unit_b.id, "dispatched_at": iso(taken + timedelta(minutes=1)),
        "on_scene_at": iso(taken + timedelta(minutes=12)), "outcome": "ditangani di tempat, menolak dibawa"})
    assert answer.status_code == 201, answer.get_json()
    incident = answer.get_json()["incident"]
    assert incident["status"] == "closed" and incident["outcome"] == "ditangani di tempat, menolak dibawa"
    assert parsed(incident["closed_at"]) == taken + timedelta(minutes=12)
    assert incident["assignments"][0]["cleared_at"] is None
    assert world.get("op", f"/api/units/{world.unit_b.id}").get_json()["status"] == "available"


def test_a_blocked_numbers_card_is_taken_without_the_confirmation_and_shows_the_block(world, afternoon):
    until = iso(afternoon + timedelta(hours=6))
    assert world.post("sup", "/api/callers/0812-5600-771/block",
                      {"reason": "iseng berulang", "until": until}).status_code == 201
    answer = card(world, taken_at=iso(afternoon - timedelta(minutes=20)), disposition="prank")
    assert answer.status_code == 201, answer.get_json()
    assert "blocked" in answer.get_json()["call"]["caller_flags"]


def test_sending_the_same_card_again_stores_it_once(world, session, afternoon):
    taken = afternoon - timedelta(hours=1)
    body = {"taken_at": iso(taken), "client_ref": "kartu-0007", "late_entry": {
        "unit_id": world.unit_c.id, "dispatched_at": iso(taken + timedelta(minutes=3))}}
    first = card(world, **body)
    again = card(world, **body)
    assert first.status_code == 201 and again.status_code == 200, again.get_json()
    assert again.get_json()["applied"] is False and again.get_json()["call"]["id"] == first.get_json()["call"]["id"]
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Assignment)) == 1


def _bad_cards(now, unit_id, hospital_id):
    taken = now - timedelta(hours=2)
    t = lambda minutes: iso(taken + timedelta(minutes=minutes))  # noqa: E731
    return [
        ("taken_at", 422, {"taken_at": iso(now + timedelta(minutes=10))}),
        ("taken_at", 422, {"taken_at": iso(now - timedelta(days=7, minutes=5))}),
        ("taken_at", 422, {"late_entry": {"unit_id": unit_id, "dispatched_at": t(1)}}),
        ("late_entry.dispatched_at", 422, {"taken_at": iso(taken), "late_entry": {"unit_id": unit_id,
                                                                                   "dispatched_at": t(-1)}}),
        ("late_entry.on_scene_at", 422, {"taken_at": iso(taken), "late_entry": {
            "unit_id": unit_id, "dispatched_at": t(5), "en_route_at": t(6), "on_scene_at": t(4)}}),
        ("late_entry.cleared_at", 422, {"taken_at": iso(taken), "late_entry": {
            "unit_id": unit_id, "dispatched_at": t(5), "transporting_at": t(30), "cleared_at": t(20)}}),
        ("late_entry.cleared_at", 422, {"taken_at": iso(taken), "late_entry": {
            "unit_id": unit_id, "dispatched_at": t(5), "cleared_at": iso(now + timedelta(hours=1))}}),
        ("late_entry.hospital_id", 422, {"taken_at": iso(taken), "late_entry": {
            "unit_id": unit_id, "dispatched_at": t(5), "at_hospital_at": t(40)}}),
        ("late_entry.unit_id", 404, {"taken_at": iso(taken), "late_entry": {"unit_id": 9999, "dispatched_at": t(5)}}),
        ("late_entry.hospital_id", 404, {"taken_at": iso(taken), "late_entry": {
            "unit_id": unit_id, "dispatched_at": t(5), "hospital_id": 9999}}),
        ("late_entry", 422, {"taken_at": iso(taken), "disposition": "prank",
                             "late_entry": {"unit_id": unit_id, "dispatched_at": t(5)}}),
        ("late_entry.dispatched_at", 422, {"taken_at": iso(taken), "late_entry": {"unit_id": unit_id}}),
        ("late_entry.dispatched_at", 422, {"taken_at": iso(taken), "late_entry": {"unit_id": unit_id,
                                                                                   "dispatched_at": "kemarin"}}),
    ]


@pytest.mark.parametrize("case", range(13))
def test_a_card_that_cannot_be_right_is_refused_naming_the_field_and_nothing_is_stored(world, session, afternoon,
                                                                                        case):
    field, status, fields = _bad_cards(afternoon, world.unit_a.id, world.hospital.id)[case]
    before = counts(session)
    answer = card(world, **fields)
    assert answer.status_code == status, answer.get_json()
    error = answer.get_json()["error"]
    assert field in error["fields"], error
    assert counts(session) == before


def test_only_a_supervisor_enters_a_card(world, session, afternoon):
    before = counts(session)
    answer = world.post("op", "/api/calls", {"caller_phone": "0812-5600-771", "disposition": "prank",
                                             "taken_at": iso(afternoon - timedelta(hours=1))})
    assert answer.status_code == 403 and "taken_at" in answer.get_json()["error"]["fields"]
    assert counts(session) == before


def test_a_card_linked_to_an_open_incident_is_its_duplicate_with_the_cards_time(world, afternoon):
    open_incident = world.new_incident()
    taken = afternoon - timedelta(minutes=30)
    answer = card(world, taken_at=iso(taken), link_to_incident_id=open_incident["id"])
    assert answer.status_code == 201, answer.get_json()
    call = answer.get_json()["call"]
    assert call["disposition"] == "duplicate" and call["incident_id"] == open_incident["id"]
    assert parsed(call["received_at"]) == taken
    refused = card(world, taken_at=iso(taken), link_to_incident_id=open_incident["id"],
                   late_entry={"unit_id": world.unit_a.id, "dispatched_at": iso(taken + timedelta(minutes=1))})
    assert refused.status_code == 422 and "late_entry" in refused.get_json()["error"]["fields"]
