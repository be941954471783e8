
from ..core import calls
from ..extensions import db
from ..schemas.calls import CallCreated, CallIn, CallList, CallQuery
from .security import current_user, require
from .blueprint import Blueprint

blp = Blueprint("calls", __name__, url_prefix="/api/calls", description="Incoming 119 calls")


@blp.route("", methods=["POST"])
@require("operator", "supervisor")
@blp.arguments(CallIn)
@blp.response(201, CallCreated)
def take_call(body):
    """Log a call. An emergency call opens an incident in `pending`; other dispositions do not."""
    call, incident = calls.take_call(db.session, actor=current_user(), **body)
    return {"call": call, "incident": incident}


@blp.route("", methods=["GET"])
@require("operator", "supervisor")
@blp.arguments(CallQuery, location="query")
@blp.response(200, CallList)
def list_calls(query):
    """The latest calls, newest first, whatever their disposition."""
    return {"items": calls.list_calls(db.session, limit=query["limit"])}
