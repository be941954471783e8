
from ..core import assignment, incidents
from ..extensions import db
from ..schemas.incidents import (AssignIn, CancelIn, CloseIn, IncidentDetail, IncidentList, IncidentOut,
                                 IncidentPatch, IncidentQuery)
from .security import current_user, require
from .blueprint import Blueprint

blp = Blueprint("incidents", __name__, url_prefix="/api/incidents", description="Incidents and assignment")

DISPATCHERS = ("operator", "supervisor")


@blp.route("", methods=["GET"])
@require("operator", "supervisor", "admin")
@blp.arguments(IncidentQuery, location="query")
@blp.response(200, IncidentList)
def list_incidents(query):
    """Open incidents by priority then waiting time; closed (and cancelled) newest first; or all."""
    return {"items": incidents.list_incidents(db.session, status=query["status"], limit=query["limit"])}


@blp.route("/<id:incident_id>", methods=["GET"])
@require("operator", "supervisor", "admin", "crew")
@blp.response(200, IncidentDetail)
def get_incident(incident_id):
    """One incident with its assignments and its event timeline. A crew sees only its current incident."""
    incident = incidents.get_incident(db.session, actor=current_user(), incident_id=incident_id)
    incident.timeline = incidents.timeline(db.session, incident.id)
    return incident


@blp.route("/<id:incident_id>", methods=["PATCH"])
@require(*DISPATCHERS)
@blp.arguments(IncidentPatch)
@blp.response(200, IncidentOut)
def patch_incident(body, incident_id):
    """Correct priority, category, location, notes or destination hospital."""
    return incidents.update_incident(db.session, actor=current_user(), incident_id=incident_id, changes=body)


@blp.route("/<id:incident_id>/assign", methods=["POST"])
@require(*DISPATCHERS)
@blp.arguments(AssignIn)
@blp.response(200, IncidentOut)
@blp.alt_response(409, schema=None, description="unit_unavailable: someone else took the unit first")
def assign(body, incident_id):
    """Send an available unit. Exactly one of two simultaneous assignments of a unit wins."""
    return assignment.assign(db.session, actor=current_user(), incident_id=incident_id, **body)


@blp.route("/<id:incident_id>/assignments/<id:assignment_id>/cancel", methods=["POST"])
@require(*DISPATCHERS)
@blp.arguments(CancelIn)
@blp.response(200, IncidentOut)
def cancel_assignment(body, incident_id, assignment_id):
    """Take one unit off the incident; it becomes available again."""
    return assignment.cancel_assignment(db.session, actor=current_user(), incident_id=incident_id,
                                        assignment_id=assignment_id, reason=body["reason"])


@blp.route("/<id:incident_id>/cancel", methods=["POST"])
@require(*DISPATCHERS)
@blp.arguments(CancelIn)
@blp.response(200, IncidentOut)
def cancel(body, incident_id):
    """Cancel an open incident; its units are freed."""
    return incidents.cancel_incident(db.session, actor=current_user(), incident_id=incident_id,
                                     reason=body["reason"])


@blp.route("/<id:incident_id>/close", methods=["POST"])
@require(*DISPATCHERS)
@blp.arguments(CloseIn)
@blp.response(200, IncidentOut)
def close(body, incident_id):
    """Close an incident once every unit on it has cleared."""
    return incidents.close_incident(db.session, actor=current_user(), incident_id=incident_id,
                                    outcome=body.get("outcome"))
