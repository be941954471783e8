from ..core import alerts
from ..extensions import db
from ..schemas.alerts import AckIn, AlertList, AlertOut, AlertQuery
from .blueprint import Blueprint
from .security import current_user, require

blp = Blueprint("alerts", __name__, url_prefix="/api/alerts", description="Alerts raised by the timers")


@blp.route("", methods=["GET"])
@require("operator", "supervisor", "admin")
@blp.arguments(AlertQuery, location="query")
@blp.response(200, AlertList)
def list_alerts(query):
    """The alerts in `state` (none given: open and acknowledged, the urgent first, then the oldest;
    resolved: the newest first)."""
    states = (query["state"],) if query["state"] else alerts.LIVE
    return {"items": alerts.list_alerts(db.session, states=states, incident_id=query["incident_id"],
                                        limit=query["limit"])}


@blp.route("/<id:alert_id>/ack", methods=["POST"])
@require("operator", "supervisor")
@blp.arguments(AckIn)
@blp.response(200, AlertOut)
@blp.alt_response(404, description="not_found: no such alert")
@blp.alt_response(409, description="conflict: it was acknowledged already, or it has resolved (its cause ended)")
def acknowledge(body, alert_id):
    """Someone is on it: the alert stays acknowledged until its cause ends (recorded, with the note)."""
    return alerts.acknowledge(db.session, actor=current_user(), alert_id=alert_id, note=body.get("note"))
