from ..core import waiting
from ..extensions import db
from ..schemas.waiting import WaitingQuery, WaitingQueue
from .blueprint import Blueprint
from .geo import current_geo
from .security import require

blp = Blueprint("waiting", __name__, url_prefix="/api/queue", description="The waiting queue")


@blp.route("", methods=["GET"])
@require("operator", "supervisor")
@blp.arguments(WaitingQuery, location="query")
@blp.response(200, WaitingQueue)
def waiting_queue(query):
    """The open incidents no unit is on, P1 first then the longest wait, each with the available unit
    that would reach it first (`best`; null when none is available or its location is unknown)."""
    return waiting.waiting_queue(db.session, geo=current_geo(), limit=query["limit"])
