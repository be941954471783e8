from sqlalchemy import text

from ..extensions import db
from .blueprint import Blueprint

blp = Blueprint("health", __name__, url_prefix="/api", description="Liveness")


@blp.route("/health")
@blp.doc(security=[])
def health():
    """Is the server up and can it reach its database? (no auth)"""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        return {"status": "ok", "database": "ok"}
    except Exception as exc:  # report, do not crash: a load balancer polls this
        db.session.rollback()
        return {"status": "degraded", "database": f"error: {type(exc).__name__}"}, 503
