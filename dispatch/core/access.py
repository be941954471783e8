"""Who may touch what, beyond the role check at each endpoint: a crew sees and changes
only its own unit and the incident that unit is working."""
from .errors import Forbidden


def ensure_unit_access(actor, unit_id):
    if actor.role == "crew" and actor.unit_id != unit_id:
        raise Forbidden("a crew may only act for its own unit")


def ensure_incident_access(actor, incident):
    if actor.role != "crew":
        return
    if not any(a.active and a.unit_id == actor.unit_id for a in incident.assignments):
        raise Forbidden("a crew may only see the incident its unit is assigned to")


def may_set_service_status(actor, unit_id):
    """out_of_service and back: a supervisor or the unit's own crew."""
    if actor.role == "supervisor":
        return
    if actor.role == "crew" and actor.unit_id == unit_id:
        return
    raise Forbidden("only a supervisor or the unit's own crew may take a unit in or out of service")
