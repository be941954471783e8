"""Building blocks shared by the services: row locks, unit moves, assignment release and
keeping an incident's status in step with its assignments. Nothing here commits.

Lock order, everywhere: incident first, then unit. It keeps PostgreSQL free of
deadlocks between an assignment, a crew status report and a cancellation.
"""
from sqlalchemy import select

from ..models import Incident, Unit
from . import events
from .errors import InvalidTransition, NotFound
# assignment_data: realtime/handlers.py still imports it from here.
from .payloads import assignment_data, incident_data, unit_data  # noqa: F401
from .statemachine import derive_incident_status, incident_move, unit_move

PHASE_TIMESTAMP = {
    "en_route": "en_route_at",
    "on_scene": "on_scene_at",
    "transporting": "transporting_at",
    "at_hospital": "at_hospital_at",
}


def _locked(session, model, ident, name):
    stmt = (select(model).where(model.id == ident).with_for_update()
            .execution_options(populate_existing=True))
    row = session.scalar(stmt)
    if row is None:
        raise NotFound(f"{name} {ident} not found")
    return row


def lock_incident(session, incident_id):
    return _locked(session, Incident, incident_id, "incident")


def lock_unit(session, unit_id):
    return _locked(session, Unit, unit_id, "unit")


def get_or_404(session, model, ident, name):
    row = session.get(model, ident)
    if row is None:
        raise NotFound(f"{name} {ident} not found")
    return row


def move_unit(session, *, actor, unit, to, now, assignment=None):
    """Change a unit's status (already checked against the state machine) and log it."""
    before = unit.status
    unit.status = to
    unit.status_changed_at = now
    unit.version += 1
    session.flush()
    session.expire(unit, ["current_assignment"])
    events.record(
        session, "unit.status_changed", actor=actor, unit_id=unit.id,
        incident_id=assignment.incident_id if assignment else None,
        data={"from": before, "to": to, "unit": unit_data(unit),
              "assignment_id": assignment.id if assignment else None},
    )


def release_assignment(session, *, actor, assignment, reason, now):
    """Cancel an active assignment and send its unit back to ``available``.

    Raises InvalidTransition (naming the unit's state) when the unit cannot be freed,
    e.g. while it is transporting a patient.
    """
    unit = lock_unit(session, assignment.unit_id)
    if unit.status != "out_of_service":
        try:
            unit_move(unit.status, "available")
        except InvalidTransition as exc:
            raise InvalidTransition(f"{unit.call_sign}: {exc.message}",
                                    details={**exc.details, "unit_id": unit.id}) from None
    assignment.active = False
    assignment.status = "cancelled"
    assignment.cancelled_at = now
    assignment.cancel_reason = reason
    session.flush()
    if unit.status != "out_of_service":
        move_unit(session, actor=actor, unit=unit, to="available", now=now, assignment=assignment)


def sync_incident(session, *, actor, incident, now):
    """Set the incident's status from its active assignments; log a change."""
    active = [a.status for a in incident.assignments if a.active]
    new = derive_incident_status(incident.status, active)
    if new == incident.status:
        return
    before = incident.status
    incident_move(before, new)
    incident.status = new
    incident.updated_at = now
    stamp = f"{new}_at"
    if hasattr(incident, stamp) and getattr(incident, stamp) is None:
        setattr(incident, stamp, now)
    session.flush()
    events.record(
        session, "incident.status_changed", actor=actor, incident_id=incident.id,
        data={"from": before, "to": new, "incident": incident_data(incident)},
    )
