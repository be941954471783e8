"""Dropped and silent calls are worked, not forgotten: the call-back queue, its attempts, a number
that calls again, and a call-back that reaches an emergency (core/callbacks.py)."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conftest import fresh
from dispatch.core.clock import shifted
from dispatch.models import CallbackAttempt, Call, Incident


def dropped(world, phone="0813-5730-100", disposition="dropped", **fields):
    answer = world.post("op", "/api/calls", {"caller_phone": phone, "disposition": disposition, **fields})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["call"]


def queue(world, who="op"):
    answer = world.get(who, "/api/callbacks")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def callback(world, call_id, outcome, who="op", **fields):
    return world.post(who, f"/api/calls/{call_id}/callbacks", {"outcome": outcome, **fields})


def test_a_dropped_call_waits_its_attempts_are_recorded_and_a_reached_emergency_becomes_an_incident(world, session):
    """The proof of issue 13 for call-backs, from the ring to the incident."""
    with shifted(timedelta(minutes=-12)):
        first = dropped(world)
    silent = dropped(world, phone="0813-5730-101", disposition="silent")
    world.post("op", "/api/calls", {"caller_phone": "0813-5730-102", "disposition": "prank"})   # not called back
    waiting = queue(world)
    assert [i["call"]["id"] for i in waiting["items"]] == [first["id"], silent["id"]]   # oldest first
    assert waiting["total"] == 2 and waiting["oldest_waiting_s"] >= 12 * 60
    assert waiting["items"][0]["waiting_s"] >= 12 * 60 and waiting["items"][0]["attempts"] == []
    # nobody answers: recorded, and the call stays
    answer = callback(world, first["id"], "no_answer", attempts_seen=0)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["done"] is False and answer.get_json()["attempt"]["outcome"] == "no_answer"
    assert [a["outcome"] for a in queue(world)["items"][0]["attempts"]] == ["no_answer"]
    # the number calls again while it waits: shown on the queue and flagged on the new call
    again = world.post("op", "/api/calls", {"caller_phone": "0813 5730 100", "disposition": "silent"}).get_json()
    assert "awaiting_callback" in again["call"]["caller_flags"]
    item = next(i for i in queue(world)["items"] if i["call"]["id"] == first["id"])
    assert [c["id"] for c in item["called_again"]] == [again["call"]["id"]]
    history = world.get("op", "/api/callers/0813-5730-100").get_json()
    assert "awaiting_callback" in history["flags"]
    assert [c["id"] for c in history["awaiting_callback"]] == [first["id"], again["call"]["id"]]
    # the second call-back reaches an emergency: the intake opens an incident linked to the dropped call
    taken = world.post("op", "/api/calls", {"caller_phone": "0813-5730-100", "complaint": "ayah sesak napas",
                                             "category": "breathing", "priority": "P1", "lat": -0.03, "lon": 109.33,
                                             "callback_for_call_id": first["id"]})
    assert taken.status_code == 201, taken.get_json()
    incident = taken.get_json()["incident"]
    fresh(session)
    attempts = session.scalars(select(CallbackAttempt).where(CallbackAttempt.call_id == first["id"])
                               .order_by(CallbackAttempt.id)).all()
    assert [(a.outcome, a.incident_id) for a in attempts] == [("no_answer", None), ("reached_emergency", incident["id"])]
    assert session.get(Call, first["id"]).callback_done_at is not None
    assert [i["call"]["id"] for i in queue(world)["items"]] == [silent["id"], again["call"]["id"]]
    # the incident is like any other: in the queue of incidents
    assert incident["id"] in [i["id"] for i in world.get("op", "/api/incidents").get_json()["items"]]
    events = world.events()
    recorded = [e for e in events if e["type"] == "call.callback_recorded"]
    assert [(e["data"]["attempt"]["outcome"], e["data"]["done"]) for e in recorded] == [
        ("no_answer", False), ("reached_emergency", True)]
    assert recorded[-1]["incident_id"] == incident["id"]


@pytest.mark.parametrize("outcome", ["reached_no_emergency", "wrong_number"])
def test_reaching_someone_or_a_wrong_number_takes_the_call_out(world, outcome):
    call = dropped(world)
    answer = callback(world, call["id"], outcome, note="salah sambung, anak kecil main telepon")
    assert answer.status_code == 201 and answer.get_json()["done"] is True
    assert answer.get_json()["call"]["callback_done_at"] is not None
    assert queue(world)["items"] == []
    done = callback(world, call["id"], "no_answer")
    assert done.status_code == 409 and done.get_json()["error"]["code"] == "callback_done"


def test_a_call_back_refuses_what_does_not_fit(world, session):
    prank = world.post("op", "/api/calls", {"caller_phone": "0813-5730-103", "disposition": "prank"}).get_json()["call"]
    call = dropped(world)
    cases = [
        (prank["id"], {"outcome": "no_answer"}, 409, "not_for_callback"),
        (call["id"], {"outcome": "busy"}, 422, "validation_error"),
        (call["id"], {}, 422, "validation_error"),
        (call["id"], {"outcome": "no_answer", "incident_id": 1}, 422, "validation_error"),
        (call["id"], {"outcome": "reached_emergency", "incident_id": 999_999}, 404, "not_found"),
        (call["id"], {"outcome": "no_answer", "attempts_seen": 3}, 409, "callback_changed"),
        (999_999, {"outcome": "no_answer"}, 404, "not_found"),
    ]
    for call_id, body, status, code in cases:
        answer = world.post("op", f"/api/calls/{call_id}/callbacks", body)
        assert (answer.status_code, answer.get_json()["error"]["code"]) == (status, code), (body, answer.get_json())
    assert fresh(session).scalar(select(func.count()).select_from(CallbackAttempt)) == 0
    assert world.post("crew_a", f"/api/calls/{call['id']}/callbacks", {"outcome": "no_answer"}).status_code == 403
    assert world.get("crew_a", "/api/callbacks").status_code == 403
    # an intake naming a call that is not waiting, or with a disposition that opens nothing
    for body, status, code in (({"callback_for_call_id": prank["id"]}, 409, "not_for_callback"),
                               ({"callback_for_call_id": call["id"], "disposition": "info"}, 422, "validation_error")):
        answer = world.post("op", "/api/calls", {"caller_phone": "0813-5730-100", **body})
        assert (answer.status_code, answer.get_json()["error"]["code"]) == (status, code), answer.get_json()
        assert "callback_for_call_id" in answer.get_json()["error"]["fields"]
    assert fresh(session).scalar(select(func.count()).select_from(Incident)) == 0


def test_two_operators_calling_back_one_call_at_once_record_one_attempt(app, world, session):
    call = dropped(world)
    barrier = threading.Barrier(2)
    answers = []

    def call_back():
        client = app.test_client()
        barrier.wait()
        answers.append(client.post(f"/api/calls/{call['id']}/callbacks",
                                   json={"outcome": "reached_no_emergency", "attempts_seen": 0},
                                   headers=world.headers("op")))

    threads = [threading.Thread(target=call_back) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [201, 409]
    loser = next(a for a in answers if a.status_code == 409).get_json()["error"]["code"]
    assert loser in ("callback_done", "callback_changed")
    assert fresh(session).scalar(select(func.count()).select_from(CallbackAttempt)) == 1


def test_a_number_with_many_calls_waiting_shows_the_oldest_ten_and_how_many_in_all(world):
    """A line that keeps dropping: the history stays short, the count says how many wait."""
    waiting = [dropped(world, phone="0813-5730-109", disposition="silent" if i % 2 else "dropped")
               for i in range(12)]
    callback(world, waiting[0]["id"], "wrong_number")            # one leaves the queue
    history = world.get("op", "/api/callers/0813-5730-109").get_json()
    assert history["awaiting_callback_count"] == 11
    assert [c["id"] for c in history["awaiting_callback"]] == [c["id"] for c in waiting[1:11]]
