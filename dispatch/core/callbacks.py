"""Dropped and silent calls are worked, not forgotten: the call-back queue and its attempts.

A call logged ``dropped`` (the line went dead before the caller could say anything useful) or
``silent`` waits in the queue, oldest first, until an operator's call-back reaches someone or finds
a wrong number; a call-back nobody answered is recorded and the call stays. Reaching an emergency
opens an incident linked to the dropped call (``POST /api/calls`` with ``callback_for_call_id``).
A number that calls again while its call waits is shown as such. The alert for a call-back not
tried in time comes with the timers.
"""
from sqlalchemy import func, select

from ..database import writes
from ..models import CallbackAttempt, Call, Incident
from ..vocabulary import CALLBACK_DISPOSITIONS, CALLBACK_DONE
from . import events
from .clock import utcnow
from .lifecycle import lock_call
from .errors import Conflict, InvalidInput, NotFound
from .payloads import call_data

LIMIT = 50


def _waiting():
    return Call.disposition.in_(CALLBACK_DISPOSITIONS), Call.callback_done_at.is_(None)


def queue(session, *, now=None, limit=LIMIT):
    """The calls waiting for a call-back, oldest first, each with its attempts and the calls its
    number made since; with how many wait in all and how long the oldest has waited."""
    now = now or utcnow()
    total, oldest = session.execute(select(func.count(), func.min(Call.received_at)).where(*_waiting())).one()
    calls = list(session.scalars(select(Call).where(*_waiting()).order_by(Call.received_at, Call.id).limit(limit)))
    ids = [c.id for c in calls]
    attempts = {}
    if ids:
        for attempt in session.scalars(select(CallbackAttempt).where(CallbackAttempt.call_id.in_(ids))
                                       .order_by(CallbackAttempt.attempted_at, CallbackAttempt.id)):
            attempts.setdefault(attempt.call_id, []).append(attempt)
    again = {}
    if calls:
        phones = {c.caller_phone for c in calls}
        since = min(c.received_at for c in calls)
        later = session.scalars(select(Call).where(Call.caller_phone.in_(phones), Call.received_at > since)
                                .order_by(Call.received_at, Call.id))
        by_phone = {}
        for call in calls:
            by_phone.setdefault(call.caller_phone, []).append(call)
        for other in later:
            for call in by_phone[other.caller_phone]:
                if other.received_at > call.received_at:
                    again.setdefault(call.id, []).append(other)
    items = [{"call": c, "waiting_s": max(0, int((now - c.received_at).total_seconds())),
              "attempts": attempts.get(c.id, []), "called_again": again.get(c.id, [])} for c in calls]
    return {"items": items, "total": total,
            "oldest_waiting_s": None if oldest is None else max(0, int((now - oldest).total_seconds())),
            "now": now}


def waiting_call(session, call_id, *, field=None):
    """The dropped or silent call ``call_id``, locked, still waiting for its call-back; 404, or 409
    ``not_for_callback`` / ``callback_done``."""
    call = lock_call(session, call_id, fields={field: "no such call"} if field else None)
    if call.disposition not in CALLBACK_DISPOSITIONS:
        raise Conflict(f"a '{call.disposition}' call is not called back: only dropped and silent calls are",
                       code="not_for_callback", fields={field: "not a dropped or silent call"} if field else {},
                       details={"disposition": call.disposition})
    if call.callback_done_at is not None:
        raise Conflict("this call was called back already", code="callback_done",
                       fields={field: "called back already"} if field else {},
                       details={"done_at": call.callback_done_at.isoformat()})
    return call


def attempt(session, *, actor, call, outcome, now, note=None, incident_id=None):
    """Store one attempt on a locked waiting call (no commit); a done outcome closes it."""
    row = CallbackAttempt(call_id=call.id, outcome=outcome, attempted_at=now, attempted_by_id=actor.id,
                          incident_id=incident_id, note=note)
    session.add(row)
    done = outcome in CALLBACK_DONE
    if done:
        call.callback_done_at = now
    session.flush()
    events.record(session, "call.callback_recorded", actor=actor, incident_id=incident_id,
                  data={"call": call_data(call), "attempt": attempt_data(row), "done": done})
    return row


@writes
def record(session, *, actor, call_id, outcome, note=None, incident_id=None, attempts_seen=None):
    """An operator's call-back of a dropped or silent call, with its outcome. Returns ``(call,
    attempt)``.

    ``attempts_seen`` (how many attempts the operator's screen showed) guards against two operators
    calling the same number at once: another attempt recorded meanwhile is 409 ``callback_changed``.
    ``reached_emergency`` may name the open incident it was about (``incident_id``); the intake
    opens a new one with ``callback_for_call_id`` instead."""
    call = waiting_call(session, call_id)
    if attempts_seen is not None:
        made = session.scalar(select(func.count()).select_from(CallbackAttempt)
                              .where(CallbackAttempt.call_id == call.id))
        if made != attempts_seen:
            raise Conflict(f"another call-back of this call was recorded meanwhile ({made} attempts, not "
                           f"{attempts_seen})", code="callback_changed", fields={"attempts_seen": "out of date"},
                           details={"attempts": made})
    if incident_id is not None:
        if outcome != "reached_emergency":
            raise InvalidInput("incident_id goes with outcome reached_emergency",
                               fields={"incident_id": "only with outcome reached_emergency"})
        if session.get(Incident, incident_id) is None:
            raise NotFound(f"incident {incident_id} not found", fields={"incident_id": "unknown incident"})
    row = attempt(session, actor=actor, call=call, outcome=outcome, now=utcnow(), note=note, incident_id=incident_id)
    session.commit()
    return call, row


def attempt_data(row):
    return {"id": row.id, "call_id": row.call_id, "outcome": row.outcome, "attempted_at": row.attempted_at.isoformat(),
            "attempted_by_id": row.attempted_by_id, "incident_id": row.incident_id, "note": row.note}
