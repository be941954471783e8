from flask import current_app

from ..core import recommend, units
from ..core.errors import NotFound
from ..extensions import db
from ..schemas.units import LocationIn, LocationOut, RouteOut, StatusIn, StatusOut, UnitCreate, UnitList, UnitOut
from .geo import current_geo
from .security import current_user, require
from .blueprint import Blueprint

blp = Blueprint("units", __name__, url_prefix="/api/units", description="Ambulances")


@blp.route("", methods=["GET"])
@require("operator", "supervisor", "admin")
@blp.response(200, UnitList)
def list_units():
    """Every unit with its status, position and current assignment."""
    return {"items": units.list_units(db.session)}


@blp.route("", methods=["POST"])
@require("admin")
@blp.arguments(UnitCreate)
@blp.response(201, UnitOut)
@blp.alt_response(409, description="unit_exists: a unit has this call sign")
def create_unit(body):
    """Register an ambulance; it starts `available` at its station."""
    return units.create_unit(db.session, actor=current_user(), **body)


@blp.route("/<id:unit_id>", methods=["GET"])
@require("operator", "supervisor", "admin", "crew")
@blp.response(200, UnitOut)
@blp.alt_response(403, description="forbidden: a crew reads only its own unit")
def get_unit(unit_id):
    """One unit. A crew may read only its own."""
    return units.get_unit(db.session, actor=current_user(), unit_id=unit_id)


@blp.route("/<id:unit_id>/status", methods=["POST"])
@require("crew", "operator", "supervisor")
@blp.arguments(StatusIn)
@blp.response(200, StatusOut)
@blp.alt_response(403, description="forbidden: a crew reports only for its own unit; out of service and back: "
                  "a supervisor or the unit's own crew")
@blp.alt_response(404, description="not_found: no such unit, or no such `hospital_id`")
@blp.alt_response(409, description="invalid_transition (`details.current`, `details.requested`), "
                  "assignment_changed (`details.current`, `details.requested`), client_ref_reused")
def change_status(body, unit_id):
    """A status report. The same `client_ref` sent twice changes the state once."""
    unit, applied = units.change_status(db.session, actor=current_user(), unit_id=unit_id, **body)
    return {"unit": unit, "applied": applied}


@blp.route("/<id:unit_id>/location", methods=["POST"])
@require("crew")
@blp.arguments(LocationIn)
@blp.response(200, LocationOut)
@blp.alt_response(403, description="forbidden: only the unit's own crew reports its position")
def location(body, unit_id):
    """A position fix from the unit's own crew. An older fix than the stored one does not move the unit."""
    unit, applied = units.record_location(db.session, actor=current_user(), unit_id=unit_id,
                                          max_future_s=current_app.config["MAX_FIX_FUTURE_SECONDS"],
                                          stale_after_s=current_app.config["POSITION_STALE_S"], **body)
    return {"unit": unit, "applied": applied}


@blp.route("/<id:unit_id>/route", methods=["GET"])
@require("operator", "supervisor", "crew")
@blp.response(200, RouteOut)
@blp.alt_response(403, description="forbidden: a crew asks only for its own unit")
@blp.alt_response(404, schema=None, description="not_found: no such unit; no_incident: the unit has no incident "
                  "with a known location")
def route(unit_id):
    """The road from the unit to its current incident: ETA, distance and the bridges to cross
    (the crew's own unit only)."""
    found = recommend.route_for_unit(db.session, geo=current_geo(), actor=current_user(), unit_id=unit_id)
    if found is None:
        raise NotFound("the unit has no incident with a known location", code="no_incident")
    return found
