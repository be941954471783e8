"""A crew's commands over the live connection: the same validation, permissions and
idempotency as the REST API, each acknowledged with the result or the error."""
import threading
import time

import pytest
from sqlalchemy import func, select

from conftest import fresh
from dispatch.core.clock import utcnow
from dispatch.models import Assignment, Event, Unit
from test_realtime import DEADLINE_S, Console


@pytest.fixture
def crew(live_server, world):
    opened = []

    def open_console(who="crew_a"):
        console = Console(live_server, world.tokens[who]).connect()
        console.next("snapshot")
        opened.append(console)
        return console

    yield open_console
    for console in opened:
        console.close()


def call(console, name, payload):
    return console.client.call(name, payload, timeout=DEADLINE_S)


def test_status_over_the_socket_is_applied_once_per_client_ref(crew, world, session):
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_a.id)
    phone = crew()
    first = call(phone, "status", {"status": "en_route", "client_ref": "hp-a-0001"})
    assert first["ok"] is True and first["applied"] is True and first["unit"]["status"] == "en_route"
    again = call(phone, "status", {"status": "en_route", "client_ref": "hp-a-0001"})
    assert again["ok"] is True and again["applied"] is False
    unit = fresh(session).get(Unit, world.unit_a.id)
    assert unit.status == "en_route" and unit.version == 3  # assigned, then en_route once


def test_a_status_for_a_job_no_longer_the_units_is_refused_over_the_socket(crew, world, session):
    incident = world.new_incident()
    a_id = world.assign(incident["id"], world.unit_a.id).get_json()["id"]
    world.post("op", f"/api/incidents/{incident['id']}/assignments/{a_id}/cancel", {"reason": "other unit"})
    answer = call(crew(), "status", {"status": "out_of_service", "assignment_id": a_id, "client_ref": "hp-a-9"})
    assert answer["ok"] is False and answer["error"]["code"] == "assignment_changed"
    assert answer["error"]["fields"] == {"assignment_id": "not the unit's current assignment"}
    assert fresh(session).get(Unit, world.unit_a.id).status == "available"


def test_an_illegal_status_is_refused_with_the_core_error(crew, world):
    answer = call(crew(), "status", {"status": "on_scene"})
    assert answer["ok"] is False and answer["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize("payload, field", [
    ({}, "status"), ({"status": "flying"}, "status"), ({"status": "en_route", "extra": 1}, "extra"),
    ([1, 2], "_payload"), ("en_route", "_payload"), (None, "_payload"),
])
def test_a_command_of_the_wrong_shape_names_the_field_and_changes_nothing(crew, world, session, payload, field):
    phone = crew()  # connected first: its own connection is an event (presence)
    before = fresh(session).scalar(select(func.count(Event.id)))
    answer = call(phone, "status", payload)
    assert answer["ok"] is False and answer["error"]["code"] == "validation_error"
    assert field in answer["error"]["fields"]
    assert fresh(session).scalar(select(func.count(Event.id))) == before


def test_a_huge_command_is_refused(crew):
    answer = call(crew(), "status", {"status": "en_route", "client_ref": "x" * 10_000})
    assert answer["ok"] is False and answer["error"]["code"] == "payload_too_large"


def test_location_over_the_socket_moves_the_unit(crew, world, session):
    answer = call(crew(), "location", {"lat": -0.0301, "lon": 109.3402, "recorded_at": utcnow().isoformat()})
    assert answer["ok"] is True and answer["applied"] is True
    unit = fresh(session).get(Unit, world.unit_a.id)
    assert (unit.lat, unit.lon) == (-0.0301, 109.3402)


def test_only_a_crew_sends_commands(live_server, world):
    console = Console(live_server, world.tokens["op"]).connect()
    try:
        console.next("snapshot")
        answer = call(console, "status", {"status": "out_of_service"})
        assert answer["ok"] is False and answer["error"]["code"] == "forbidden"
    finally:
        console.close()


def test_a_revoked_token_stops_commands_at_once(crew, world, session):
    phone = crew()
    said, done = [], threading.Event()
    phone.client.on("error", lambda e: (said.append(("closed", e)), done.set()))
    phone.client.on("disconnect", lambda *_: done.set())
    world.post("crew_a", "/api/auth/logout")
    # Two right answers, depending on whether the token check ran between the logout and the
    # command: the command refused, or the connection told and closed before it was read.
    phone.client.emit("status", {"status": "out_of_service"},
                      callback=lambda answer: (said.append(("answer", answer)), done.set()))
    assert done.wait(DEADLINE_S), "the command of a revoked token was neither refused nor cut off"
    kind, body = said[0] if said else ("closed", None)
    if kind == "answer":
        assert body["ok"] is False and body["error"]["code"] == "invalid_token"
    elif body is not None:
        assert body["code"] == "invalid_token"
    assert fresh(session).get(Unit, world.unit_a.id).status == "available"


def test_the_crew_accepts_its_assignment_and_the_operators_see_it(crew, world, live_server, session):
    operator = Console(live_server, world.tokens["op"]).connect()
    try:
        operator.next("snapshot")
        phone = crew()
        incident = world.new_incident()
        world.assign(incident["id"], world.unit_a.id)
        _, job = phone.next("assignment")
        answer = call(phone, "accept", {"assignment_id": job["assignment"]["id"]})
        assert answer["ok"] is True and answer["applied"] is True and answer["assignment"]["accepted_at"]
        assert call(phone, "accept", {"assignment_id": job["assignment"]["id"]})["applied"] is False
        _, seen = operator.next("event")
        while seen["type"] != "assignment.accepted":
            _, seen = operator.next("event")
        assert seen["unit_id"] == world.unit_a.id
        assert fresh(session).get(Assignment, job["assignment"]["id"]).accepted_at is not None
    finally:
        operator.close()


def test_a_crew_cannot_accept_another_units_assignment(crew, world):
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_b.id)
    other = fresh(world.session).scalar(select(Assignment.id).where(Assignment.unit_id == world.unit_b.id))
    answer = call(crew("crew_a"), "accept", {"assignment_id": other})
    assert answer["ok"] is False and answer["error"]["code"] == "forbidden"
    assert call(crew("crew_a"), "accept", {"assignment_id": 999_999})["error"]["code"] == "not_found"


def test_an_unknown_event_gets_an_error_and_changes_nothing(crew):
    phone = crew()
    errors = []
    got = threading.Event()
    phone.client.on("error", lambda data: (errors.append(data), got.set()))
    phone.client.emit("teleport", {"lat": 0})
    assert got.wait(DEADLINE_S)
    assert errors[0]["code"] == "unknown_event" and "teleport" in errors[0]["message"]


def test_a_flood_from_one_client_is_limited_without_touching_another(crew, world, live_server):
    flooder, calm = crew("crew_a"), crew("crew_b")
    answers = [call(flooder, "status", {"status": "flying"}) for _ in range(40)]
    codes = [a["error"]["code"] for a in answers]
    assert "rate_limited" in codes and codes[0] == "validation_error"
    answer = call(calm, "status", {"status": "out_of_service"})
    assert answer["ok"] is True


def test_unknown_events_count_against_the_rate_limit(crew, world, monkeypatch):
    """A flood of unknown event names drains the connection's rate like commands do: the
    server stops answering them, and the next command is refused as rate_limited."""
    from dispatch.realtime import connections
    # The bucket barely refills during the test, so a slow machine cannot refill it between
    # the flood and the command (at 10 a second it would after 0.1 s).
    monkeypatch.setattr(connections, "RATE_PER_S", 0.01)
    phone = crew()
    errors = []
    phone.client.on("error", errors.append)
    for _ in range(200):
        phone.client.emit("teleport", {"lat": 0})
    answer = call(phone, "status", {"status": "flying"})   # handled after them, in order
    assert answer["ok"] is False and answer["error"]["code"] == "rate_limited"
    assert len(errors) <= 25, "an unknown event past the limit is dropped unanswered"
    assert call(crew("crew_b"), "status", {"status": "out_of_service"})["ok"] is True


def test_a_command_while_the_database_cannot_write_is_acknowledged_database_unavailable(app, crew, world):
    """The disk is full (SQLite's real "database or disk is full"): the ack says
    database_unavailable, as REST says 503; with room again the same command is applied."""
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("the full disk is made with SQLite's max_page_count")
    from sqlalchemy import event

    from dispatch.extensions import db

    phone = crew()

    def cap(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA page_count")
        cur.execute(f"PRAGMA max_page_count = {cur.fetchone()[0]}")
        cur.close()

    event.listen(db.engine, "connect", cap)
    db.engine.dispose()
    try:
        body = {"caller_phone": "0811573119", "location_text": "Jl. Gajah Mada", "notes": "n" * 900,
                "lat": -0.035, "lon": 109.335, "category": "cardiac", "priority": "P1"}
        for _ in range(200):                     # fill what room is left
            if world.post("op", "/api/calls", body).status_code == 503:
                break
        small = {k: v for k, v in body.items() if k != "notes"}
        for _ in range(200):
            if world.post("op", "/api/calls", small).status_code == 503:
                break
        codes = []
        for i in range(100):                     # the little room left is used up by status changes
            answer = call(phone, "status", {"status": ("out_of_service", "available")[i % 2]})
            code = "ok" if answer["ok"] else answer["error"]["code"]
            codes.append(code)
            if code == "database_unavailable":
                break
        assert codes[-1] == "database_unavailable" and set(codes) <= {"ok", "rate_limited", "database_unavailable"}, \
            codes
    finally:
        event.remove(db.engine, "connect", cap)
        db.engine.dispose()
    deadline, i = time.monotonic() + DEADLINE_S, 0   # room again: the change is applied
    while (answer := call(phone, "status", {"status": ("out_of_service", "available")[i % 2]}))["ok"] is not True:
        assert answer["error"]["code"] in ("rate_limited", "invalid_transition") and time.monotonic() < deadline, \
            answer
        i += 1
        time.sleep(0.1)
