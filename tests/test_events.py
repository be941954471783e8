"""The event log: replay by id, append-only, documented types, publish after commit,
and ids in commit order under concurrent writers (PostgreSQL)."""
import json
import os
import re
import threading
import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from conftest import ON_POSTGRES, fresh
from dispatch.core import assignment, events, eventtypes, facilities, presence, zones
from dispatch.core.clock import shifted, utcnow
from dispatch.database import begin_write
from dispatch.extensions import db
from dispatch.geo.zones import SHIPPED as ZONES_FILE
from dispatch.models import Event

DOCS = os.path.join(os.path.dirname(__file__), "..", "docs", "EVENTS.md")


def test_replay_after_id_in_order_with_limit(world):
    for _ in range(3):
        world.new_incident()
    everything = world.get("sup", "/api/events?after=0&limit=1000").get_json()
    ids = [e["id"] for e in everything["items"]]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert everything["last_id"] == ids[-1]
    page = world.get("op", f"/api/events?after={ids[2]}&limit=2").get_json()
    assert [e["id"] for e in page["items"]] == ids[3:5]
    assert page["last_id"] == ids[4]
    empty = world.get("op", f"/api/events?after={ids[-1]}").get_json()
    assert empty == {"items": [], "last_id": ids[-1]}


def test_event_shape(world):
    inc = world.new_incident()
    ev = world.get("op", "/api/events").get_json()["items"][-1]
    assert set(ev) == {"id", "type", "at", "occurred_at", "actor", "incident_id", "unit_id", "data"}
    assert ev["occurred_at"] == ev["at"]   # a live call happened when it was recorded
    assert ev["type"] == "incident.created" and ev["incident_id"] == inc["id"]
    assert ev["actor"] == {"id": world.users["op"].id, "username": "op"}
    assert ev["at"].endswith("+00:00")
    assert ev["data"]["incident"]["reference"] == inc["reference"]


def test_events_cannot_be_updated_or_deleted(world, session):
    world.new_incident()
    fresh(session)
    for stmt in ("UPDATE events SET type = 'forged'", "DELETE FROM events"):
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(text(stmt))
        session.rollback()
    assert session.scalar(select(func.count()).select_from(Event)) > 0


def test_every_event_type_is_documented():
    with open(DOCS, encoding="utf-8") as fh:
        documented = set(re.findall(r"^### `([a-z_]+\.[a-z_]+)`", fh.read(), re.M))
    assert documented == set(events.EVENT_TYPES)


def test_each_types_section_names_every_key_of_its_schema():
    """docs/EVENTS.md against the registry (core/eventtypes.py): each key a type's data may have is
    named in that type's section."""
    text = DOCS.read_text(encoding="utf-8") if hasattr(DOCS, "read_text") else open(DOCS, encoding="utf-8").read()
    sections = dict(re.findall(r"^### `([a-z_]+\.[a-z_]+)`\n(.*?)(?=^### |^## |\Z)", text, re.M | re.S))
    missing = {t: [k for k in eventtypes.KEYS[t] if f"`{k}`" not in sections[t]] for t in eventtypes.KEYS}
    assert {t: keys for t, keys in missing.items() if keys} == {}


def test_the_schemas_are_published_as_json_schema_and_match_what_is_logged(world):
    """GET /api/events/schema: one JSON Schema per type; every event a busy minute logs is valid
    against its type's schema (checked by a JSON Schema validator, rows against the OpenAPI components)."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    answer = world.get("sup", "/api/events/schema")
    assert answer.status_code == 200
    schemas = answer.get_json()["types"]
    assert set(schemas) == set(events.EVENT_TYPES)
    assert schemas["incident.closed"]["required"] == ["outcome", "incident"]
    assert "entered_late" in schemas["incident.closed"]["properties"]
    assert world.get("crew_a", "/api/events/schema").status_code == 403
    openapi = world.get("sup", "/api/openapi.json").get_json()
    registry = Registry().with_resource("/api/openapi.json", Resource.opaque(openapi))
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    world.status(world.unit_a.id, "en_route")
    world.post("op", "/api/calls", {"caller_phone": "0812-573-002", "disposition": "prank"})
    logged = world.events()
    assert {e["type"] for e in logged} >= {"call.received", "incident.created", "incident.assigned",
                                            "unit.status_changed", "incident.status_changed"}
    for event in logged:
        validator = Draft202012Validator(schemas[event["type"]], registry=registry)
        errors = [e.message for e in validator.iter_errors(event["data"])]
        assert errors == [], (event["type"], errors[:3])


def test_record_refuses_a_key_its_schema_does_not_list_or_a_value_of_another_kind(session):
    with pytest.raises(ValueError, match="does not list"):
        events.record(session, "unit.created", actor=None, data={"unit": {}, "secret": 1})
    with pytest.raises(ValueError, match="is not boolean"):
        events.record(session, "caller.unblocked", actor=None, data={"phone": "112", "block": {}, "replaced": "yes"})
    with pytest.raises(ValueError, match="is null"):
        events.record(session, "incident.created", actor=None, data={"incident": None})
    session.rollback()


def test_every_logged_event_matches_its_schema(world, session):
    """Drive a busy shift, then check each stored event against EVENT_TYPES."""
    inc = world.new_incident()
    world.post("op", "/api/calls", {"caller_phone": "0812-573-002", "disposition": "prank"})
    world.patch("op", f"/api/incidents/{inc['id']}", {"priority": "P3"})
    accepted = world.assign(inc["id"], world.unit_a.id).get_json()["assignments"][0]["id"]
    assignment.accept_assignment(session, actor=world.users["crew_a"], assignment_id=accepted)
    for s in ("en_route", "on_scene", "available"):      # closes it by itself
        world.status(world.unit_a.id, s)
    world.post("op", f"/api/incidents/{inc['id']}/reopen", {"reason": "called again"})
    other = world.new_incident()
    aid = world.assign(other["id"], world.unit_b.id).get_json()["assignments"][0]["id"]
    assignment.flag_unacknowledged(session, assignment_ids=[aid], timeout_s=60)
    world.post("op", f"/api/incidents/{other['id']}/assignments/{aid}/cancel", {"reason": "x"})
    world.post("op", f"/api/incidents/{other['id']}/cancel", {"reason": "y"})
    world.patch("sup", f"/api/hospitals/{world.hospital.id}", {"beds_available": 3})
    survivor, again = world.new_incident(), world.new_call()["call"]
    repeat = world.post("op", "/api/calls", {"caller_phone": "0812-573-004", "disposition": "duplicate",
                                             "incident_id": survivor["id"]}).get_json()["call"]
    assert world.post("op", f"/api/calls/{again['id']}/link", {"incident_id": survivor["id"]}).status_code == 200
    assert world.post("op", f"/api/calls/{again['id']}/unlink", {}).status_code == 200   # split back out
    assert world.post("op", f"/api/calls/{repeat['id']}/unlink", {}).status_code == 200   # one of its own
    lost = world.post("op", "/api/calls", {"caller_phone": "0812-573-005", "disposition": "dropped"}).get_json()["call"]
    assert world.post("op", f"/api/calls/{lost['id']}/callbacks", {"outcome": "no_answer"}).status_code == 201
    moving, kept = world.new_incident(), world.new_incident()
    world.assign(moving["id"], world.unit_c.id)
    assert world.post("sup", f"/api/incidents/{moving['id']}/merge", {"into": kept["id"]}).status_code == 200
    taken = utcnow() - timedelta(hours=1)
    assert world.post("sup", "/api/calls", {"caller_phone": "0812-573-006", "lat": -0.03, "lon": 109.33,
                                            "taken_at": taken.isoformat(), "late_entry": {
                                                "unit_id": world.unit_b.id,
                                                "dispatched_at": (taken + timedelta(minutes=2)).isoformat()}}
                      ).status_code == 201
    zones.import_zones(session, data=json.loads(ZONES_FILE.read_text()), source="zones.geojson")
    facilities.load_puskesmas(session, actor=world.users["sup"])
    until = (utcnow() + timedelta(hours=2)).isoformat()
    world.post("sup", "/api/callers/0899-573-003/block", {"reason": "iseng", "until": until})
    world.call("sup", "DELETE", "/api/callers/0899-573-003/block")
    presence.device_connected(session, actor=world.users["crew_a"], sid="phone-a", server="test")
    for _ in range(world.app.config["LOGIN_FAILURES_PER_ACCOUNT"] + 1):   # the last one throttled
        world.client.post("/api/auth/login", json={"username": "crew_b", "password": "not-the-password"})
    world.call("sup", "DELETE", "/api/auth/throttle/crew_b")
    scheduler = world.app.extensions["psc_scheduler"]
    world.call("sup", "PUT", "/api/settings/timers", json={"waiting_s": {"P3": 300}})
    waiting = world.new_incident(priority="P1")
    with shifted(timedelta(minutes=10)):
        scheduler.run_once("alerts")                              # raised
    alert = world.get("op", "/api/alerts").get_json()["items"][0]
    world.post("op", f"/api/alerts/{alert['id']}/ack", {})
    world.status(world.unit_b.id, "out_of_service")
    world.status(world.unit_b.id, "available")                    # comes free while incidents wait
    scheduler.run_once("offers")
    world.assign(waiting["id"], world.unit_b.id)
    scheduler.run_once("alerts")                                  # resolved
    seen = set()
    for row in fresh(session).scalars(select(Event)):
        seen.add(row.type)
        assert set(events.EVENT_TYPES[row.type]) <= set(row.data), row.type
    assert seen == set(events.EVENT_TYPES)


def test_record_refuses_unknown_type_or_shape(session):
    with pytest.raises(ValueError):
        events.record(session, "incident.teleported", actor=None, data={})
    with pytest.raises(ValueError):
        events.record(session, "incident.created", actor=None, data={})
    session.rollback()


def test_subscribers_get_events_only_after_commit(world, session):
    published = []
    callback = events.subscribe(lambda batch: published.extend(batch))
    try:
        inc = world.new_incident()
        assert [e["type"] for e in published] == ["call.received", "incident.created"]
        assert published[-1]["incident_id"] == inc["id"]
        # A cancel that fails half-way (second unit is transporting) rolls back the event it
        # had already written for the first unit: nothing is published.
        world.assign(inc["id"], world.unit_a.id)
        world.assign(inc["id"], world.unit_b.id)
        for s in ("en_route", "on_scene", "transporting"):
            world.status(world.unit_b.id, s)
        published.clear()
        r = world.post("op", f"/api/incidents/{inc['id']}/cancel", {"reason": "x"})
        assert r.status_code == 409
        assert published == []
        assert world.get("op", f"/api/units/{world.unit_a.id}").get_json()["status"] == "dispatched"
    finally:
        events.unsubscribe(callback)


def test_a_failing_subscriber_does_not_undo_the_change(world):
    def broken(_batch):
        raise RuntimeError("push server down")

    events.subscribe(broken)
    try:
        r = world.post("op", "/api/calls", {"caller_phone": "0812-573-002"})
        assert r.status_code == 201
        assert world.get("op", f"/api/incidents/{r.get_json()['incident']['id']}").status_code == 200
    finally:
        events.unsubscribe(broken)


def test_reader_polling_after_last_id_never_misses_an_event(world, live_server):
    """Concurrent writers over HTTP; a reader that always asks for after=<last id seen>."""
    writers, per_writer = 6, 15
    headers = world.headers("op")
    done = threading.Event()
    seen, errors = [], []

    def writer(w):
        with requests.Session() as http:
            for i in range(per_writer):
                r = http.post(f"{live_server}/api/calls", headers=headers, timeout=60,
                              json={"caller_phone": f"0812{w:02d}{i:04d}", "complaint": "uji"})
                if r.status_code != 201:
                    errors.append(r.text)

    def poll(http):
        after = seen[-1] if seen else 0
        r = http.get(f"{live_server}/api/events?after={after}&limit=1000", headers=headers, timeout=60)
        seen.extend(e["id"] for e in r.json()["items"])

    def reader():
        with requests.Session() as http:
            while not done.is_set():
                poll(http)
            poll(http)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    rt = threading.Thread(target=reader)
    rt.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    rt.join()
    assert errors == []
    with world.app.app_context():
        s = db.new_session()
        all_ids = list(s.scalars(select(Event.id).order_by(Event.id)))
        s.close()
    assert len(all_ids) >= writers * per_writer * 2
    assert seen == all_ids


@pytest.mark.skipif(not ON_POSTGRES, reason="sequence values out of commit order happen on PostgreSQL only")
def test_event_ids_follow_commit_order_on_postgres(app):
    """A transaction that appended an event holds back later appenders until it commits,
    so an id can never become visible before a smaller one."""
    with app.app_context():
        first = db.new_session()
        begin_write(first)
        events.record(first, "hospital.updated", actor=None, data={"changes": {}, "hospital": {}})
        # Pause the first transaction between appending its event and committing.
        events.write_pending(first)
        a = first.info["pending_events"][0]
        result = {}

        def second_writer():
            s = db.new_session()
            begin_write(s)
            events.record(s, "hospital.updated", actor=None, data={"changes": {}, "hospital": {}})
            s.commit()
            result["b"] = events.list_after(s, after=a["id"])[0]
            s.close()

        t = threading.Thread(target=second_writer)
        t.start()
        watcher = db.new_session()
        deadline = time.monotonic() + 20
        while True:
            waiting = watcher.scalar(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"))
            watcher.rollback()
            if waiting:
                break
            assert time.monotonic() < deadline, "second writer was never made to wait for the first"
            assert t.is_alive(), "second writer committed while the first was still open"
        assert events.list_after(watcher, after=0) == []
        watcher.rollback()
        first.commit()
        t.join(timeout=30)
        assert result["b"]["id"] > a["id"]
        assert [e["id"] for e in events.list_after(watcher, after=0)] == [a["id"], result["b"]["id"]]
        watcher.close()
        first.close()
