"""Sending a unit to an incident, atomically, and taking it off again.

Assignment is a compare-and-set on the unit's status: ``UPDATE units SET
status='dispatched' WHERE id=:id AND status='available'``. Of two dispatchers who
assign the same unit at the same moment, the database lets exactly one UPDATE match;
the other gets ``unit_unavailable``. A partial unique index (one active assignment
per unit) stands behind it. The same statement holds on SQLite (serial
transactions) and PostgreSQL (row lock, WHERE re-checked after the winner commits).
"""
from datetime import timedelta

from sqlalchemy import select, update

from ..models import Assignment, Unit
from ..database import writes
from . import events
from .recommend import etas_for_assignment
from .clock import utcnow
from .errors import Forbidden, InvalidTransition, NotFound, UnitUnavailable
from .lifecycle import get_or_404, lock_incident, lock_unit, release_assignment, sync_incident
from .payloads import assignment_data, incident_data, unit_data
from ..vocabulary import INCIDENT_OPEN


def assign(session, *, actor, incident_id, unit_id, geo=None, recommended_unit_id=None, rule=None):
    """Send ``unit_id``. Returns the incident.

    ``actor`` None: the system sends it, by ``rule`` (``auto_dispatch:P1``, core/offers.py),
    recorded on the assignment and its events.

    The assignment records the unit recommended first (``recommended_unit_id`` as the console
    showed it, else the server's first recommendation) and the ETAs of both, as ``geo``'s
    travel model estimates them (without ``geo``: no ETAs, and no recommendation of the
    server's own).

    The ETAs are worked out before the write begins: routing every available unit may take
    a while, and no other write waits for it. The write itself is the compare-and-set.
    """
    recommended_eta_s = eta_s = None
    if geo is not None:
        recommended_unit_id, recommended_eta_s, eta_s = etas_for_assignment(
            session, geo=geo, incident_id=incident_id, unit_id=unit_id, recommended_unit_id=recommended_unit_id)
    return _record_assignment(session, actor=actor, incident_id=incident_id, unit_id=unit_id,
                              recommended_unit_id=recommended_unit_id, eta_s=eta_s,
                              recommended_eta_s=recommended_eta_s, rule=rule)


@writes
def _record_assignment(session, *, actor, incident_id, unit_id, recommended_unit_id, eta_s, recommended_eta_s,
                       rule=None):
    incident = lock_incident(session, incident_id)
    if incident.status not in INCIDENT_OPEN:
        raise InvalidTransition(
            f"incident is '{incident.status}'; a unit cannot be assigned to it",
            details={"current": incident.status, "requested": "dispatched"})
    if session.get(Unit, unit_id) is None:
        raise NotFound(f"unit {unit_id} not found", fields={"unit_id": "unknown unit"})
    if recommended_unit_id is not None and session.get(Unit, recommended_unit_id) is None:
        raise NotFound(f"unit {recommended_unit_id} not found", fields={"recommended_unit_id": "unknown unit"})
    now = utcnow()
    won = session.execute(
        update(Unit)
        .where(Unit.id == unit_id, Unit.status == "available")
        .values(status="dispatched", status_changed_at=now, version=Unit.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not won:
        session.rollback()
        unit = get_or_404(session, Unit, unit_id, "unit")
        raise UnitUnavailable(
            f"unit {unit.call_sign} is '{unit.status}', not available",
            details={"unit_id": unit.id, "status": unit.status})
    unit = session.scalar(select(Unit).where(Unit.id == unit_id).execution_options(populate_existing=True))
    assignment = Assignment(
        unit_id=unit.id, status="dispatched", active=True, assigned_by_id=actor.id if actor else None,
        recommended_unit_id=recommended_unit_id, dispatched_at=now, eta_s=eta_s,
        recommended_eta_s=recommended_eta_s, auto_rule=rule,
    )
    incident.assignments.append(assignment)
    # Whatever unit was offered to it, it has one now (core/offers.py).
    incident.offer_unit_id = incident.offered_at = incident.offer_eta_s = None
    session.flush()
    session.expire(unit, ["current_assignment"])
    sync_incident(session, actor=actor, incident=incident, now=now)
    events.record(
        session, "incident.assigned", actor=actor, incident_id=incident.id, unit_id=unit.id,
        data={"assignment": assignment_data(assignment), "unit": unit_data(unit),
              "incident": incident_data(incident), **({"rule": rule} if rule else {})},
    )
    events.record(
        session, "unit.status_changed", actor=actor, unit_id=unit.id, incident_id=incident.id,
        data={"from": "available", "to": "dispatched", "unit": unit_data(unit), "assignment_id": assignment.id},
    )
    session.commit()
    return incident


@writes
def cancel_assignment(session, *, actor, incident_id, assignment_id, reason):
    """Take one unit off an incident (recalled, or sent elsewhere)."""
    incident = lock_incident(session, incident_id)
    assignment = next((a for a in incident.assignments if a.id == assignment_id), None)
    if assignment is None:
        raise NotFound(f"assignment {assignment_id} not found on incident {incident_id}")
    if not assignment.active:
        raise InvalidTransition(f"assignment is '{assignment.status}' already",
                                details={"current": assignment.status, "requested": "cancelled"})
    now = utcnow()
    release_assignment(session, actor=actor, assignment=assignment, reason=reason, now=now)
    events.record(
        session, "assignment.cancelled", actor=actor, incident_id=incident.id, unit_id=assignment.unit_id,
        data={"reason": reason, "assignment": assignment_data(assignment), "incident": incident_data(incident)},
    )
    sync_incident(session, actor=actor, incident=incident, now=now)
    session.commit()
    return incident


@writes
def accept_assignment(session, *, actor, assignment_id):
    """The crew acknowledges its assignment. Returns ``(assignment, applied)``: accepting twice
    changes nothing the second time."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound(f"assignment {assignment_id} not found", fields={"assignment_id": "unknown assignment"})
    incident = lock_incident(session, assignment.incident_id)
    assignment = next(a for a in incident.assignments if a.id == assignment_id)
    # The unit's row too (the global order: incident, unit, then the event log's lock at commit):
    # the event names the unit, and on PostgreSQL its foreign key check waits for a writer that
    # holds the unit, such as the phone's presence; taken late, that wait closed a deadlock.
    lock_unit(session, assignment.unit_id)
    if actor.role != "crew" or actor.unit_id != assignment.unit_id:
        raise Forbidden("only the crew of the assigned unit accepts an assignment")
    if not assignment.active:
        raise InvalidTransition(f"assignment is '{assignment.status}'; it can no longer be accepted",
                                details={"current": assignment.status, "requested": "accepted"})
    if assignment.accepted_at is not None:
        session.rollback()
        return assignment, False
    assignment.accepted_at = utcnow()
    session.flush()
    events.record(session, "assignment.accepted", actor=actor, incident_id=incident.id, unit_id=assignment.unit_id,
                  data={"assignment": assignment_data(assignment)})
    session.commit()
    return assignment, True


def overdue_acknowledgements(session, *, timeout_s, now=None):
    """Active assignments dispatched more than ``timeout_s`` ago that the crew has not accepted
    and nobody has been told about yet (a read: cheap enough to ask every few seconds)."""
    cutoff = (now or utcnow()) - timedelta(seconds=timeout_s)
    return list(session.scalars(select(Assignment.id).where(
        Assignment.active.is_(True), Assignment.accepted_at.is_(None), Assignment.unacknowledged_at.is_(None),
        Assignment.dispatched_at < cutoff)))


@writes
def flag_unacknowledged(session, *, assignment_ids, timeout_s):
    """Tell operators (``assignment.unacknowledged``) about each assignment still not accepted.

    A compare-and-set on ``unacknowledged_at``: when several server processes look at once,
    each assignment is flagged by exactly one of them."""
    now = utcnow()
    flagged = []
    for assignment_id in assignment_ids:
        won = session.execute(
            update(Assignment)
            .where(Assignment.id == assignment_id, Assignment.active.is_(True), Assignment.accepted_at.is_(None),
                   Assignment.unacknowledged_at.is_(None))
            .values(unacknowledged_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if not won:
            continue
        row = session.scalar(select(Assignment).where(Assignment.id == assignment_id)
                             .execution_options(populate_existing=True))
        events.record(session, "assignment.unacknowledged", actor=None, incident_id=row.incident_id,
                      unit_id=row.unit_id, data={"assignment": assignment_data(row), "timeout_s": timeout_s,
                                                 "waited_s": round((now - row.dispatched_at).total_seconds())})
        flagged.append(assignment_id)
    session.commit()
    return flagged
