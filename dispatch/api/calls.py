
from ..core import calls
from ..extensions import db
from ..schemas.calls import CallCreated, CallIn, CallList, CallQuery
from .security import current_user, require
from .blueprint import Blueprint
from .callers import caller_rules
from .geo import current_geo

blp = Blueprint("calls", __name__, url_prefix="/api/calls", description="Incoming 119 calls")


@blp.route("", methods=["POST"])
@require("operator", "supervisor")
@blp.arguments(CallIn)
@blp.response(201, CallCreated)
@blp.alt_response(200, schema=CallCreated, description="the same `client_ref` sent again: nothing new stored "
                  "(`applied: false`), the call stored the first time")
@blp.alt_response(404, description="not_found: no such `incident_id` (`fields.incident_id`)")
@blp.alt_response(409, description="client_ref_reused: this `client_ref` was used for a different call; "
                  "caller_blocked: the number is blocked (`details.block`): send `confirm_blocked: true` to take it")
def take_call(body):
    """Log a call. An emergency call opens an incident in `pending`; other dispositions do not.

    Without `lat`/`lon`, the incident is located from `location_text` (coordinates, a map
    link or a known place); `location` says how, and offers candidates when it could not.
    The same `client_ref` sent again by the same user stores nothing and answers `200` with the
    call stored the first time (`applied: false`).
    """
    call, incident, located, applied = calls.take_call(db.session, actor=current_user(), geo=current_geo(),
                                                       rules=caller_rules(), **body)
    answer = {"call": call, "incident": incident, "location": located.summary() if located else None,
              "applied": applied}
    return answer if applied else (answer, 200)


@blp.route("", methods=["GET"])
@require("operator", "supervisor")
@blp.arguments(CallQuery, location="query")
@blp.response(200, CallList)
def list_calls(query):
    """The latest calls, newest first, whatever their disposition."""
    return {"items": calls.list_calls(db.session, limit=query["limit"])}
