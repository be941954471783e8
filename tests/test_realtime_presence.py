"""Presence on the live consoles: operators see a crew's phone connect and go, and a unit
whose last fix has gone stale, in the snapshot and as events (real server, real clients).
Across server processes and a SIGKILL: tests/test_realtime_processes.py."""
import time
from datetime import timedelta

from conftest import fresh
from dispatch.core.clock import utcnow
from dispatch.models import DeviceSession, Unit
from conftest import Console


def presence_event(console, unit_id, reason):
    """The next presence event of ``unit_id`` (other events before it are skipped)."""
    while True:
        _, event = console.next("event")
        if event["type"] == "unit.presence_changed" and event["unit_id"] == unit_id:
            assert event["data"]["reason"] == reason, event["data"]["reason"]
            return event


def by_id(units, unit_id):
    return next(u for u in units if u["id"] == unit_id)


def test_operators_see_a_crews_phone_connect_and_go(consoles, world, live_server, session):
    operator = consoles("op")
    operator.next("snapshot")
    phone = Console(live_server, world.tokens["crew_a"]).connect()
    try:
        phone.next("snapshot")
        event = presence_event(operator, world.unit_a.id, "device_connected")
        assert event["data"]["unit"]["presence"]["device_connected"] is True
        assert event["actor"]["username"] == "crew_a"
        # A supervisor who opens the map now sees it in the snapshot; the other unit is not connected.
        state = consoles("sup").next("snapshot")[1]["units"]
        assert by_id(state, world.unit_a.id)["presence"]["device_connected"] is True
        assert by_id(state, world.unit_b.id)["presence"]["device_connected"] is False
    finally:
        phone.close()
    event = presence_event(operator, world.unit_a.id, "device_disconnected")
    assert event["data"]["unit"]["presence"]["device_connected"] is False
    assert fresh(session).get(Unit, world.unit_a.id).device_connected is False
    assert fresh(session).query(DeviceSession).count() == 0


def test_a_crew_sees_its_own_phone_connected_in_its_snapshot(consoles, world):
    _, state = consoles("crew_a").next("snapshot")
    assert [u["presence"]["device_connected"] for u in state["units"]] == [True]


def test_two_phones_of_one_unit_count_as_one_device(consoles, world, live_server):
    operator = consoles("op")
    operator.next("snapshot")
    first = consoles("crew_a")
    first.next("snapshot")
    presence_event(operator, world.unit_a.id, "device_connected")
    second = consoles("crew_a")
    second.next("snapshot")
    first.close()
    # Nothing about unit A until the second phone goes too: then it is reported, once.
    second.close()
    event = presence_event(operator, world.unit_a.id, "device_disconnected")
    assert event["data"]["unit"]["presence"]["device_connected"] is False


def test_a_stale_fix_is_marked_and_a_fresh_one_clears_it(consoles, world, app):
    from dispatch.core import scheduled
    from dispatch.scheduler import Job

    # This test's limit: 30 s (the scheduler's job of that name replaced).
    app.extensions["psc_scheduler"].add(Job("stale_positions", 1.0, lambda s, now: scheduled.flag_stale_positions(
        s, now, stale_after_s=30)))
    operator = consoles("op")
    operator.next("snapshot")
    old = (utcnow() - timedelta(seconds=90)).isoformat()
    r = world.post("crew_a", f"/api/units/{world.unit_a.id}/location",
                   {"lat": -0.0301, "lon": 109.3402, "recorded_at": old})
    assert r.status_code == 200 and r.get_json()["applied"] is True
    event = presence_event(operator, world.unit_a.id, "position_stale")
    assert event["actor"] is None and event["data"]["unit"]["presence"]["position_stale"] is True
    # Supervisors opening the map see it too.
    assert by_id(consoles("sup").next("snapshot")[1]["units"], world.unit_a.id)["presence"]["position_stale"] is True
    app.config["POSITION_STALE_S"] = 30
    r = world.post("crew_a", f"/api/units/{world.unit_a.id}/location",
                   {"lat": -0.0305, "lon": 109.3405, "recorded_at": utcnow().isoformat()})
    assert r.get_json()["unit"]["presence"]["position_stale"] is False
    event = presence_event(operator, world.unit_a.id, "position_fresh")
    assert event["actor"]["username"] == "crew_a"


def test_a_phone_whose_network_dies_silently_is_reported_gone_by_the_heartbeat(consoles, world, live_server, app):
    from test_realtime_transport import Wire

    eio = app.extensions["socketio"].server.eio
    assert (eio.ping_interval, eio.ping_timeout) == (10, 10)      # the defaults: noticed within 20 s
    eio.ping_interval, eio.ping_timeout = 1, 1                    # this test: within 2 s
    operator = consoles("op")
    operator.next("snapshot")
    phone = Wire(live_server, world.tokens["crew_a"])             # answers no ping: its network is gone
    try:
        presence_event(operator, world.unit_a.id, "device_connected")
        started = time.monotonic()
        event = presence_event(operator, world.unit_a.id, "device_disconnected")
        assert event["data"]["unit"]["presence"]["device_connected"] is False
        assert time.monotonic() - started < 2 + 8                 # interval + timeout, and slack for a busy machine
    finally:
        phone.ws.close()
