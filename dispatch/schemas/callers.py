from marshmallow import Schema, fields

from ..vocabulary import CALLER_FLAGS, DISPOSITIONS
from .calls import CallOut
from .common import Text, Time
from .incidents import IncidentOut


def _counts(description):
    return fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": f"{description}: calls by disposition ({', '.join(DISPOSITIONS)}), every one present"})


class BlockIn(Schema):
    reason = Text(500, min_length=1, required=True, metadata={"example": "12 panggilan iseng sejak pagi"})
    until = Time(required=True, metadata={"description": "when the block ends by itself (in the future)"})


class BlockOut(Schema):
    id = fields.Integer()
    phone = fields.String()
    reason = fields.String()
    until = fields.DateTime()
    created_at = fields.DateTime()
    created_by_id = fields.Integer(allow_none=True)
    created_by = fields.Function(lambda b: b.created_by.username if b.created_by else None, allow_none=True)
    lifted_at = fields.DateTime(allow_none=True)
    lifted_by_id = fields.Integer(allow_none=True)


class IncidentBrief(Schema):
    id = fields.Integer()
    reference = fields.String()
    status = fields.String()
    priority = fields.String()
    category = fields.String()


class OpenIncident(Schema):
    incident = fields.Nested(IncidentOut)
    last_call_at = fields.DateTime(metadata={"description": "this number's last call about it"})


class LastEmergency(Schema):
    call_id = fields.Integer(attribute="id")
    at = fields.DateTime(attribute="received_at")
    incident = fields.Nested(IncidentBrief, allow_none=True)


class Window(Schema):
    hours = fields.Float()
    since = fields.DateTime()
    counts = _counts("in the window")
    prank_like = fields.Integer(metadata={"description": "prank and silent calls in the window"})
    limit = fields.Integer(metadata={"description": "prank_like calls from which the number is a repeat_prank"})


class CallerHistory(Schema):
    phone = fields.String(metadata={"description": "normalised", "example": "+62811573119"})
    display = fields.String(metadata={"example": "0811-573-119"})
    kind = fields.String(metadata={"description": "mobile, fixed, service, voip, short, foreign or unknown"})
    calls_total = fields.Integer()
    counts = _counts("ever")
    today = _counts("today (WIB)")
    window = fields.Nested(Window, metadata={"description": "the repeat-prank window (REPEAT_PRANK_HOURS)"})
    first_call_at = fields.DateTime(allow_none=True)
    last_call = fields.Nested(CallOut, allow_none=True)
    last_emergency = fields.Nested(LastEmergency, allow_none=True)
    open_incidents = fields.List(fields.Nested(OpenIncident), metadata={
        "description": "open incidents this number called about, latest call first"})
    recent_calls = fields.List(fields.Nested(CallOut), metadata={"description": "the last 10 calls, newest first"})
    awaiting_callback = fields.List(fields.Nested(CallOut), metadata={
        "description": "its dropped and silent calls still waiting for a call-back, oldest first (the oldest 10)"})
    awaiting_callback_count = fields.Integer(metadata={"description": "how many of them wait in all"})
    flags = fields.List(fields.String(), metadata={"description": f"of {', '.join(CALLER_FLAGS)}"})
    block = fields.Nested(BlockOut, allow_none=True, metadata={"description": "the block in force"})
    now = fields.DateTime(metadata={"description": "the server's time of this answer (for 'minutes ago')"})
