from ..core import callbacks
from ..extensions import db
from ..schemas.calls import CallbackQueue, CallbackQuery
from .blueprint import Blueprint
from .security import require

blp = Blueprint("callbacks", __name__, url_prefix="/api/callbacks", description="The call-back queue")


@blp.route("", methods=["GET"])
@require("operator", "supervisor")
@blp.arguments(CallbackQuery, location="query")
@blp.response(200, CallbackQueue)
def queue(query):
    """The dropped and silent calls waiting for a call-back, oldest first: each with how long it has
    waited, the attempts made and the calls its number made since (it called again)."""
    return callbacks.queue(db.session, limit=query["limit"])
