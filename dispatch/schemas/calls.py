from marshmallow import Schema, fields, validate

from ..vocabulary import CALLER_FLAGS, CATEGORIES, DISPOSITIONS, PRIORITIES
from .common import Choice, ClientRef, Flag, Id, Phone, Text, has_field
from .duplicates import PossibleDuplicate
from .geo import LocationResult
from .incidents import IncidentOut, LocationFields

class CallIn(LocationFields):
    JSON_SCHEMA = {
        **LocationFields.JSON_SCHEMA,
        "allOf": [
            *LocationFields.JSON_SCHEMA["allOf"],
            # incident_id only for a duplicate call (the disposition's default is emergency).
            {"if": has_field("incident_id", "integer"),
             "then": {"required": ["disposition"], "properties": {"disposition": {"const": "duplicate"}}}},
            {"if": has_field("link_to_incident_id", "integer"),
             "then": {"properties": {"disposition": {"enum": ["emergency", "duplicate"]}}}},
        ],
    }

    caller_phone = Phone(required=True)
    caller_name = Text(200, allow_none=True)
    location_text = Text(500, allow_none=True)
    complaint = Text(2000, allow_none=True)
    category = Choice(CATEGORIES, load_default="other")
    priority = Choice(PRIORITIES, load_default="P2")
    notes = Text(2000, allow_none=True)
    disposition = Choice(DISPOSITIONS, load_default="emergency")
    incident_id = Id(
        allow_none=True,
        metadata={"description": "for a 'duplicate' call: the incident it repeats (link_to_incident_id says it "
                                 "in one field)"},
    )
    link_to_incident_id = Id(allow_none=True, metadata={
        "description": "the open incident this call is about (a possible duplicate the operator chose): the call "
                       "is stored as its duplicate and no incident is opened; 409 incident_finished / "
                       "incident_merged when it is no longer open"})
    confirm_blocked = Flag(load_default=False, metadata={
        "description": "take the call although its number is blocked (without it: 409 caller_blocked)"})
    client_ref = ClientRef(metadata={
        "description": "the console's own id for this call: sent again (an answer lost), the call is stored once"})


class CallOut(Schema):
    id = fields.Integer()
    received_at = fields.DateTime()
    caller_phone = fields.String(metadata={"description": "normalised: E.164, or a short number as dialled",
                                           "example": "+62811573119"})
    caller_phone_as_given = fields.String(allow_none=True, metadata={"description": "as typed"})
    caller_phone_display = fields.String(metadata={"description": "as shown: 0811-573-119"})
    caller_flags = fields.List(fields.String(), metadata={
        "description": f"what the caller's history said when the call was taken: {', '.join(CALLER_FLAGS)}"})
    caller_name = fields.String(allow_none=True)
    location_text = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    location_accuracy_m = fields.Float(allow_none=True)
    complaint = fields.String(allow_none=True)
    disposition = fields.String()
    taken_by_id = fields.Integer(allow_none=True)
    incident_id = fields.Integer(allow_none=True, metadata={
        "description": "the incident it is about: the one it opened, or the one it repeats (a duplicate)"})
    opened_incident_id = fields.Integer(allow_none=True, metadata={
        "description": "the incident this call opened (kept when it was linked to another one and its own merged)"})


class CallCreated(Schema):
    call = fields.Nested(CallOut)
    applied = fields.Boolean(metadata={"description": "false when client_ref was seen before: nothing new stored"})
    incident = fields.Nested(IncidentOut, allow_none=True)
    location = fields.Nested(LocationResult, allow_none=True,
                             metadata={"description": "how the incident was located (emergency calls)"})
    possible_duplicates = fields.List(fields.Nested(PossibleDuplicate), metadata={
        "description": "for a call that opened an incident: the other open incidents it is possibly about, best "
                       "first (link it with POST /api/calls/<id>/link); empty otherwise"})


class CallList(Schema):
    items = fields.List(fields.Nested(CallOut))


class CallQuery(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


class LinkOut(Schema):
    call = fields.Nested(CallOut)
    incident = fields.Nested(IncidentOut, metadata={"description": "the incident the call is now about"})
    applied = fields.Boolean(metadata={"description": "false when the call was linked to it already"})
    merged_incident = fields.Nested(IncidentOut, allow_none=True, metadata={
        "description": "the call's own incident, merged into the chosen one (link); null otherwise"})
    left_incident = fields.Nested(IncidentOut, allow_none=True, metadata={
        "description": "the incident the call left (unlink)"})
