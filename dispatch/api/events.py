
from ..core import events, eventtypes
from ..extensions import db
from ..schemas.events import EventPage, EventQuery, EventSchemas
from .security import require
from .blueprint import Blueprint

blp = Blueprint("events", __name__, url_prefix="/api/events", description="The event log")


@blp.route("", methods=["GET"])
@require("operator", "supervisor")
@blp.arguments(EventQuery, location="query")
@blp.response(200, EventPage)
def list_events(query):
    """Events after `after`, in id order: what a live console replays after a reconnect."""
    items = events.list_after(db.session, after=query["after"], limit=query["limit"])
    return {"items": items, "last_id": items[-1]["id"] if items else query["after"]}


@blp.route("/schema", methods=["GET"])
@require("operator", "supervisor", "admin")
@blp.response(200, EventSchemas)
def event_schemas():
    """The shape of each event type's `data`, as JSON Schema (2020-12), for integrators: the keys
    every event of the type has (`required`), those some have, and their kinds; rows refer to the
    components of this OpenAPI document (an event's incident is an `IncidentOut`). The server
    refuses to record an event that does not match its schema."""
    return {"types": eventtypes.json_schemas()}
