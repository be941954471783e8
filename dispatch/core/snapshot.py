"""The state a live console starts from when it cannot resume from the event log."""
from sqlalchemy import func, select

from ..models import Alert, Event, Incident, Unit
from ..vocabulary import INCIDENT_OPEN
from .clock import utcnow
from .payloads import alert_data, incident_data, unit_data


def last_event_id(session):
    return session.scalar(select(func.max(Event.id))) or 0


def snapshot(session, *, user):
    """Open incidents, units and live alerts (for a crew: its unit and its current incident, no
    alerts) and the id of the last event the snapshot includes.

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
        alerts = []
    else:
        # Incidents first: a busy unit's current assignment names its incident (by reference),
        # which is then already loaded.
        incidents = list(session.scalars(select(Incident).where(Incident.status.in_(INCIDENT_OPEN))
                                         .order_by(Incident.created_at)))
        units = list(session.scalars(select(Unit).order_by(Unit.call_sign)))
        alerts = list(session.scalars(select(Alert).where(Alert.state.in_(("open", "acknowledged")))
                                      .order_by(Alert.urgent.desc(), Alert.raised_at, Alert.id)))
    return {
        "last_event_id": current_to,
        "at": utcnow().isoformat(),
        "incidents": [incident_data(i) for i in incidents],
        "units": [unit_data(u) for u in units],
        "alerts": [alert_data(a) for a in alerts],
    }


def crew_incident_at(session, unit_id, event_id):
    """The incident a unit was on just after event ``event_id``, from its own events (where a
    crew's replay starts from; ``core.visibility.CrewView`` moves it on)."""
    rows = session.execute(
        select(Event.type, Event.incident_id, Event.data).where(
            Event.unit_id == unit_id, Event.id <= event_id,
            Event.type.in_(("incident.assigned", "assignment.cancelled", "unit.status_changed")))
        .order_by(Event.id.desc()).limit(50)).all()
    for kind, incident_id, data in rows:
        if kind == "incident.assigned":
            return incident_id
        if kind == "assignment.cancelled" or (data or {}).get("to") in ("available", "out_of_service"):
            return None
    return None
