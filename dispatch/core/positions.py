"""Where units are, as a stream: lossy by design, never stored as events.

After a position fix is committed, :func:`announce` hands it to the subscribers (the live
push coalesces them to at most one per unit per second per console). Only the newest fix of
each unit is kept in the database, and the snapshot carries it.
"""
import logging

log = logging.getLogger(__name__)
_subscribers = []


def subscribe(callback):
    """Call ``callback(position_dict)`` after each committed fix that moved a unit."""
    _subscribers.append(callback)
    return callback


def unsubscribe(callback):
    if callback in _subscribers:
        _subscribers.remove(callback)


def position_of(unit):
    return {"unit_id": unit.id, "call_sign": unit.call_sign, "status": unit.status, "lat": unit.lat,
            "lon": unit.lon, "at": unit.position_at.isoformat() if unit.position_at else None,
            "accuracy_m": unit.position_accuracy_m, "speed_mps": unit.speed_mps, "heading": unit.heading}


def announce(position):
    for callback in list(_subscribers):
        try:
            callback(position)
        except Exception:  # a broken subscriber must never fail a committed fix
            log.exception("position subscriber failed")
