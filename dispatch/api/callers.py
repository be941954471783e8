from flask import current_app

from ..core import callers
from ..extensions import db
from ..schemas.callers import BlockIn, BlockOut, CallerHistory
from .blueprint import Blueprint
from .security import current_user, require

blp = Blueprint("callers", __name__, url_prefix="/api/callers",
                description="Callers: a number's history, its flags and soft blocks")

PHONE_PARAM = {"in": "path", "name": "phone", "required": True, "schema": {"type": "string"},
               "description": "as typed (0811-573-119) or normalised (+62811573119)"}


def caller_rules():
    """The centre's repeat-prank rule (REPEAT_PRANK_CALLS prank or silent calls in REPEAT_PRANK_HOURS)."""
    return callers.Rules(prank_calls=current_app.config["REPEAT_PRANK_CALLS"],
                         prank_hours=current_app.config["REPEAT_PRANK_HOURS"])


@blp.route("/<phone>", methods=["GET"])
@require("operator", "supervisor")
@blp.doc(parameters=[PHONE_PARAM])
@blp.response(200, CallerHistory)
@blp.alt_response(422, description="validation_error: not a phone number (`fields.phone`)")
def history(phone):
    """A number's history: calls by disposition (ever, today, in the prank window), its last calls,
    its last emergency, the open incidents it called about, its flags and its block."""
    return callers.history(db.session, phone, rules=caller_rules())


@blp.route("/<phone>/block", methods=["POST"])
@require("supervisor")
@blp.doc(parameters=[PHONE_PARAM])
@blp.arguments(BlockIn)
@blp.response(201, BlockOut)
@blp.alt_response(422, description="validation_error: not a phone number, no reason, or `until` in the past")
def block(body, phone):
    """Block a number softly until `until`: a call from it asks the operator for a confirmation
    (`confirm_blocked`), and is then taken. A block in force is replaced. Event `caller.blocked`."""
    return callers.block_number(db.session, actor=current_user(), phone=phone, **body)


@blp.route("/<phone>/block", methods=["DELETE"])
@require("supervisor")
@blp.doc(parameters=[PHONE_PARAM])
@blp.response(200, BlockOut)
@blp.alt_response(404, description="not_found: the number is not blocked")
@blp.alt_response(422, description="validation_error: not a phone number (`fields.phone`)")
def unblock(phone):
    """Lift the block in force on a number. Event `caller.unblocked`."""
    return callers.lift_block(db.session, actor=current_user(), phone=phone)
