"""Where units are, as a stream: lossy by design, never stored as events.

After a position fix is committed, :func:`announce` hands it to the subscribers (the live
push coalesces them to at most one per unit per second per console). Only the newest fix of
each unit is kept in the database, and the snapshot carries it.
"""
from .subscribers import Subscribers

_subscribers = Subscribers("position")


def subscribe(callback):
    """Call ``callback(position_dict)`` after each committed fix that moved a unit."""
    return _subscribers.subscribe(callback)


def unsubscribe(callback):
    _subscribers.unsubscribe(callback)


def position_of(unit):
    return {"unit_id": unit.id, "call_sign": unit.call_sign, "status": unit.status, "lat": unit.lat,
            "lon": unit.lon, "at": unit.position_at.isoformat() if unit.position_at else None,
            "accuracy_m": unit.position_accuracy_m, "speed_mps": unit.speed_mps, "heading": unit.heading}


def announce(position):
    _subscribers.publish(position)
