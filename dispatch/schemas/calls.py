from marshmallow import Schema, fields, validate

from ..vocabulary import CATEGORIES, DISPOSITIONS, PRIORITIES
from .common import Choice, ClientRef, FullMatch, Id, Text, has_field
from .geo import LocationResult
from .incidents import IncidentOut, LocationFields

PHONE = FullMatch(
    r"^\+?[0-9][0-9 ()\-]{1,30}$",
    error="digits, spaces, '+', '-' and brackets only (e.g. 0811-573-119)",
)


class CallIn(LocationFields):
    JSON_SCHEMA = {
        **LocationFields.JSON_SCHEMA,
        "allOf": [
            *LocationFields.JSON_SCHEMA["allOf"],
            # incident_id only for a duplicate call (the disposition's default is emergency).
            {"if": has_field("incident_id", "integer"),
             "then": {"required": ["disposition"], "properties": {"disposition": {"const": "duplicate"}}}},
        ],
    }

    caller_phone = fields.String(required=True, validate=[validate.Length(min=2, max=32), PHONE])
    caller_name = Text(200, allow_none=True)
    location_text = Text(500, allow_none=True)
    complaint = Text(2000, allow_none=True)
    category = Choice(CATEGORIES, load_default="other")
    priority = Choice(PRIORITIES, load_default="P2")
    notes = Text(2000, allow_none=True)
    disposition = Choice(DISPOSITIONS, load_default="emergency")
    incident_id = Id(
        allow_none=True,
        metadata={"description": "for a 'duplicate' call: the incident it repeats"},
    )
    client_ref = ClientRef(metadata={
        "description": "the console's own id for this call: sent again (an answer lost), the call is stored once"})


class CallOut(Schema):
    id = fields.Integer()
    received_at = fields.DateTime()
    caller_phone = fields.String()
    caller_name = fields.String(allow_none=True)
    location_text = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    location_accuracy_m = fields.Float(allow_none=True)
    complaint = fields.String(allow_none=True)
    disposition = fields.String()
    taken_by_id = fields.Integer(allow_none=True)
    incident_id = fields.Integer(allow_none=True)


class CallCreated(Schema):
    call = fields.Nested(CallOut)
    applied = fields.Boolean(metadata={"description": "false when client_ref was seen before: nothing new stored"})
    incident = fields.Nested(IncidentOut, allow_none=True)
    location = fields.Nested(LocationResult, allow_none=True,
                             metadata={"description": "how the incident was located (emergency calls)"})


class CallList(Schema):
    items = fields.List(fields.Nested(CallOut))


class CallQuery(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))
