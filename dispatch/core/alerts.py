"""Alerts: the timers that make sure nothing waits unseen.

Each kind of alert watches one kind of cause (vocabulary.ALERT_KINDS): an incident waiting for a
unit, an assignment not accepted, a unit sent that has not left, a unit long on scene or at a
hospital's door, a unit on a job with no position fix, a dropped or silent call not called back,
a hospital's beds not updated. A cause has a key (its kind, what it is about and when it began),
read from stored timestamps only, so a restarted server or another process finds the same causes.

:func:`sweep`, run by the scheduler (core/scheduled.py), compares the causes with the alerts:
a cause past its limit with no alert raises one (``alert.raised``; inserted unless its key is
there already, so however many processes sweep, it fires once), and an alert whose cause has
ended resolves itself (``alert.resolved``, a compare-and-set on its state). An operator
acknowledges an alert (:func:`acknowledge`, ``alert.acknowledged``): it stays acknowledged, and
resolves when its cause ends, like any other.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select, update

from ..database import insert_once, writes
from ..models import Alert, Assignment, Call, CallbackAttempt, Hospital, Incident, Unit
from ..vocabulary import ALERT_KINDS, CALLBACK_DISPOSITIONS, INCIDENT_OPEN, URGENT_ALERT_KINDS
from . import events
from .clock import utcnow
from .errors import AlertNotOpen, NotFound
from .payloads import alert_data

LIVE = ("open", "acknowledged")


@dataclass(slots=True)
class Cause:
    kind: str
    key: str
    since: datetime
    limit_s: int
    urgent: bool = False
    incident_id: int | None = None
    unit_id: int | None = None
    assignment_id: int | None = None
    call_id: int | None = None
    hospital_id: int | None = None


def _rows(session, statement):
    """Core rows on the session's connection: the sweep reads thousands of plain tuples, and the
    ORM's row handling would cost more than the queries."""
    return session.connection().execute(statement).all()


def _waiting(session, timers):
    """Open incidents no unit is on, waiting since they were opened or since their last unit was
    taken off."""
    incidents, assignments = Incident.__table__.c, Assignment.__table__.c
    active = exists().where(assignments.incident_id == incidents.id, assignments.active.is_(True))
    waiting = _rows(session, select(incidents.id, incidents.priority, incidents.created_at)
                    .where(incidents.status.in_(INCIDENT_OPEN), ~active))
    if not waiting:
        return
    # When their last unit was taken off (the few incidents that had one).
    open_ids = select(incidents.id).where(incidents.status.in_(INCIDENT_OPEN)).scalar_subquery()
    released = dict(_rows(session, select(assignments.incident_id, func.max(assignments.cancelled_at))
                          .where(assignments.cancelled_at.is_not(None), assignments.incident_id.in_(open_ids))
                          .group_by(assignments.incident_id)))
    limits = timers["waiting_s"]
    for incident_id, priority, created_at in waiting:
        last = released.get(incident_id)
        since = last if last is not None and last > created_at else created_at
        yield Cause("incident_waiting", f"incident_waiting:{incident_id}:{since.isoformat()}", since,
                    limits[priority], urgent=priority == "P1", incident_id=incident_id)


def _working(session, timers):
    """The active assignments: not accepted, not left, long on scene or at the hospital, no fix."""
    a, i, u = Assignment.__table__.c, Incident.__table__.c, Unit.__table__.c
    rows = _rows(session, select(a.id, a.incident_id, a.unit_id, a.status, a.dispatched_at, a.accepted_at,
                                 a.on_scene_at, a.at_hospital_at, i.priority, u.position_at)
                 .join_from(Assignment.__table__, Incident.__table__, i.id == a.incident_id)
                 .join(Unit.__table__, u.id == a.unit_id).where(a.active.is_(True)))
    for aid, incident_id, unit_id, status, dispatched_at, accepted_at, on_scene_at, at_hospital_at, priority, \
            fixed_at in rows:
        ids = {"incident_id": incident_id, "unit_id": unit_id, "assignment_id": aid}
        p1 = priority == "P1"
        if accepted_at is None:
            yield Cause("assignment_unaccepted", f"assignment_unaccepted:{aid}", dispatched_at,
                        timers["acceptance_s"], urgent=p1, **ids)
        if status == "dispatched":
            yield Cause("unit_not_moving", f"unit_not_moving:{aid}", dispatched_at, timers["turnout_s"],
                        urgent=p1, **ids)
        if status == "on_scene" and on_scene_at is not None:
            yield Cause("on_scene_long", f"on_scene_long:{aid}", on_scene_at, timers["on_scene_s"], **ids)
        if status == "at_hospital" and at_hospital_at is not None:
            yield Cause("at_hospital_long", f"at_hospital_long:{aid}", at_hospital_at, timers["at_hospital_s"], **ids)
        since = max(fixed_at, dispatched_at) if fixed_at else dispatched_at
        yield Cause("position_missing", f"position_missing:{aid}:{since.isoformat()}", since,
                    timers["position_fix_s"], **ids)


def _callbacks(session, timers):
    """Dropped and silent calls waiting for a call-back that nobody has tried yet."""
    calls, attempts = Call.__table__.c, CallbackAttempt.__table__.c
    tried = exists().where(attempts.call_id == calls.id)
    rows = _rows(session, select(calls.id, calls.received_at).where(
        calls.disposition.in_(CALLBACK_DISPOSITIONS), calls.callback_done_at.is_(None), ~tried))
    for call_id, received_at in rows:
        yield Cause("callback_overdue", f"callback_overdue:{call_id}", received_at, timers["callback_s"],
                    call_id=call_id)


def _beds(session, timers):
    """Hospitals (not puskesmas) whose beds were last reported long ago, or never."""
    h = Hospital.__table__.c
    rows = _rows(session, select(h.id, h.beds_reported_at, h.updated_at)
                 .where(h.kind == "hospital", h.status != "closed"))
    for hospital_id, reported_at, updated_at in rows:
        since = reported_at or updated_at
        yield Cause("hospital_beds_stale", f"hospital_beds_stale:{hospital_id}:{since.isoformat()}", since,
                    timers["hospital_beds_s"], hospital_id=hospital_id)


WATCHES = (_waiting, _working, _callbacks, _beds)


def causes(session, *, timers):
    """Every cause running now, past its limit or not: ``{key: Cause}``."""
    return {cause.key: cause for watch in WATCHES for cause in watch(session, timers)}


def _record(session, kind, alert, actor=None, **extra):
    events.record(session, f"alert.{kind}", actor=actor, incident_id=alert.incident_id, unit_id=alert.unit_id,
                  data={"alert": alert_data(alert), **extra})


def _fresh(session, alert_id):
    return session.scalar(select(Alert).where(Alert.id == alert_id).execution_options(populate_existing=True))


@writes
def sweep(session, *, timers, now=None):
    """Raise the alerts whose cause has run past its limit, resolve those whose cause has ended.
    Returns ``(raised ids, resolved ids)``."""
    now = now or utcnow()
    found = causes(session, timers=timers)
    alert = Alert.__table__.c
    live = dict(_rows(session, select(alert.key, alert.id).where(alert.state.in_(LIVE))))
    resolved = []
    for key, alert_id in live.items():
        if key in found:
            continue
        won = session.execute(update(Alert).where(Alert.id == alert_id, Alert.state.in_(LIVE))
                              .values(state="resolved", resolved_at=now)
                              .execution_options(synchronize_session=False)).rowcount == 1
        if won:
            resolved.append(alert_id)
            _record(session, "resolved", _fresh(session, alert_id))
    raised = []
    for key, cause in found.items():
        if key in live or (now - cause.since).total_seconds() < cause.limit_s:
            continue
        alert_id = insert_once(session, Alert.__table__, {
            "kind": cause.kind, "key": key, "state": "open", "urgent": cause.urgent and cause.kind in URGENT_ALERT_KINDS,
            "incident_id": cause.incident_id, "unit_id": cause.unit_id, "assignment_id": cause.assignment_id,
            "call_id": cause.call_id, "hospital_id": cause.hospital_id, "since": cause.since,
            "limit_s": cause.limit_s, "raised_at": now}, "key")
        if alert_id is not None:
            raised.append(alert_id)
            _record(session, "raised", _fresh(session, alert_id))
    if raised or resolved:
        session.commit()
    else:
        session.rollback()
    return raised, resolved


def list_alerts(session, *, states=LIVE, incident_id=None, limit=200):
    """Alerts in ``states``: the urgent first, then the oldest; resolved ones the newest first."""
    query = select(Alert).where(Alert.state.in_(states))
    if incident_id is not None:
        query = query.where(Alert.incident_id == incident_id)
    if set(states) == {"resolved"}:
        query = query.order_by(Alert.resolved_at.desc(), Alert.id.desc())
    else:
        query = query.order_by(Alert.urgent.desc(), Alert.raised_at, Alert.id)
    return list(session.scalars(query.limit(limit)))


@writes
def acknowledge(session, *, actor, alert_id, note=None):
    """An operator has seen the alert and is on it. Twice, or once it has resolved: 409."""
    # Locked alone (FOR UPDATE OF alerts): PostgreSQL cannot lock the outer-joined rows it loads with.
    alert = session.scalar(select(Alert).where(Alert.id == alert_id).with_for_update(of=Alert)
                           .execution_options(populate_existing=True))
    if alert is None:
        raise NotFound(f"alert {alert_id} not found")
    if alert.state != "open":
        raise AlertNotOpen(f"the alert is {alert.state} already" + (
            f" (by {alert.acknowledged_by.username})" if alert.acknowledged_by is not None else ""),
            details={"state": alert.state, "acknowledged_by": (
                alert.acknowledged_by.username if alert.acknowledged_by is not None else None)})
    alert.state, alert.acknowledged_at, alert.acknowledged_by_id, alert.note = "acknowledged", utcnow(), actor.id, note
    session.flush()
    session.refresh(alert)
    _record(session, "acknowledged", alert, actor=actor)
    session.commit()
    return alert


__all__ = ["ALERT_KINDS", "Cause", "acknowledge", "causes", "list_alerts", "sweep"]
