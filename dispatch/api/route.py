from ..core.routing import way_between
from ..schemas.route import RouteQuery, WayOut
from .blueprint import Blueprint
from .geo import current_geo
from .security import require

blp = Blueprint("route", __name__, url_prefix="/api", description="Road routes")


@blp.route("/route", methods=["GET"])
@require("operator", "supervisor")
@blp.arguments(RouteQuery, location="query")
@blp.response(200, WayOut)
def route(query):
    """The road between two points by the server's travel model: ETA, distance, bridges and the way
    (a point farther than ROUTE_MAX_WALK_M from any road: 422 `too_far_from_road`)."""
    return way_between(current_geo(), **query)
