"""The event log: the one place that appends events and publishes them after commit.

Every state change calls :func:`record` inside its own transaction, so the change and
its event commit (or roll back) together; the rows are inserted just before the commit. Events are handed to the subscribers (the
live push, later) only after the transaction has committed; a rolled-back change is
never published.

Event ids are strictly increasing in commit order, on PostgreSQL too, so that a
reader that asks for ``after=<last id>`` never misses one (see
``dispatch.database.lock_event_log``).
"""

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import lock_event_log
from ..models import Event
from .clock import utcnow
from .eventtypes import REQUIRED, problems
from .subscribers import Subscribers


# Every event type, with the keys its ``data`` always has (core/eventtypes.py holds the whole
# shape of each, documented in docs/EVENTS.md and published as JSON Schema); record() refuses
# anything else, so the log never holds an undocumented shape.
EVENT_TYPES = REQUIRED

_subscribers = Subscribers("event")


def subscribe(callback):
    """Call ``callback(list_of_event_dicts)`` after each commit that wrote events."""
    return _subscribers.subscribe(callback)


def unsubscribe(callback):
    _subscribers.unsubscribe(callback)


def actor_ref(actor):
    return None if actor is None else {"id": actor.id, "username": actor.username, "role": actor.role}


def record(session, type, *, actor, data, incident_id=None, unit_id=None, occurred_at=None):
    """Append one event to the session's current transaction.

    ``occurred_at``: when what it records happened, for an event recorded afterwards (a call taken on
    paper, core/late.py); the event's own time ``at`` is always now, so the log stays in commit order.

    The row is checked now and inserted just before the transaction commits
    (:func:`write_pending`), so the event-log lock is held only for that insert and the
    commit, not for the rest of the unit of work.
    """
    wrong = problems(type, data)
    if wrong:
        raise ValueError(f"event {type}: {'; '.join(wrong)}")
    row = Event(
        type=type,
        at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_username=actor.username if actor else None,
        incident_id=incident_id,
        unit_id=unit_id,
        data=data,
        occurred_at=occurred_at,
    )
    session.info.setdefault("event_rows", []).append((row, actor_ref(actor)))
    return row


def write_pending(session):
    """Insert the events recorded in this transaction, under the event-log lock.

    Runs from the ``before_commit`` hook; ids are assigned here, in commit order.
    """
    rows = session.info.pop("event_rows", None)
    if not rows:
        return
    lock_event_log(session)
    session.add_all([row for row, _ in rows])
    session.flush()
    session.info.setdefault("pending_events", []).extend(to_dict(row, actor=actor) for row, actor in rows)


def to_dict(row, actor=None):
    if actor is None and row.actor_id is not None:
        actor = {"id": row.actor_id, "username": row.actor_username}
    return {
        "id": row.id,
        "type": row.type,
        "at": row.at.isoformat(),
        "occurred_at": (row.occurred_at or row.at).isoformat(),
        "actor": actor,
        "incident_id": row.incident_id,
        "unit_id": row.unit_id,
        "data": row.data,
    }


def list_after(session, *, after=0, limit=500, incident_id=None, incident_ids=None):
    """Events after ``after`` in id order; of one incident, or of several (``incident_ids``)."""
    stmt = select(Event).where(Event.id > after).order_by(Event.id).limit(limit)
    if incident_id is not None:
        stmt = stmt.where(Event.incident_id == incident_id)
    if incident_ids is not None:
        stmt = stmt.where(Event.incident_id.in_(incident_ids))
    return [to_dict(r) for r in session.scalars(stmt)]


@sa_event.listens_for(Session, "before_commit")
def _write_before_commit(session):
    write_pending(session)


@sa_event.listens_for(Session, "after_commit")
def _publish(session):
    pending = session.info.pop("pending_events", None)
    if pending:
        _subscribers.publish(pending)


@sa_event.listens_for(Session, "after_rollback")
def _discard(session):
    session.info.pop("event_rows", None)
    session.info.pop("pending_events", None)
