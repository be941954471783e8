"""The state a live console starts from when it cannot resume from the event log."""
from sqlalchemy import func, select

from ..models import Event, Incident, Unit
from .clock import utcnow
from .lifecycle import incident_data, unit_data
from .statemachine import INCIDENT_OPEN


def last_event_id(session):
    return session.scalar(select(func.max(Event.id))) or 0


def snapshot(session, *, user):
    """Open incidents and units (for a crew: its unit and its current incident) and the id of
    the last event the snapshot includes.

    That id is read first: anything committed after it may already show in the state, and
    is sent again as events; replaying an event over a state that has it changes nothing,
    as each event carries the whole incident or unit it concerns.
    """
    current_to = last_event_id(session)
    if user.role == "crew":
        unit = session.get(Unit, user.unit_id)
        units = [unit] if unit is not None else []
        assignment = unit.current_assignment if unit is not None else None
        incidents = [session.get(Incident, assignment.incident_id)] if assignment is not None else []
    else:
        units = list(session.scalars(select(Unit).order_by(Unit.call_sign)))
        incidents = list(session.scalars(select(Incident).where(Incident.status.in_(INCIDENT_OPEN))
                                         .order_by(Incident.created_at)))
    return {
        "last_event_id": current_to,
        "at": utcnow().isoformat(),
        "incidents": [incident_data(i) for i in incidents],
        "units": [unit_data(u) for u in units],
    }
