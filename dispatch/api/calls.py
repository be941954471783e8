
from flask import current_app

from ..core import callbacks, calls, links
from ..extensions import db
from ..schemas.calls import CallbackIn, CallbackRecorded, CallCreated, CallIn, CallList, CallQuery, LinkOut
from ..schemas.duplicates import LinkIn, UnlinkIn
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
@blp.alt_response(404, description="not_found: no such `incident_id` / `link_to_incident_id` (named in `fields`)")
@blp.alt_response(409, description="client_ref_reused: this `client_ref` was used for a different call; "
                  "caller_blocked: the number is blocked (`details.block`): send `confirm_blocked: true` to take it; "
                  "incident_finished / incident_merged: `link_to_incident_id` names an incident no longer open "
                  "(`details.merged_into_id`: the one it was merged into)")
def take_call(body):
    """Log a call. An emergency call opens an incident in `pending`; other dispositions do not.

    Without `lat`/`lon`, the incident is located from `location_text` (coordinates, a map
    link or a known place); `location` says how, and offers candidates when it could not.
    The same `client_ref` sent again by the same user stores nothing and answers `200` with the
    call stored the first time (`applied: false`).

    With `link_to_incident_id` the call is about that open incident: it is stored as its `duplicate`
    and no incident is opened. A call that opened an incident comes back with `possible_duplicates`:
    the other open incidents it is probably about, best first (link it with `POST /api/calls/<id>/link`).
    """
    rules = caller_rules() if current_app.config["CALLER_CHECKS"] else None
    taken = calls.take_call(db.session, actor=current_user(), geo=current_geo(), rules=rules,
                            duplicates=current_app.config["DUPLICATE_SEARCH"], **body)
    answer = {"call": taken.call, "incident": taken.incident,
              "location": taken.located.summary() if taken.located else None, "applied": taken.applied,
              "possible_duplicates": taken.possible_duplicates}
    return answer if taken.applied else (answer, 200)


@blp.route("/<id:call_id>/link", methods=["POST"])
@require("operator", "supervisor")
@blp.arguments(LinkIn)
@blp.response(200, LinkOut)
@blp.alt_response(404, description="not_found: no such call, or no such `incident_id`")
@blp.alt_response(409, description=(
    "incident_finished / incident_merged: the incident is no longer open; units_on_incident: the incident "
    "this call opened has units on it (`details.units`), it cannot be merged away; call_linked: the call is "
    "linked to another incident (`details.reference`): unlink it first"))
def link(body, call_id):
    """Link a saved call to the open incident it is about (a possible duplicate the operator chose).

    The call becomes a `duplicate` of it; the incident the call had just opened is merged into the
    chosen one (`merged`, its calls and events kept and shown on the survivor), allowed only while
    no unit is on it. Linked to it already: nothing changes (`applied: false`)."""
    call, incident, merged, applied = links.link_call(db.session, actor=current_user(), call_id=call_id,
                                                      incident_id=body["incident_id"])
    return {"call": call, "incident": incident, "merged_incident": merged, "applied": applied}


@blp.route("/<id:call_id>/unlink", methods=["POST"])
@require("operator", "supervisor")
@blp.arguments(UnlinkIn)
@blp.response(200, LinkOut)
@blp.alt_response(404, description="not_found: no such call")
@blp.alt_response(409, description="call_not_linked: the call is not a duplicate of another incident")
def unlink(body, call_id):
    """Give a call linked by mistake an incident of its own: the one it had opened comes back
    (`pending`), else a new one opens from what the call said, with the category and priority
    given or those of the incident it leaves."""
    call, incident, left = links.unlink_call(db.session, actor=current_user(), call_id=call_id, geo=current_geo(),
                                             category=body.get("category"), priority=body.get("priority"))
    return {"call": call, "incident": incident, "left_incident": left, "applied": True}


@blp.route("", methods=["GET"])
@require("operator", "supervisor")
@blp.arguments(CallQuery, location="query")
@blp.response(200, CallList)
def list_calls(query):
    """The latest calls, newest first, whatever their disposition."""
    return {"items": calls.list_calls(db.session, limit=query["limit"])}


@blp.route("/<id:call_id>/callbacks", methods=["POST"])
@require("operator", "supervisor")
@blp.arguments(CallbackIn)
@blp.response(201, CallbackRecorded)
@blp.alt_response(404, description="not_found: no such call (or no such `incident_id`)")
@blp.alt_response(409, description="not_for_callback: not a dropped or silent call; callback_done: called back "
                  "already; callback_changed: another attempt was recorded since `attempts_seen`")
def record_callback(body, call_id):
    """Record a call-back of a dropped or silent call: `no_answer` keeps it in the queue;
    `reached_no_emergency`, `reached_emergency` and `wrong_number` take it out. A call-back that
    reached an emergency opens its incident with `POST /api/calls` and `callback_for_call_id`."""
    call, attempt = callbacks.record(db.session, actor=current_user(), call_id=call_id, **body)
    return {"call": call, "attempt": attempt, "done": call.callback_done_at is not None}
