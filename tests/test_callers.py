"""The caller: one number's history, the repeat-prank flag and the supervisors' soft blocks
(core/callers.py, GET /api/callers/<phone>, POST/DELETE /api/callers/<phone>/block)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conftest import fresh
from dispatch.core.clock import shifted, utcnow
from dispatch.models import Call, CallerBlock, Event, Incident

NUMBER = "0812-3456-7890"


def take(world, disposition="emergency", phone=NUMBER, **extra):
    body = {"caller_phone": phone, "disposition": disposition, **extra}
    if disposition == "emergency":
        body.setdefault("lat", -0.035)
        body.setdefault("lon", 109.335)
    return world.post("op", "/api/calls", body)


def history(world, phone=NUMBER, who="op"):
    resp = world.get(who, f"/api/callers/{phone}")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def block(world, phone=NUMBER, hours=24, reason="iseng berulang"):
    return world.post("sup", f"/api/callers/{phone}/block",
                      {"reason": reason, "until": (utcnow() + timedelta(hours=hours)).isoformat()})


def test_three_ways_of_writing_a_number_are_one_caller_and_the_typed_form_is_kept(world, session):
    for typed in ("0812-3456-7890", "+62 812 3456 7890", "6281234567890"):
        assert take(world, "info", phone=typed).status_code == 201
    rows = fresh(session).execute(select(Call.caller_phone, Call.caller_phone_as_given).order_by(Call.id)).all()
    assert [tuple(r) for r in rows] == [("+6281234567890", "0812-3456-7890"), ("+6281234567890", "+62 812 3456 7890"),
                                        ("+6281234567890", "6281234567890")]
    body = history(world, "+6281234567890")
    assert (body["phone"], body["display"], body["kind"], body["calls_total"], body["counts"]["info"]) == (
        "+6281234567890", "0812-3456-7890", "mobile", 3, 3)
    assert history(world, "0812 3456 7890")["calls_total"] == 3


def test_a_number_never_heard_of_has_an_empty_history(world):
    body = history(world, "0813-1111-2222")
    assert body["calls_total"] == 0 and body["flags"] == [] and body["last_call"] is None
    assert body["block"] is None and body["open_incidents"] == [] and set(body["counts"].values()) == {0}


def test_not_a_phone_number_is_a_422_naming_the_field(world):
    resp = world.get("op", "/api/callers/0811")
    assert resp.status_code == 422 and "phone" in resp.get_json()["error"]["fields"]
    resp = take(world, phone="0812-999")
    assert resp.status_code == 422 and "caller_phone" in resp.get_json()["error"]["fields"]


def test_the_history_counts_by_disposition_and_names_the_open_incident_and_the_last_emergency(world, session):
    with shifted(-timedelta(days=2)):
        take(world, "prank")
    emergency = take(world).get_json()
    take(world, "duplicate", incident_id=emergency["incident"]["id"])
    take(world, "silent")
    take(world, "dropped")
    body = history(world)
    assert body["counts"] == {"emergency": 1, "prank": 1, "silent": 1, "info": 0, "duplicate": 1, "dropped": 1}
    assert body["today"]["prank"] == 0 and body["today"]["silent"] == 1      # the prank was two days ago
    assert body["window"]["prank_like"] == 1 and body["window"]["limit"] == 3
    assert body["last_emergency"]["incident"]["reference"] == emergency["incident"]["reference"]
    assert [o["incident"]["id"] for o in body["open_incidents"]] == [emergency["incident"]["id"]]
    assert body["last_call"]["disposition"] == "dropped"
    assert [c["disposition"] for c in body["recent_calls"]] == ["dropped", "silent", "duplicate", "emergency", "prank"]
    # Closed, the incident is no longer open for this caller; the last emergency stays.
    world.post("op", f"/api/incidents/{emergency['incident']['id']}/cancel", {"reason": "salah sambung"})
    body = history(world)
    assert body["open_incidents"] == [] and body["last_emergency"]["incident"]["status"] == "cancelled"


def test_a_number_with_three_pranks_today_is_flagged_on_the_fourth_call(world, session):
    for disposition in ("prank", "silent", "prank"):
        call = take(world, disposition).get_json()["call"]
        assert "repeat_prank" not in call["caller_flags"]
    fourth = take(world).get_json()
    # (its silent call still waits for a call-back: that is said too)
    assert fourth["call"]["caller_flags"] == ["repeat_prank", "awaiting_callback"]
    assert fourth["incident"] is not None                      # flagged, never refused
    assert history(world)["flags"] == ["repeat_prank", "awaiting_callback"]
    event = fresh(session).scalars(select(Event).where(Event.type == "call.received").order_by(Event.id.desc())).first()
    assert event.data["call"]["caller_flags"] == ["repeat_prank", "awaiting_callback"]
    # Outside the window a prank does not count: three a day ago leave another number clean.
    with shifted(-timedelta(hours=25)):
        for _ in range(3):
            take(world, "prank", phone="0813-1111-2222")
    assert history(world, "0813-1111-2222")["flags"] == []
    assert history(world, "0813-1111-2222")["counts"]["prank"] == 3


def test_the_repeat_prank_rule_is_a_setting(world):
    world.app.config["REPEAT_PRANK_CALLS"] = 2
    take(world, "prank")
    take(world, "prank")
    assert history(world)["flags"] == ["repeat_prank"]


def test_dropped_calls_do_not_make_a_prank_caller(world):
    for _ in range(4):
        take(world, "dropped")
    assert history(world)["flags"] == ["awaiting_callback"]   # called back, not flagged as a prankster


def test_a_blocked_number_asks_for_the_confirmation_and_is_then_taken(world, session):
    resp = block(world)
    assert resp.status_code == 201
    blocked = resp.get_json()
    assert (blocked["phone"], blocked["reason"], blocked["created_by"]) == ("+6281234567890", "iseng berulang", "sup")
    before = fresh(session).scalar(select(func.count()).select_from(Call))
    refused = take(world)
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "caller_blocked" and error["details"]["block"]["reason"] == "iseng berulang"
    assert "confirm_blocked" in error["fields"]
    assert fresh(session).scalar(select(func.count()).select_from(Call)) == before      # nothing half-written
    assert fresh(session).scalar(select(func.count()).select_from(Incident)) == 0
    taken = take(world, confirm_blocked=True)
    assert taken.status_code == 201 and taken.get_json()["incident"] is not None
    assert taken.get_json()["call"]["caller_flags"] == ["blocked"]
    assert history(world)["flags"] == ["blocked"] and history(world)["block"]["id"] == blocked["id"]
    assert take(world, phone="0813-1111-2222").status_code == 201            # other numbers are not touched


def test_a_block_runs_out_by_itself_and_can_be_lifted(world, session):
    block(world, hours=1)
    with shifted(timedelta(hours=2)):
        assert take(world).status_code == 201 and history(world)["block"] is None
    block(world)        # now (the first block is still in force): replaces it
    lifted = world.call("sup", "DELETE", f"/api/callers/{NUMBER}/block")
    assert lifted.status_code == 200 and lifted.get_json()["lifted_at"] is not None
    assert take(world).status_code == 201
    again = world.call("sup", "DELETE", f"/api/callers/{NUMBER}/block")
    assert again.status_code == 404
    kinds = [e.type for e in fresh(session).scalars(select(Event).where(Event.type.like("caller.%")).order_by(Event.id))]
    assert kinds == ["caller.blocked", "caller.unblocked", "caller.blocked", "caller.unblocked"]


def test_a_new_block_replaces_the_one_in_force(world, session):
    first = block(world, reason="pertama").get_json()
    second = block(world, reason="kedua", hours=48).get_json()
    assert history(world)["block"]["id"] == second["id"]
    rows = fresh(session).scalars(select(CallerBlock).order_by(CallerBlock.id)).all()
    assert [(b.id, b.lifted_at is not None) for b in rows] == [(first["id"], True), (second["id"], False)]
    replaced = fresh(session).scalars(select(Event).where(Event.type == "caller.unblocked")).one()
    assert replaced.data["replaced"] is True


@pytest.mark.parametrize("body, field", [
    ({"until": "2099-01-01T00:00:00Z"}, "reason"),
    ({"reason": "  ", "until": "2099-01-01T00:00:00Z"}, "reason"),
    ({"reason": "iseng"}, "until"),
    ({"reason": "iseng", "until": "2020-01-01T00:00:00Z"}, "until"),
    ({"reason": "iseng", "until": "besok"}, "until"),
])
def test_a_block_without_a_reason_or_with_an_expiry_in_the_past_is_refused(world, session, body, field):
    resp = world.post("sup", f"/api/callers/{NUMBER}/block", body)
    assert resp.status_code == 422 and field in resp.get_json()["error"]["fields"]
    assert fresh(session).scalar(select(func.count()).select_from(CallerBlock)) == 0


def test_only_a_supervisor_blocks(world):
    resp = world.post("op", f"/api/callers/{NUMBER}/block", {"reason": "x", "until": "2099-01-01T00:00:00Z"})
    assert resp.status_code == 403
    assert world.get("crew_a", f"/api/callers/{NUMBER}").status_code == 403


def test_a_call_from_ring_to_closed_with_a_blocked_prank_caller(world, session):
    """Three pranks, a block, a real emergency from the same number confirmed, sent, closed: the
    history says all of it at the end."""
    for _ in range(3):
        take(world, "prank")
    block(world)
    inc = take(world, confirm_blocked=True, category="cardiac", priority="P1").get_json()["incident"]
    assert history(world)["open_incidents"][0]["incident"]["id"] == inc["id"]
    aid = world.assign(inc["id"], world.unit_a.id).get_json()["assignments"][0]["id"]
    world.post("crew_a", f"/api/incidents/{inc['id']}/assignments/{aid}/accept")
    for status in ("en_route", "on_scene", "available"):
        world.status(world.unit_a.id, status)
    body = history(world)
    assert body["open_incidents"] == [] and body["counts"]["prank"] == 3 and body["counts"]["emergency"] == 1
    assert body["last_emergency"]["incident"]["status"] == "closed"
    assert body["flags"] == ["repeat_prank", "blocked"]
