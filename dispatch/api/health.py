from flask import current_app
from sqlalchemy import text

from ..core import clock
from ..database import safe_rollback, write_failure
from ..extensions import db
from ..schemas.health import HealthOut
from .errors import RETRY_AFTER_S
from .blueprint import Blueprint
from .openapi import RETRY_AFTER

blp = Blueprint("health", __name__, url_prefix="/api", description="Liveness")


@blp.route("/health")
@blp.doc(security=[])
@blp.response(200, HealthOut)
@blp.alt_response(503, schema=HealthOut, headers={"Retry-After": RETRY_AFTER},
                  description="degraded: the database cannot be reached or cannot write")
def health():
    """Is the server up and can it reach its database? (no auth)"""
    try:
        db.session.execute(text("SELECT 1"))
        safe_rollback(db.session)
    except Exception as exc:  # report, do not crash: a load balancer polls this
        safe_rollback(db.session)
        return _degraded(f"error: cannot reach the database ({type(exc).__name__})")
    failed = write_failure()
    if failed is not None:   # reachable, but the last write failed (disk full...) and none worked since
        return _degraded(f"error: cannot write ({failed})")
    return {"status": "ok", "database": "ok", "travel": _travel(), **_clock()}


def _clock():
    """How fast the server's clock runs (1: real time) and what time it says."""
    return {"clock_speed": clock.speed(), "now": clock.utcnow()}


def _travel():
    return current_app.extensions["psc_geo"].travel_status


def _degraded(what):
    return {"status": "degraded", "database": what, "travel": _travel(), **_clock()}, 503, {"Retry-After": str(RETRY_AFTER_S)}
