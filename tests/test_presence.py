"""Presence in the core: whose phone is connected and whose fix is stale, each change an
event, reported once whatever the number of phones, connections or server processes."""
from datetime import timedelta

from sqlalchemy import select, update

from conftest import fresh
from dispatch.core import presence, units
from dispatch.core.clock import utcnow
from dispatch.models import DeviceSession, Event, Unit


def presence_events(session):
    return [(e.unit_id, e.data["reason"]) for e in
            fresh(session).scalars(select(Event).where(Event.type == "unit.presence_changed").order_by(Event.id))]


def test_a_phone_connecting_and_going_is_reported_once_each(world, session):
    crew = world.users["crew_a"]
    assert presence.device_connected(session, actor=crew, sid="s1", server="A") is True
    unit = fresh(session).get(Unit, world.unit_a.id)
    assert unit.device_connected is True and unit.device_changed_at is not None
    assert presence.device_disconnected(session, sid="s1") is True
    assert fresh(session).get(Unit, world.unit_a.id).device_connected is False
    assert presence_events(session) == [(world.unit_a.id, "device_connected"), (world.unit_a.id, "device_disconnected")]


def test_the_unit_in_the_event_carries_its_presence(world, session):
    presence.device_connected(session, actor=world.users["crew_a"], sid="s1", server="A")
    event = fresh(session).scalars(select(Event).where(Event.type == "unit.presence_changed")).one()
    assert event.data["unit"]["presence"]["device_connected"] is True
    assert event.data["unit"]["presence"]["position_stale"] is False
    assert event.actor_username == "crew_a"


def test_a_second_connection_of_the_same_unit_changes_nothing_until_the_last_goes(world, session):
    crew = world.users["crew_a"]
    presence.device_connected(session, actor=crew, sid="old", server="A")
    assert presence.device_connected(session, actor=crew, sid="new", server="B") is False   # reconnect elsewhere
    assert presence.device_disconnected(session, sid="old") is False                          # old one noticed late
    assert fresh(session).get(Unit, world.unit_a.id).device_connected is True
    assert presence.device_disconnected(session, sid="new") is True
    assert [r for _, r in presence_events(session)] == ["device_connected", "device_disconnected"]


def test_a_connection_already_expired_is_a_no_op(world, session):
    assert presence.device_disconnected(session, sid="never-seen") is False
    assert presence_events(session) == []


def age_sessions(session, seconds, sid=None):
    stmt = update(DeviceSession).values(seen_at=utcnow() - timedelta(seconds=seconds))
    if sid is not None:
        stmt = stmt.where(DeviceSession.sid == sid)
    session.execute(stmt)
    session.commit()


def test_a_dead_servers_connections_expire_and_the_unit_is_reported_gone(world, session):
    presence.device_connected(session, actor=world.users["crew_a"], sid="s1", server="dead")
    presence.device_connected(session, actor=world.users["crew_b"], sid="s2", server="alive")
    age_sessions(session, 60, sid="s1")
    assert presence.expired_units(session, timeout_s=30) == [world.unit_a.id]
    assert presence.expire_devices(session, unit_ids=[world.unit_a.id], timeout_s=30) == [world.unit_a.id]
    assert presence_events(session)[-1] == (world.unit_a.id, "device_timeout")
    assert fresh(session).get(Unit, world.unit_b.id).device_connected is True
    assert [s.sid for s in fresh(session).scalars(select(DeviceSession))] == ["s2"]
    # A second server looking at the same moment finds nothing left to report.
    assert presence.expire_devices(session, unit_ids=[world.unit_a.id], timeout_s=30) == []


def test_the_heartbeat_keeps_a_live_servers_connections(world, session):
    presence.device_connected(session, actor=world.users["crew_a"], sid="s1", server="A")
    age_sessions(session, 60)
    presence.heartbeat(session, sids=["s1"])
    assert presence.expired_units(session, timeout_s=30) == []


def test_an_expired_connection_beside_a_live_one_keeps_the_unit_connected(world, session):
    crew = world.users["crew_a"]
    presence.device_connected(session, actor=crew, sid="before-kill", server="dead")
    presence.device_connected(session, actor=crew, sid="after-restart", server="new")
    age_sessions(session, 60, sid="before-kill")
    assert presence.expire_devices(session, unit_ids=[world.unit_a.id], timeout_s=30) == []
    assert fresh(session).get(Unit, world.unit_a.id).device_connected is True
    assert [r for _, r in presence_events(session)] == ["device_connected"]


def fix(world, session, seconds_ago, lat=-0.03):
    return units.record_location(session, actor=world.users["crew_a"], unit_id=world.unit_a.id, lat=lat,
                                 lon=109.33, recorded_at=utcnow() - timedelta(seconds=seconds_ago),
                                 stale_after_s=120)


def test_a_fix_gone_stale_is_flagged_once_and_a_fresh_one_clears_it(world, session):
    fix(world, session, 300)
    assert presence.stale_units(session, stale_after_s=120) == [world.unit_a.id]
    assert presence.flag_stale_positions(session, unit_ids=[world.unit_a.id], stale_after_s=120) == [world.unit_a.id]
    assert presence.flag_stale_positions(session, unit_ids=[world.unit_a.id], stale_after_s=120) == []
    assert presence.stale_units(session, stale_after_s=120) == []
    assert fresh(session).get(Unit, world.unit_a.id).position_stale is True
    unit, applied = fix(world, session, 200)          # newer, but still old: stays stale
    assert applied and unit.position_stale is True
    unit, applied = fix(world, session, 1)
    assert applied and unit.position_stale is False
    assert presence_events(session) == [(world.unit_a.id, "position_stale"), (world.unit_a.id, "position_fresh")]


def test_a_unit_without_a_fix_is_never_stale(world, session):
    assert presence.stale_units(session, stale_after_s=0) == []


def test_a_fresh_fix_of_a_unit_not_flagged_writes_no_event(world, session):
    fix(world, session, 1)
    fix(world, session, 0)
    assert presence_events(session) == []
