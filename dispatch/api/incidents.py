
from ..core import assignment, destinations, duplicates, incidents, links, recommend
from ..extensions import db
from ..schemas.duplicates import DuplicateList, DuplicateQuery, MergeIn, MergeOut
from ..schemas.geo import HospitalSuggestions, LimitQuery, RecommendationList
from ..schemas.incidents import (AssignIn, CancelIn, CloseIn, IncidentDetail, IncidentList, IncidentOut,
                                 IncidentPatch, IncidentQuery, ReopenIn)
from .security import current_user, require
from .blueprint import Blueprint
from .geo import current_geo

blp = Blueprint("incidents", __name__, url_prefix="/api/incidents", description="Incidents and assignment")

DISPATCHERS = ("operator", "supervisor")


@blp.route("", methods=["GET"])
@require("operator", "supervisor", "admin")
@blp.arguments(IncidentQuery, location="query")
@blp.response(200, IncidentList)
def list_incidents(query):
    """Open incidents by priority then waiting time; closed (and cancelled) newest first; or all."""
    return {"items": incidents.list_incidents(db.session, status=query["status"], limit=query["limit"])}


@blp.route("/possible-duplicates", methods=["GET"])
@require(*DISPATCHERS)
@blp.arguments(DuplicateQuery, location="query")
@blp.response(200, DuplicateList)
def possible_duplicates(query):
    """Open incidents that are probably the event a call being typed is about, best first, each with
    why (`near`, `recent`, `same_caller`, `same_place`, `same_category`, `related_category`), its
    distance, its age and every call logged about it.

    Close in space counts within a radius of 300 m plus the uncertainty of both locations; close in
    time, a call about it within 60 minutes. Without `lat`/`lon`, `q` is located as the intake does."""
    return {"possible_duplicates": duplicates.search(
        db.session, geo=current_geo(), lat=query.get("lat"), lon=query.get("lon"),
        accuracy_m=query.get("accuracy_m"), q=query.get("q"), phone=query.get("phone"),
        category=query.get("category"), exclude_id=query.get("exclude_incident_id"), limit=query["limit"])}


@blp.route("/<id:incident_id>", methods=["GET"])
@require("operator", "supervisor", "admin", "crew")
@blp.response(200, IncidentDetail)
@blp.alt_response(403, description="forbidden: a crew sees only the incident its unit is on")
def get_incident(incident_id):
    """One incident with its assignments, its event timeline and the calls about it (who to call
    back). A crew sees only its current incident."""
    incident = incidents.get_incident(db.session, actor=current_user(), incident_id=incident_id)
    incident.timeline = incidents.timeline(db.session, incident.id)
    incident.calls = incidents.calls_about(db.session, incident.id)
    incident.related = incidents.related(db.session, incident)
    return incident


@blp.route("/<id:incident_id>", methods=["PATCH"])
@require(*DISPATCHERS)
@blp.arguments(IncidentPatch)
@blp.response(200, IncidentOut)
@blp.alt_response(404, description="not_found: no such incident, or no such `destination_hospital_id`")
@blp.alt_response(409, description="incident_finished: it is closed or cancelled and can no longer be changed")
def patch_incident(body, incident_id):
    """Correct priority, category, location, notes or destination hospital.

    New `lat`/`lon` set the location (source `operator`) with its kelurahan and kecamatan; with
    `location_name` (and `location_kind`) they are the suggestion the operator chose (source `chosen`).
    A new `location_text` (`address_text`: its old name) is stored as typed; alone it moves the pin
    when the place is found and the pin came from text.
    """
    return incidents.update_incident(db.session, actor=current_user(), incident_id=incident_id, changes=body,
                                     geo=current_geo())


@blp.route("/<id:incident_id>/assign", methods=["POST"])
@require(*DISPATCHERS)
@blp.arguments(AssignIn)
@blp.response(200, IncidentOut)
@blp.alt_response(404, description="not_found: no such incident, or no such `unit_id` / `recommended_unit_id`")
@blp.alt_response(409, schema=None, description="unit_unavailable: the unit is not available (someone else took "
                  "it first); invalid_transition: the incident is closed or cancelled")
def assign(body, incident_id):
    """Send an available unit. Exactly one of two simultaneous assignments of a unit wins.

    The assignment records the unit recommended first (`recommended_unit_id` as the
    console showed it, else the server's first recommendation) and the ETAs of both.
    """
    return assignment.assign(db.session, actor=current_user(), geo=current_geo(), incident_id=incident_id,
                             unit_id=body["unit_id"], recommended_unit_id=body.get("recommended_unit_id"))


@blp.route("/<id:incident_id>/recommendations", methods=["GET"])
@require("operator", "supervisor")
@blp.arguments(LimitQuery, location="query")
@blp.response(200, RecommendationList)
@blp.alt_response(409, schema=None, description="location_unknown: set the incident's location first")
def recommendations(query, incident_id):
    """Available units ranked by estimated road time, with bridges crossed, position age and reasons."""
    return recommend.recommend_units(db.session, geo=current_geo(), incident_id=incident_id, limit=query["limit"])


@blp.route("/<id:incident_id>/hospitals", methods=["GET"])
@require("operator", "supervisor", "crew")
@blp.arguments(LimitQuery, location="query")
@blp.response(200, HospitalSuggestions)
@blp.alt_response(403, description="forbidden: a crew asks only for the incident its unit is on")
@blp.alt_response(409, schema=None, description="location_unknown: set the incident's location first")
def hospitals(query, incident_id):
    """Hospitals ranked by road time from the incident, filtered by what the category needs and beds."""
    return destinations.rank_hospitals(db.session, actor=current_user(), geo=current_geo(), incident_id=incident_id,
                                       limit=query["limit"])


@blp.route("/<id:incident_id>/assignments/<id:assignment_id>/cancel", methods=["POST"])
@require(*DISPATCHERS)
@blp.arguments(CancelIn)
@blp.response(200, IncidentOut)
@blp.alt_response(404, description="not_found: no such incident, or no such assignment on it")
@blp.alt_response(409, description="invalid_transition: the assignment is cleared or cancelled already")
def cancel_assignment(body, incident_id, assignment_id):
    """Take one unit off the incident; it becomes available again."""
    return assignment.cancel_assignment(db.session, actor=current_user(), incident_id=incident_id,
                                        assignment_id=assignment_id, reason=body["reason"])


@blp.route("/<id:incident_id>/cancel", methods=["POST"])
@require(*DISPATCHERS)
@blp.arguments(CancelIn)
@blp.response(200, IncidentOut)
@blp.alt_response(409, description="invalid_transition: it is closed or cancelled already, or a unit on it "
                  "cannot be freed")
def cancel(body, incident_id):
    """Cancel an open incident; its units are freed."""
    return incidents.cancel_incident(db.session, actor=current_user(), incident_id=incident_id,
                                     reason=body["reason"])


@blp.route("/<id:incident_id>/close", methods=["POST"])
@require(*DISPATCHERS)
@blp.arguments(CloseIn)
@blp.response(200, IncidentOut)
@blp.alt_response(409, schema=None, description=(
    "units_still_assigned: units are on it (`details.units`: unit_id, call_sign, status); "
    "units_transporting: with `release_units`, a unit is transporting or at the hospital (named in "
    "`details.units`; nothing changed); no_units_to_release: `release_units` with no unit on it"))
def close(body, incident_id):
    """Close an incident once every unit on it has cleared; with `release_units: true`, free the units
    still on it (none transporting a patient) and close, in one action."""
    return incidents.close_incident(db.session, actor=current_user(), incident_id=incident_id,
                                    outcome=body.get("outcome"), release_units=body["release_units"])


@blp.route("/<id:incident_id>/reopen", methods=["POST"])
@require(*DISPATCHERS)
@blp.arguments(ReopenIn)
@blp.response(200, IncidentOut)
@blp.alt_response(409, schema=None, description=(
    "incident_open: it is not closed or cancelled; reopen_window_passed: it was closed or cancelled "
    "more than 24 hours ago"))
def reopen(body, incident_id):
    """Put a closed or cancelled incident back in the queue (`pending`), within 24 hours of closing."""
    return incidents.reopen_incident(db.session, actor=current_user(), incident_id=incident_id,
                                     reason=body["reason"])


@blp.route("/<id:incident_id>/merge", methods=["POST"])
@require("supervisor")
@blp.arguments(MergeIn)
@blp.response(200, MergeOut)
@blp.alt_response(404, description="not_found: no such incident, or no such `into` (`fields.into`)")
@blp.alt_response(409, description="incident_finished / incident_merged: one of the two is no longer open")
def merge(body, incident_id):
    """Merge this incident into `into`: two incidents that turn out to be one event (supervisor).

    Every call, note, event and assignment of both is kept: the calls move to the survivor, its
    active units move too (`assignment.moved`: the crew follows), the survivor keeps the higher
    priority and its timeline shows both; this one ends `merged` (`merged_into_id`). Merging an
    incident into itself is `422` naming `into`."""
    merged, into = links.merge_incidents(db.session, actor=current_user(), incident_id=incident_id,
                                         into_id=body["into"], reason=body.get("reason"))
    return {"incident": merged, "into": into}
