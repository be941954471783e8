"""Presence: whose phone is connected, and whose last position fix has gone stale.

Operators must never take a silent phone or an old dot on the map for a live unit. Each
unit carries two flags, and every change of either is an event (``unit.presence_changed``)
so that consoles learn it live, on replay and in the snapshot alike:

* ``device_connected``: the crew's phone has at least one live connection. Each
  connection is a :class:`~dispatch.models.DeviceSession` row held by one server process,
  which refreshes ``seen_at`` on a heartbeat. A connection that closes removes its row; a
  server that dies (SIGKILL, power) stops refreshing, and any other server (or the same
  one, restarted) expires its rows after ``timeout_s``. The flag follows the rows, under
  the unit's row lock, so several processes agree and each change is reported once.
* ``position_stale``: the unit's last fix is older than ``stale_after_s``. A sweep sets it
  (a compare-and-set: one process reports it); a fresh fix clears it.

The reasons in the event: ``device_connected``, ``device_disconnected``, ``device_timeout``
(its server stopped answering), ``position_stale`` and ``position_fresh``.
"""
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from ..database import writes
from ..models import DeviceSession, Unit
from . import events
from .clock import utcnow
from .lifecycle import lock_unit
from .payloads import unit_data

REASONS = ("device_connected", "device_disconnected", "device_timeout", "position_stale", "position_fresh")


def _report(session, unit, reason, actor=None):
    events.record(session, "unit.presence_changed", actor=actor, unit_id=unit.id,
                  data={"reason": reason, "unit": unit_data(unit)})


def _set_device(session, unit, connected, reason, actor=None, now=None):
    """Under the unit's lock: flip the flag if it changes, and report it."""
    if unit.device_connected == connected:
        return False
    unit.device_connected = connected
    unit.device_changed_at = now or utcnow()
    session.flush()
    _report(session, unit, reason, actor)
    return True


def _live_sessions(session, unit_id):
    return session.scalar(select(func.count()).select_from(DeviceSession).where(DeviceSession.unit_id == unit_id))


@writes
def device_connected(session, *, actor, sid, server):
    """A crew's phone connected (``sid``, held by ``server``). Returns whether the unit's
    device went from disconnected to connected."""
    unit = lock_unit(session, actor.unit_id)
    now = utcnow()
    session.add(DeviceSession(sid=sid, server=server, unit_id=unit.id, user_id=actor.id,
                              connected_at=now, seen_at=now))
    session.flush()
    changed = _set_device(session, unit, True, "device_connected", actor, now)
    session.commit()
    return changed


@writes
def device_disconnected(session, *, sid, actor=None):
    """A phone's connection closed. Returns whether its unit has no connection left."""
    unit_id = session.scalar(select(DeviceSession.unit_id).where(DeviceSession.sid == sid))
    if unit_id is None:
        session.commit()
        return False  # already expired by another server
    unit = lock_unit(session, unit_id)
    session.execute(delete(DeviceSession).where(DeviceSession.sid == sid))
    changed = _live_sessions(session, unit_id) == 0 and _set_device(
        session, unit, False, "device_disconnected", actor)
    session.commit()
    return changed


@writes
def heartbeat(session, *, sids):
    """This server's connections are alive: refresh them (so no other server expires them)."""
    if sids:
        session.execute(update(DeviceSession).where(DeviceSession.sid.in_(list(sids)))
                        .values(seen_at=utcnow()).execution_options(synchronize_session=False))
    session.commit()


def expired_units(session, *, timeout_s):
    """Units with a connection whose server has not refreshed it for ``timeout_s`` (read only)."""
    cutoff = utcnow() - timedelta(seconds=timeout_s)
    return list(session.scalars(select(DeviceSession.unit_id).where(DeviceSession.seen_at < cutoff)
                                .distinct().order_by(DeviceSession.unit_id)))


@writes
def expire_devices(session, *, unit_ids, timeout_s):
    """Drop the connections of ``unit_ids`` that no server has refreshed for ``timeout_s``;
    a unit left with none is reported disconnected (``device_timeout``). Returns those units."""
    cutoff = utcnow() - timedelta(seconds=timeout_s)
    # Units locked in id order, so two servers expiring at once cannot deadlock.
    units = [lock_unit(session, unit_id) for unit_id in sorted(set(unit_ids))]
    gone = []
    for unit in units:
        session.execute(delete(DeviceSession).where(DeviceSession.unit_id == unit.id,
                                                    DeviceSession.seen_at < cutoff))
        if _live_sessions(session, unit.id) == 0 and unit.device_connected:
            gone.append(unit)
    for unit in gone:
        _set_device(session, unit, False, "device_timeout")
    session.commit()
    return [unit.id for unit in gone]


def stale_units(session, *, stale_after_s):
    """Units whose last fix has just gone stale and is not yet flagged (read only)."""
    cutoff = utcnow() - timedelta(seconds=stale_after_s)
    return list(session.scalars(select(Unit.id).where(Unit.position_stale.is_(False), Unit.position_at < cutoff)
                                .order_by(Unit.id)))


@writes
def flag_stale_positions(session, *, unit_ids, stale_after_s):
    """Flag (and report, once, whichever process gets there first) the fixes gone stale."""
    cutoff = utcnow() - timedelta(seconds=stale_after_s)
    won = [unit_id for unit_id in sorted(set(unit_ids)) if session.execute(
        update(Unit).where(Unit.id == unit_id, Unit.position_stale.is_(False), Unit.position_at < cutoff)
        .values(position_stale=True).execution_options(synchronize_session=False)).rowcount == 1]
    for unit_id in won:
        unit = session.scalar(select(Unit).where(Unit.id == unit_id).execution_options(populate_existing=True))
        _report(session, unit, "position_stale")
    session.commit()
    return won


def clear_stale(session, unit_id, *, actor, stale_after_s):
    """Within a fix's transaction: a fresh fix of a unit flagged stale clears the flag."""
    cutoff = utcnow() - timedelta(seconds=stale_after_s)
    won = session.execute(update(Unit).where(Unit.id == unit_id, Unit.position_stale.is_(True),
                                             Unit.position_at >= cutoff)
                          .values(position_stale=False).execution_options(synchronize_session=False)).rowcount
    if won:
        unit = session.scalar(select(Unit).where(Unit.id == unit_id).execution_options(populate_existing=True))
        _report(session, unit, "position_fresh", actor)
    return bool(won)
