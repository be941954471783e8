from marshmallow import Schema, fields, validate

from ..vocabulary import ALERT_KINDS, ALERT_STATES
from .common import Text


class AlertOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(ALERT_KINDS)})
    kind_label = fields.Function(lambda a: {k: ALERT_KINDS[a.kind][k] for k in ("id", "en")}, metadata={
        "type": "object", "description": '{"id": Bahasa Indonesia, "en": English}'})
    state = fields.String(metadata={"enum": list(ALERT_STATES)})
    urgent = fields.Boolean(metadata={"description": "the consoles sound it (a P1 waiting, not accepted, not left)"})
    incident_id = fields.Integer(allow_none=True)
    incident_reference = fields.Function(lambda a: a.incident.reference if a.incident else None, metadata={
        "type": "string", "nullable": True, "example": "PSC-20261204-0012"})
    priority = fields.Function(lambda a: a.incident.priority if a.incident else None, metadata={
        "type": "string", "nullable": True})
    unit_id = fields.Integer(allow_none=True)
    call_sign = fields.Function(lambda a: a.unit.call_sign if a.unit else None, metadata={
        "type": "string", "nullable": True})
    assignment_id = fields.Integer(allow_none=True)
    call_id = fields.Integer(allow_none=True)
    caller_phone = fields.Function(lambda a: a.call.caller_phone if a.call else None, metadata={
        "type": "string", "nullable": True})
    hospital_id = fields.Integer(allow_none=True)
    hospital_name = fields.Function(lambda a: a.hospital.name if a.hospital else None, metadata={
        "type": "string", "nullable": True})
    since = fields.DateTime(metadata={"description": "when its cause began (the wait, the dispatch, the last fix...)"})
    limit_s = fields.Integer(metadata={"description": "the timer it ran past, seconds"})
    raised_at = fields.DateTime()
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledged_by = fields.Function(lambda a: a.acknowledged_by.username if a.acknowledged_by else None,
                                      metadata={"type": "string", "nullable": True})
    note = fields.String(allow_none=True, metadata={"description": "what the operator wrote acknowledging it"})
    resolved_at = fields.DateTime(allow_none=True, metadata={"description": "its cause ended"})


class AlertList(Schema):
    items = fields.List(fields.Nested(AlertOut))


class AlertQuery(Schema):
    state = fields.String(load_default=None, validate=validate.OneOf(ALERT_STATES), metadata={
        "description": "open, acknowledged or resolved; none: open and acknowledged (the live ones)"})
    incident_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1))
    limit = fields.Integer(load_default=200, validate=validate.Range(1, 1000))


class AckIn(Schema):
    note = Text(500, load_default=None, allow_none=True)
