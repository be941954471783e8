from ..core import stats
from ..extensions import db
from ..schemas.stats import TodayOut
from .blueprint import Blueprint
from .security import require

blp = Blueprint("stats", __name__, url_prefix="/api/stats", description="Live counts and response times")


@blp.route("/today", methods=["GET"])
@require("operator", "supervisor")
@blp.response(200, TodayOut)
def today():
    """Open incidents by priority, units by status, and today's (WIB) median and 90th percentile
    times from call to dispatch and from call to arrival."""
    return stats.today(db.session)
