"""Building blocks shared by the services: row locks, unit moves, assignment release and
keeping an incident's status in step with its assignments. Nothing here commits.

Lock order, everywhere: incident first, then unit. It keeps PostgreSQL free of
deadlocks between an assignment, a crew status report and a cancellation.
"""
from sqlalchemy import select

from ..models import Call, Incident, Unit
from . import events
from .errors import InvalidTransition, NotFound
# assignment_data: realtime/handlers.py also imports it from here.
from .payloads import assignment_data, incident_data, unit_data
from .statemachine import derive_incident_status, incident_move, unit_move

PHASE_TIMESTAMP = {
    "en_route": "en_route_at",
    "on_scene": "on_scene_at",
    "transporting": "transporting_at",
    "at_hospital": "at_hospital_at",
}


def _locked(session, model, ident, name, fields=None):
    """The row, read again and locked (FOR UPDATE) until the transaction ends; 404 naming
    ``fields`` (the request field that named it) when there is none."""
    stmt = (select(model).where(model.id == ident).with_for_update()
            .execution_options(populate_existing=True))
    row = session.scalar(stmt)
    if row is None:
        raise NotFound(f"{name} {ident} not found", fields=fields)
    return row


def lock_incident(session, incident_id, *, fields=None):
    return _locked(session, Incident, incident_id, "incident", fields)


def lock_unit(session, unit_id):
    return _locked(session, Unit, unit_id, "unit")


def lock_call(session, call_id, *, fields=None):
    return _locked(session, Call, call_id, "call", fields)


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
              "assignment_id": assignment.id if assignment else None,
              # The assignment as the move left it: the incident's copy on a console follows it (its
              # status and phase times change without the incident's phase changing).
              **({"assignment": assignment_data(assignment)} if assignment is not None else {})},
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


def finish_incident(session, *, actor, incident, status, now, **data):
    """Move an incident to ``closed`` or ``cancelled``, stamp it and log it (no commit)."""
    before = incident.status
    incident.status = status
    setattr(incident, f"{status}_at", now)
    incident.updated_at = now
    session.flush()
    events.record(session, f"incident.{status}", actor=actor, incident_id=incident.id,
                  data={**data, "from": before, "incident": incident_data(incident)})


def close_when_done(session, *, incident, now):
    """Close an incident by itself (the system: actor null) when its last active assignment has
    just been cleared by its crew: the units reached the patient and none is left on it.

    The outcome is ``transported`` (with the hospital of the last unit that took the patient
    there) when any unit transported the patient, else ``treated_on_scene``. Returns whether it
    closed."""
    if incident.status not in ("on_scene", "transporting") or any(a.active for a in incident.assignments):
        return False
    transported = [a for a in incident.assignments if a.status == "cleared" and a.transporting_at is not None]
    outcome = "transported" if transported else "treated_on_scene"
    if transported:
        last_leg = max(transported, key=lambda a: (a.cleared_at, a.id))
        if last_leg.hospital_id is not None:
            incident.destination_hospital_id = last_leg.hospital_id
    hospital_id = incident.destination_hospital_id if transported else None
    incident.outcome = outcome
    finish_incident(session, actor=None, incident=incident, status="closed", now=now, outcome=outcome,
                    automatic=True, hospital_id=hospital_id)
    return True


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
