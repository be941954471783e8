
from ..core import events
from ..extensions import db
from ..schemas.events import EventPage, EventQuery
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
