from marshmallow import Schema, ValidationError, fields, validate

from ..phones import NotAPhoneNumber, normalise
from ..vocabulary import CALLER_FLAGS, CATEGORIES, DISPOSITIONS, PRIORITIES
from .common import Choice, ClientRef, Flag, FullMatch, Id, Text, has_field
from .geo import LocationResult
from .incidents import IncidentOut, LocationFields

PHONE = FullMatch(
    r"^\+?\(?[0-9][0-9 ().\-/]{0,38}$",
    error="digits, spaces, '+', '-' and brackets only (e.g. 0811-573-119)",
)


def possible_phone(value):
    """A number libphonenumber can read (region ID), or a short service number (112, 119)."""
    if PHONE.regex.fullmatch(value) is None:
        return   # PHONE says why, once
    try:
        normalise(value)
    except NotAPhoneNumber as exc:
        raise ValidationError(str(exc)) from None


PHONE_DESCRIPTION = ("as typed or shown by the telephone: 0811-573-119, +62 811 573 119 and 62811573119 are "
                     "one number (stored as +62811573119, the typed form kept beside it); short service "
                     "numbers (112, 119) as they are")


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

    caller_phone = fields.String(required=True, validate=[validate.Length(min=2, max=40), PHONE, possible_phone],
                                 metadata={"description": PHONE_DESCRIPTION, "example": "0811-573-119"})
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
